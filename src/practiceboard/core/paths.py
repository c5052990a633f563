"""One place that finds files: the app's data folders and its bundled resources.

Installed from a wheel, ``migrations``, ``ui`` and ``resources`` live in
``practiceboard/_data``; in the source tree they are top-level folders.
"""

from __future__ import annotations

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
    path.mkdir(parents=True, exist_ok=True)
    return path


def config_dir() -> Path:
    """Per-user configuration folder (connection settings, audit key)."""
    root = env("PRACTICEBOARD_HOME")
    path = (
        Path(root) / "config" if root else Path(platformdirs.user_config_dir(APP, appauthor=False))
    )
    path.mkdir(parents=True, exist_ok=True)
    return path
