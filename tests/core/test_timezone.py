"""core.timezone: the PC's zone on each platform, asked for by name on any machine."""

from __future__ import annotations

import tzlocal

from practiceboard.core import timezone


def _files_say(monkeypatch, etc_timezone: str = "", link: str = "") -> None:
    def read_or_fail(value: str):
        def read() -> str:
            if not value:
                raise OSError("no such file")
            return value

        return read

    monkeypatch.setattr(timezone, "from_etc_timezone", read_or_fail(etc_timezone))
    monkeypatch.setattr(timezone, "from_localtime_link", read_or_fail(link))


def test_windows_reads_the_zone_through_tzlocal(monkeypatch):
    monkeypatch.setattr(tzlocal, "get_localzone_name", lambda: "America/Chicago")
    _files_say(monkeypatch, etc_timezone="Europe/Paris")  # not consulted on Windows
    assert timezone.zone_name("win32") == "America/Chicago"


def test_windows_falls_back_to_utc_only_when_tzlocal_cannot_tell(monkeypatch):
    def broken() -> str:
        raise LookupError("unknown Windows zone")

    monkeypatch.setattr(tzlocal, "get_localzone_name", broken)
    assert timezone.zone_name("win32") == "UTC"


def test_tz_wins_on_every_platform(monkeypatch):
    monkeypatch.setattr(tzlocal, "get_localzone_name", lambda: "America/Chicago")
    _files_say(monkeypatch, etc_timezone="Europe/Paris")
    assert timezone.zone_name("win32", ":Asia/Tokyo") == "Asia/Tokyo"
    assert timezone.zone_name("linux", "Asia/Tokyo") == "Asia/Tokyo"


def test_linux_reads_the_system_files_first(monkeypatch):
    monkeypatch.setattr(tzlocal, "get_localzone_name", lambda: "America/Chicago")
    _files_say(monkeypatch, etc_timezone="Europe/Paris")
    assert timezone.zone_name("linux") == "Europe/Paris"
    _files_say(monkeypatch, link="Europe/Berlin")
    assert timezone.zone_name("linux", "Not/AZone") == "Europe/Berlin"
    _files_say(monkeypatch)
    assert timezone.zone_name("linux") == "America/Chicago"  # tzlocal as the last resort


def test_sources_by_platform():
    assert timezone.from_tzlocal in timezone.zone_sources("win32")
    assert timezone.from_etc_timezone not in timezone.zone_sources("win32")
    assert timezone.from_etc_timezone in timezone.zone_sources("linux")
