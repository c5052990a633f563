"""Start PracticeBoard when the person signs in to the PC, so alerts keep coming.

- Linux: an XDG autostart entry, ``~/.config/autostart/practiceboard.desktop``
  (``$XDG_CONFIG_HOME`` respected).
- Windows: a value under ``HKEY_CURRENT_USER\\...\\CurrentVersion\\Run``. Windows
  reads that key at sign-in exactly as it reads the Startup folder, and writing it
  needs only the standard library (a Startup-folder ``.lnk`` needs COM).
- macOS is not a clinic platform we ship; there the option is not offered.

Each platform's choice sits in a small function that takes the platform name, so
the tests run every branch on Linux with a fake folder or a fake registry.
"""

from __future__ import annotations

import os
import shlex
import sys
from collections.abc import MutableMapping
from pathlib import Path

APP_ID = "practiceboard"
RUN_KEY = r"Software\Microsoft\Windows\CurrentVersion\Run"
RUN_VALUE = "PracticeBoard"


def supported(platform: str = sys.platform) -> bool:
    return platform.startswith("linux") or platform == "win32"


def launch_command(frozen: bool = getattr(sys, "frozen", False)) -> list[str]:
    """How to start this very installation: the frozen executable, or this Python
    running the package."""
    if frozen:
        return [sys.executable]
    return [sys.executable, "-m", "practiceboard"]


def desktop_entry_path(config_home: Path | None = None) -> Path:
    base = config_home or Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
    return base / "autostart" / f"{APP_ID}.desktop"


def desktop_entry(command: list[str]) -> str:
    return (
        "[Desktop Entry]\n"
        "Type=Application\n"
        "Name=PracticeBoard\n"
        "Comment=Your practice's task board, approvals and care plans\n"
        f"Exec={shlex.join(command)}\n"
        "Terminal=false\n"
        "X-GNOME-Autostart-enabled=true\n"
    )


def windows_run_line(command: list[str]) -> str:
    """The Run value: each part quoted, as Windows parses a command line."""
    return " ".join(f'"{part}"' for part in command)


class _WindowsRun:
    """The Run key as a mapping (only imported where winreg exists)."""

    def __init__(self) -> None:
        import winreg  # type: ignore[import-not-found]

        self._winreg = winreg

    def __contains__(self, name: object) -> bool:
        try:
            self[name]  # type: ignore[index]
            return True
        except KeyError:
            return False

    def __getitem__(self, name: str) -> str:
        w = self._winreg
        try:
            with w.OpenKey(w.HKEY_CURRENT_USER, RUN_KEY) as key:
                return w.QueryValueEx(key, name)[0]
        except FileNotFoundError:
            raise KeyError(name) from None

    def __setitem__(self, name: str, value: str) -> None:
        w = self._winreg
        with w.CreateKey(w.HKEY_CURRENT_USER, RUN_KEY) as key:
            w.SetValueEx(key, name, 0, w.REG_SZ, value)

    def __delitem__(self, name: str) -> None:
        w = self._winreg
        try:
            with w.OpenKey(w.HKEY_CURRENT_USER, RUN_KEY, 0, w.KEY_SET_VALUE) as key:
                w.DeleteValue(key, name)
        except FileNotFoundError:
            raise KeyError(name) from None


def is_enabled(
    platform: str = sys.platform,
    *,
    config_home: Path | None = None,
    registry: MutableMapping[str, str] | None = None,
) -> bool:
    if platform == "win32":
        return RUN_VALUE in (registry if registry is not None else _WindowsRun())
    if platform.startswith("linux"):
        return desktop_entry_path(config_home).exists()
    return False


def set_enabled(
    enabled: bool,
    platform: str = sys.platform,
    *,
    command: list[str] | None = None,
    config_home: Path | None = None,
    registry: MutableMapping[str, str] | None = None,
) -> None:
    """Turn starting at sign-in on or off for this person on this PC."""
    command = command or launch_command()
    if platform == "win32":
        run = registry if registry is not None else _WindowsRun()
        if enabled:
            run[RUN_VALUE] = windows_run_line(command)
        elif RUN_VALUE in run:
            del run[RUN_VALUE]
        return
    if not platform.startswith("linux"):
        raise OSError("Starting at sign-in is offered on Windows and Linux only.")
    path = desktop_entry_path(config_home)
    if enabled:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(desktop_entry(command), encoding="utf-8")
    else:
        path.unlink(missing_ok=True)
