"""The build's smoke test: the frozen one-folder app and the Linux tarball.

Slow (PyInstaller takes a minute or more), so it runs only with
PRACTICEBOARD_TEST_DIST=1: ``make dist-check`` builds and runs it, and ``.ci/run``
builds first when that variable is set. A build in dist/ newer than every source
file is used as it is; otherwise the test builds one exactly as ``make dist`` does
(PyInstaller from the ``dist`` extra: ``pip install -e '.[dist]'``).
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import tarfile
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DIST = ROOT / "dist"
APP = DIST / "PracticeBoard"
EXE = APP / ("PracticeBoard.exe" if sys.platform == "win32" else "PracticeBoard")
SOURCES = ("src", "migrations", "ui", "resources", "installer", "pyproject.toml")
PASSWORD = "Smoke-test-password-42"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        os.environ.get("PRACTICEBOARD_TEST_DIST") != "1",
        reason="the build smoke test runs with PRACTICEBOARD_TEST_DIST=1 (make dist-check)",
    ),
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="checks the Linux build"),
]


def _newest_source() -> float:
    newest = 0.0
    for name in SOURCES:
        path = ROOT / name
        files = [path] if path.is_file() else path.rglob("*")
        for f in files:
            if f.is_file() and "__pycache__" not in f.parts:
                newest = max(newest, f.stat().st_mtime)
    return newest


def _tarballs() -> list[Path]:
    return sorted(DIST.glob("PracticeBoard-*-linux-*.tar.gz"))


def _fresh() -> bool:
    if not EXE.is_file() or not _tarballs():
        return False
    built = min(EXE.stat().st_mtime, _tarballs()[-1].stat().st_mtime)
    return built > _newest_source()


@pytest.fixture(scope="module")
def built() -> Path:
    if not _fresh():
        if importlib.util.find_spec("PyInstaller") is None:
            pytest.fail("PyInstaller is not installed: pip install -e '.[dist]' (make dist does)")
        subprocess.run(
            [sys.executable, "-m", "PyInstaller", "--noconfirm", "--clean", "--log-level",
             "WARN", "--distpath", str(DIST), "--workpath", str(ROOT / "build/pyinstaller"),
             str(ROOT / "installer/practiceboard.spec")],
            cwd=ROOT, check=True,
        )  # fmt: skip
        subprocess.run(
            [sys.executable, str(ROOT / "installer/linux/make_tarball.py"), str(DIST)],
            cwd=ROOT, check=True,
        )  # fmt: skip
    return EXE


def _env(home: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PRACTICEBOARD_")}
    env.update(
        PRACTICEBOARD_HOME=str(home / "pb"),
        PRACTICEBOARD_ADMIN_PASSWORD=PASSWORD,
        QT_QPA_PLATFORM="offscreen",
        HOME=str(home),
        XDG_DATA_HOME=str(home / ".local/share"),
        XDG_CONFIG_HOME=str(home / ".config"),
        XDG_RUNTIME_DIR=str(home / "run"),
        **extra,
    )
    (home / "run").mkdir(mode=0o700, parents=True, exist_ok=True)
    return env


def _run(exe: Path, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(exe), *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )


def _version() -> str:
    from practiceboard import __version__

    return __version__


@pytest.mark.timeout(1800)
def test_frozen_app_runs_the_command_line_and_the_app(built, tmp_path):
    env = _env(tmp_path)
    db = tmp_path / "clinic.db"

    version = _run(built, "--version", env=env)
    assert version.returncode == 0 and version.stdout.strip().endswith(_version())

    init = _run(built, "init", "--db", str(db), "--admin-username", "admin",
                "--admin-name", "Ada Admin", "--timezone", "America/Chicago", env=env)  # fmt: skip
    assert init.returncode == 0, init.stderr
    assert "schema" in init.stdout and db.is_file()  # the migrations ran from the bundle

    backup = _run(built, "backup", "--db", str(db), env=env)
    assert backup.returncode == 0, backup.stderr
    assert Path(backup.stdout.strip().splitlines()[-1]).is_file()

    verify = _run(built, "audit", "verify", "--db", str(db), env=env)
    assert verify.returncode == 0 and "intact" in verify.stdout, verify.stdout + verify.stderr

    # No command: the desktop app. It must still be up after a few seconds; a second
    # start finds it (single instance, over Qt's local socket) and ends with 0.
    app = subprocess.Popen(
        [str(built), "--db", str(db)], env=env,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        time.sleep(6)
        assert app.poll() is None, app.communicate()[0]
        second = _run(built, "--db", str(db), env=env)
        assert second.returncode == 0 and "already open" in second.stdout, second
    finally:
        app.terminate()
        output = app.communicate(timeout=30)[0]
    assert "Traceback" not in output, output


def test_bundle_keeps_what_the_app_needs_and_nothing_of_the_tests(built):
    from PyInstaller.archive.readers import CArchiveReader

    modules = set(CArchiveReader(str(built)).open_embedded_archive("PYZ.pyz").toc)
    # keyring finds its backends by entry points (keyring#324): modules and metadata both.
    assert {"keyring.backends.SecretService", "keyring.backends.Windows"} <= modules
    internal = APP / "_internal"
    assert list(internal.glob("keyring-*.dist-info/entry_points.txt"))
    assert not any(m.startswith(("tests.", "pytest", "_pytest", "pytestqt")) for m in modules)
    assert not any("WebEngine" in p.name for p in internal.rglob("*"))
    for name in ("migrations/env.py", "ui", "resources/style.qss", "resources/icons/app.svg"):
        assert (internal / "practiceboard/_data" / name).exists(), name
    size = sum(p.stat().st_size for p in APP.rglob("*") if p.is_file() and not p.is_symlink())
    assert size <= 250 * 2**20, f"{size / 2**20:.0f} MB unpacked"


def test_tarball_installs_for_one_person_and_uninstalls_keeping_data(built, tmp_path):
    tarball = DIST / f"PracticeBoard-{_version()}-linux-x86_64.tar.gz"
    if not tarball.exists():
        tarball = _tarballs()[-1]
    with tarfile.open(tarball) as tar:
        tar.extractall(tmp_path / "unpacked", filter="tar")
    home = tmp_path / "home"
    home.mkdir()
    env = _env(home)
    del env["PRACTICEBOARD_HOME"]  # the installed app uses the real per-user folders
    (top,) = (tmp_path / "unpacked").iterdir()

    installed = subprocess.run(
        ["sh", str(top / "install.sh")], env=env, capture_output=True, text=True, check=False
    )
    assert installed.returncode == 0, installed.stderr
    share = home / ".local/share"
    app = share / "PracticeBoard/app/PracticeBoard"
    entry = (share / "applications/practiceboard.desktop").read_text()
    assert f'Exec="{app}"' in entry and "Icon=practiceboard" in entry
    assert (share / "icons/hicolor/scalable/apps/practiceboard.svg").is_file()
    assert (home / ".local/bin/practiceboard").resolve() == app.resolve()

    # The installed app keeps its data beside it, in ~/.local/share/PracticeBoard.
    init = _run(app, "init", "--admin-username", "admin", "--timezone", "UTC", env=env)
    assert init.returncode == 0, init.stderr
    database = share / "PracticeBoard/practiceboard.db"
    assert database.is_file()

    removed = subprocess.run(
        ["sh", str(share / "PracticeBoard/app/uninstall.sh")],
        env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert removed.returncode == 0, removed.stderr
    assert not app.exists() and not (share / "applications/practiceboard.desktop").exists()
    assert not (home / ".local/bin/practiceboard").exists()
    assert database.is_file() and str(share / "PracticeBoard") in removed.stdout
