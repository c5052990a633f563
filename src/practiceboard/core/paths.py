"""One place that finds files: the app's data folders and its bundled resources.

Installed from a wheel, ``migrations``, ``ui`` and ``resources`` live in
``practiceboard/_data``; in the source tree they are top-level folders.

Files that may hold patient data or secrets (the SQLite database and its -wal/-shm,
backups, reports, the config folder) are made for this user only: ``private_file`` and
``private_dir`` give them 0600 / 0700 on POSIX. On Windows they live in the user's own
profile, whose access list (this user, SYSTEM, Administrators) they inherit.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import platformdirs

from practiceboard.core.settings import env

APP = "PracticeBoard"
_PKG = Path(__file__).resolve().parent.parent  # the practiceboard package


def resource_dir(name: str) -> Path:
    """The folder ``migrations``, ``ui`` or ``resources``, wherever the app runs from."""
    for candidate in (_PKG / "_data" / name, _PKG.parent.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"PracticeBoard is missing its {name} folder; reinstall the app.")


def data_dir() -> Path:
    """Per-user data folder (the SQLite database, backups). PRACTICEBOARD_HOME overrides."""
    root = env("PRACTICEBOARD_HOME")
    path = Path(root) / "data" if root else Path(platformdirs.user_data_dir(APP, appauthor=False))
    return private_dir(path)


def config_dir() -> Path:
    """Per-user configuration folder (connection settings, audit key)."""
    root = env("PRACTICEBOARD_HOME")
    path = (
        Path(root) / "config" if root else Path(platformdirs.user_config_dir(APP, appauthor=False))
    )
    return private_dir(path)


# ---------------------------------------------------------------- for this user only

PRIVATE_FILE = 0o600
PRIVATE_DIR = 0o700


def private_modes(platform: str = sys.platform) -> tuple[int, int] | None:
    """(file mode, folder mode) for files only this user may read, on ``platform``
    ("linux", "darwin", "win32"); None on Windows, where a file inherits the access list
    of the per-user profile folder it is made in. Tests pass the platform."""
    return None if platform == "win32" else (PRIVATE_FILE, PRIVATE_DIR)


def private_dir(path: Path | str, platform: str = sys.platform) -> Path:
    """The folder ``path``, made if missing, readable by this user only (an existing
    folder of ours is tightened; one the user does not own is left as it is)."""
    path = Path(path)
    modes = private_modes(platform)
    if modes is None:
        path.mkdir(parents=True, exist_ok=True)
        return path
    path.mkdir(parents=True, mode=modes[1], exist_ok=True)
    _tighten(path, modes[1])
    return path


def private_file(path: Path | str, platform: str = sys.platform) -> Path:
    """Make sure the file ``path`` exists (empty when new; an existing one is not
    changed) and is readable by this user only — before anything is written into it,
    so its content is never open to others, not even for a moment."""
    path = Path(path)
    modes = private_modes(platform)
    if modes is None and path.exists():
        return path  # Windows: it already has its folder's access list; leave it be
    mode = 0o666 if modes is None else modes[0]
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | getattr(os, "O_BINARY", 0), mode)
    os.close(fd)
    if modes is not None:
        _tighten(path, modes[0])
    return path


def _tighten(path: Path, mode: int) -> None:
    try:
        if (path.stat().st_mode & 0o777) != mode:
            path.chmod(mode)
    except OSError:
        pass  # not ours (a shared folder, a share that ignores modes): leave it as it is
