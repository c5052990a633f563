"""Starting at sign-in, on each platform's own terms, tested on Linux with a fake folder
and a fake registry."""

from __future__ import annotations

import pytest

from practiceboard.core import autostart

APP = ["C:\\Program Files\\PracticeBoard\\PracticeBoard.exe"]


def test_linux_writes_and_removes_an_xdg_autostart_entry(tmp_path):
    assert not autostart.is_enabled("linux", config_home=tmp_path)
    autostart.set_enabled(True, "linux", command=["/opt/pb/PracticeBoard"], config_home=tmp_path)
    entry = tmp_path / "autostart" / "practiceboard.desktop"
    text = entry.read_text()
    assert "Exec=/opt/pb/PracticeBoard\n" in text and "Type=Application" in text
    assert autostart.is_enabled("linux", config_home=tmp_path)
    autostart.set_enabled(False, "linux", config_home=tmp_path)
    assert not entry.exists() and not autostart.is_enabled("linux", config_home=tmp_path)
    autostart.set_enabled(False, "linux", config_home=tmp_path)  # twice is harmless


def test_linux_quotes_a_path_with_spaces(tmp_path):
    autostart.set_enabled(True, "linux", command=["/opt/my apps/pb", "-m", "practiceboard"],
                          config_home=tmp_path)  # fmt: skip
    assert (
        "Exec='/opt/my apps/pb' -m practiceboard\n"
        in (tmp_path / "autostart" / "practiceboard.desktop").read_text()
    )


def test_windows_uses_the_run_key_with_a_quoted_command():
    registry: dict[str, str] = {}
    autostart.set_enabled(True, "win32", command=APP, registry=registry)
    assert registry == {"PracticeBoard": '"C:\\Program Files\\PracticeBoard\\PracticeBoard.exe"'}
    assert autostart.is_enabled("win32", registry=registry)
    autostart.set_enabled(False, "win32", registry=registry)
    assert registry == {} and not autostart.is_enabled("win32", registry=registry)
    autostart.set_enabled(False, "win32", registry=registry)


def test_other_platforms_are_not_offered():
    assert autostart.supported("linux") and autostart.supported("win32")
    assert not autostart.supported("darwin")
    assert not autostart.is_enabled("darwin")
    with pytest.raises(OSError, match="Windows and Linux"):
        autostart.set_enabled(True, "darwin", command=APP)


def test_the_launch_command_is_this_installation():
    assert autostart.launch_command(frozen=True)[1:] == []
    assert autostart.launch_command(frozen=False)[1:] == ["-m", "practiceboard"]
