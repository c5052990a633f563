"""The installers agree with each other and with the app (fast; no build).

The Windows set-up script cannot be built on Linux, so its names are checked here
against the PyInstaller spec, the package version and the folders the app uses.
"""

from __future__ import annotations

import ast
import re
import tomllib
from pathlib import Path, PureWindowsPath

import pytest

from practiceboard import __version__
from practiceboard.core import autostart, paths

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "installer" / "practiceboard.spec"
ISS = ROOT / "installer" / "windows" / "practiceboard.iss"
LINUX = ROOT / "installer" / "linux"


def spec_names() -> dict[str, object]:
    """The spec's top-level NAME = literal lines."""
    names = {}
    for node in ast.parse(SPEC.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
            if isinstance(target, ast.Name) and target.id.isupper():
                try:
                    names[target.id] = ast.literal_eval(node.value)
                except ValueError:
                    pass
    return names


def iss_defines() -> dict[str, str]:
    text = ISS.read_text(encoding="utf-8")
    return dict(re.findall(r'^#define (\w+) "([^"]*)"', text, flags=re.MULTILINE))


def iss_section(name: str) -> list[str]:
    text = ISS.read_text(encoding="utf-8")
    match = re.search(rf"^\[{name}\]\n(.*?)(?=^\[|\Z)", text, flags=re.MULTILINE | re.DOTALL)
    assert match, f"no [{name}] section"
    return [line for line in match.group(1).splitlines() if line and not line.startswith(";")]


def from_iss(relative: str) -> Path:
    """A path in the .iss (relative to its folder, Windows separators) as a path here."""
    return (ISS.parent / Path(*PureWindowsPath(relative).parts)).resolve()


@pytest.fixture(scope="module")
def spec() -> dict[str, object]:
    return spec_names()


@pytest.fixture(scope="module")
def iss() -> dict[str, str]:
    return iss_defines()


def test_one_version_everywhere(iss):
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert iss["AppVersion"] == __version__ == pyproject["project"]["version"]
    assert "OutputBaseFilename=PracticeBoard-Setup-{#AppVersion}" in iss_section("Setup")


def test_setup_wraps_the_folder_the_spec_builds(spec, iss):
    assert from_iss(iss["BuildDir"]) == ROOT / "dist" / spec["APP_NAME"]
    assert from_iss(iss["OutputDir"]) == ROOT / "dist"
    assert iss["AppExe"] == f"{spec['APP_NAME']}.exe"
    assert iss["CliExe"] == f"{spec['CLI_NAME']}.exe"
    assert from_iss(iss["IconFile"]) == ROOT / spec["ICON"]
    assert (ROOT / spec["ICON"]).read_bytes()[:4] == b"\0\0\1\0"  # an .ico
    files = iss_section("Files")
    assert files == [
        'Source: "{#BuildDir}\\*"; DestDir: "{app}"; '
        "Flags: ignoreversion recursesubdirs createallsubdirs"
    ]


def test_per_machine_under_program_files_with_the_shortcuts_asked_for():
    setup = iss_section("Setup")
    assert "PrivilegesRequired=admin" in setup
    assert "DefaultDirName={autopf}\\{#AppName}" in setup
    icons = iss_section("Icons")
    assert all('Filename: "{app}\\{#AppExe}"' in line for line in icons)
    where = {line.split('"')[1].split("\\")[0]: line for line in icons}
    assert "Tasks:" not in where["{autoprograms}"]  # always a Start-menu entry
    assert "Tasks: desktopicon" in where["{autodesktop}"]
    assert "Tasks: startatsignin" in where["{commonstartup}"]
    tasks = " ".join(iss_section("Tasks"))
    assert 'Name: "desktopicon"' in tasks and 'Name: "startatsignin"' in tasks


def test_shared_folder_is_the_one_the_app_uses_and_the_uninstaller_keeps(iss, tmp_path):
    assert iss["SharedDir"] == "{commonappdata}\\" + paths.APP
    # {commonappdata} is %ProgramData%: the app looks there on Windows.
    (tmp_path / paths.APP).mkdir()
    found = paths.machine_dir("win32", {"ProgramData": str(tmp_path)})
    assert found == tmp_path / paths.APP
    dirs = iss_section("Dirs")
    assert dirs and all("uninsneveruninstall" in line for line in dirs)
    assert "[UninstallDelete]" not in ISS.read_text(encoding="utf-8")
    # Its access list: set by SID, for the staff group; every account only when asked.
    run = iss_section("Run")
    acl = [line for line in run if "icacls.exe" in line]
    assert "/inheritance:r" in acl[0] and '""{#StaffGroup}"":(OI)(CI)M' in acl[0]
    assert "*S-1-5-32-545" in acl[1] and "Tasks: everyaccount" in acl[1]
    code = ISS.read_text(encoding="utf-8").split("[Code]", 1)[1]
    assert "usPostUninstall" in code and "{#SharedDir}" in code and "LOCALAPPDATA" in code


def test_uninstall_removes_the_apps_own_start_at_sign_in_value(iss):
    assert iss["RunKey"] == autostart.RUN_KEY
    assert iss["RunValue"] == autostart.RUN_VALUE


def test_bundle_layout_matches_the_wheel(spec):
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    wheel = pyproject["tool"]["hatch"]["build"]["targets"]["wheel"]["force-include"]
    assert dict(wheel) == {name: f"practiceboard/_data/{name}" for name in spec["DATA_DIRS"]}
    bundle = Path("/bundle")
    for name in spec["DATA_DIRS"]:
        assert paths.resource_candidates(name, bundle)[0] == bundle / wheel[name]


def test_linux_tarball_and_scripts_use_the_built_folder(spec):
    install = (LINUX / "install.sh").read_text(encoding="utf-8")
    assert f"$HERE/{spec['APP_NAME']}/{spec['APP_NAME']}" in install
    assert "${XDG_DATA_HOME:-$HOME/.local/share}" in install
    assert "$DATA_HOME/PracticeBoard" in install  # the app's own data folder (platformdirs)
    uninstall = (LINUX / "uninstall.sh").read_text(encoding="utf-8")
    assert 'rm -rf "$APP"' in uninstall and 'rm -rf "$BASE"' not in uninstall  # keeps data
    assert f"autostart/{autostart.APP_ID}.desktop" in uninstall
    tarball = (LINUX / "make_tarball.py").read_text(encoding="utf-8")
    assert f'dist / "{spec["APP_NAME"]}"' in tarball
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "installer/practiceboard.spec" in makefile and "--distpath dist" in makefile


def test_slow_marker_is_declared_and_the_smoke_test_is_off_by_default():
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    markers = pyproject["tool"]["pytest"]["ini_options"]["markers"]
    assert any(m.startswith("slow:") for m in markers)
    assert "PRACTICEBOARD_TEST_DIST" in (ROOT / "tests" / "test_dist.py").read_text()
    extras = pyproject["project"]["optional-dependencies"]
    assert any(d.startswith("pyinstaller") for d in extras["dist"])
    assert not any("pyinstaller" in d.lower() for d in extras["dev"])


def test_windows_version_resource_says_the_version(spec):
    """The spec's version resource text (evaluated by PyInstaller on Windows, which needs
    pefile) is read here with stand-ins for PyInstaller's classes."""
    tree = ast.parse(SPEC.read_text(encoding="utf-8"))
    (fn,) = [
        n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "version_info_text"
    ]
    namespace: dict[str, object] = {"re": re}
    exec(compile(ast.Module([fn], []), str(SPEC), "exec"), namespace)  # noqa: S102
    text = namespace["version_info_text"](__version__, spec["APP_NAME"])

    def record(kind):
        return lambda *args, **kwargs: (kind, args, kwargs)

    kinds = ("VSVersionInfo", "FixedFileInfo", "StringFileInfo", "StringTable", "StringStruct",
             "VarFileInfo", "VarStruct")  # fmt: skip
    info = eval(text, {kind: record(kind) for kind in kinds})  # noqa: S307
    fixed = info[2]["ffi"][2]
    assert fixed["filevers"] == fixed["prodvers"] == (*map(int, __version__.split(".")), 0)
    strings = dict(s[1] for s in info[2]["kids"][0][1][0][0][1][1])
    assert strings["ProductVersion"] == strings["FileVersion"] == __version__
    assert strings["OriginalFilename"] == f"{spec['APP_NAME']}.exe"
