"""One place that finds files: the app's data folders and its bundled resources.

Bundled resources (``migrations``, ``ui``, ``resources``) are found by ``resource_dir``
and nowhere else: in a frozen build (PyInstaller, ``installer/practiceboard.spec``)
under the unpacked bundle, ``sys._MEIPASS``; installed from a wheel in
``practiceboard/_data``; in the source tree as top-level folders.

Data: each person's own files live in their user folders (``data_dir``,
``config_dir``). What every Windows account on one PC shares — the SQLite database,
audit keys, backups, reports — lives in ``%ProgramData%\\PracticeBoard`` when the
installer made that folder and set its access list (``shared_place``): on Windows a
file is only as private as its folder's access list, whatever its mode says.

Files that may hold patient data or secrets (the SQLite database and its -wal/-shm,
backups, reports, the config folder) are made for this user only: ``private_file`` and
``private_dir`` give them 0600 / 0700 on POSIX. On Windows they inherit their folder's
access list: the user's own profile (this user, SYSTEM, Administrators), or the
machine-wide folder's, which the installer set.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import Path

import platformdirs

from practiceboard.core.settings import env

APP = "PracticeBoard"
_PKG = Path(__file__).resolve().parent.parent  # the practiceboard package


def bundle_dir() -> Path | None:
    """The unpacked folder of a frozen build (PyInstaller's ``sys._MEIPASS``), else None."""
    root = getattr(sys, "_MEIPASS", None)
    return Path(root) if getattr(sys, "frozen", False) and root else None


def resource_candidates(name: str, bundle: Path | None = None) -> list[Path]:
    """Where ``migrations``, ``ui`` or ``resources`` may be, most specific first."""
    places = [_PKG / "_data" / name, _PKG.parent.parent / name]
    bundle = bundle if bundle is not None else bundle_dir()
    if bundle is not None:
        places.insert(0, bundle / "practiceboard" / "_data" / name)
    return places


def resource_dir(name: str) -> Path:
    """The folder ``migrations``, ``ui`` or ``resources``, wherever the app runs from."""
    for candidate in resource_candidates(name):
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


def machine_dir(
    platform: str | None = None, environ: Mapping[str, str] | None = None
) -> Path | None:
    """``%ProgramData%\\PracticeBoard`` on Windows when it exists (the installer makes it
    and gives it to the clinic's staff group: ``installer/windows/practiceboard.iss``).
    None elsewhere, when it is missing, or under PRACTICEBOARD_HOME."""
    platform = platform or sys.platform
    environ = os.environ if environ is None else environ
    if platform != "win32" or environ.get("PRACTICEBOARD_HOME"):
        return None
    root = environ.get("ProgramData") or environ.get("PROGRAMDATA")
    if not root:
        return None
    path = Path(root) / APP
    return path if path.is_dir() else None


def shared_place(
    name: str,
    personal: Path,
    *,
    platform: str | None = None,
    environ: Mapping[str, str] | None = None,
) -> Path:
    """Where a file or folder that every account on this PC shares belongs: ``name`` in
    the machine-wide folder when there is one, else ``personal``. What already exists in
    ``personal`` (and not machine-wide) stays there, so an update never loses sight of a
    database or an audit key."""
    machine = machine_dir(platform, environ)
    if machine is None or (personal.exists() and not (machine / name).exists()):
        return personal
    return machine / name


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
