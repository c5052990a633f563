"""Pack dist/PracticeBoard/ into dist/PracticeBoard-<version>-linux-<machine>.tar.gz.

Run by ``make dist`` after PyInstaller. The tarball holds one folder,
``PracticeBoard-<version>/``, with the app (``PracticeBoard/``), ``install.sh``,
``uninstall.sh``, the menu icon and a short README.
"""

from __future__ import annotations

import io
import platform
import re
import sys
import tarfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
HERE = Path(__file__).resolve().parent

README = """PracticeBoard {version} for Linux (64-bit)

Install for yourself (no administrator rights needed):

    ./install.sh

It puts the app in ~/.local/share/PracticeBoard/app, adds PracticeBoard to your
applications menu and the command `practiceboard` to ~/.local/bin.

Remove it with ./uninstall.sh (also copied into the installed app folder). Your data
(databases, backups, reports, settings, audit keys) is kept.
"""


def version() -> str:
    text = (ROOT / "src" / "practiceboard" / "__init__.py").read_text(encoding="utf-8")
    return re.search(r'__version__ = "([^"]+)"', text).group(1)


def tarball_name(ver: str, machine: str | None = None) -> str:
    return f"PracticeBoard-{ver}-linux-{machine or platform.machine()}.tar.gz"


def build(dist: Path) -> Path:
    app = dist / "PracticeBoard"
    if not (app / "PracticeBoard").is_file():
        raise SystemExit(f"{app} has no PracticeBoard executable: run PyInstaller first.")
    ver = version()
    top = f"PracticeBoard-{ver}"
    target = dist / tarball_name(ver)

    def executable(info: tarfile.TarInfo) -> tarfile.TarInfo:
        info.mode = 0o755
        info.uid = info.gid = 0
        info.uname = info.gname = ""
        return info

    def plain(info: tarfile.TarInfo) -> tarfile.TarInfo:
        info.uid = info.gid = 0
        info.uname = info.gname = ""
        return info

    tmp = target.with_suffix(".tmp")
    with tarfile.open(tmp, "w:gz") as tar:
        tar.add(app, arcname=f"{top}/PracticeBoard", filter=plain)
        for script in ("install.sh", "uninstall.sh"):
            tar.add(HERE / script, arcname=f"{top}/{script}", filter=executable)
        tar.add(ROOT / "resources/icons/app.svg", arcname=f"{top}/practiceboard.svg", filter=plain)
        text = README.format(version=ver).encode()
        info = plain(tarfile.TarInfo(f"{top}/README.txt"))
        info.size, info.mode, info.mtime = len(text), 0o644, int(time.time())
        tar.addfile(info, io.BytesIO(text))
    tmp.replace(target)
    return target


if __name__ == "__main__":
    path = build(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "dist")
    print(f"{path} ({path.stat().st_size / 2**20:.0f} MB)")
