"""The PC's own IANA time zone name (the default practice time zone).

Where the name comes from depends on the platform: Windows keeps its zone in
the registry under Windows names ("Central Standard Time"), which ``tzlocal``
maps to IANA ones; Linux and macOS name it in ``TZ``, ``/etc/timezone`` or the
``/etc/localtime`` link. ``zone_sources`` makes that choice, so a test can ask
for either platform on any machine.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo, available_timezones

import tzlocal

from practiceboard.core.settings import env

log = logging.getLogger(__name__)


@lru_cache(maxsize=1)
def local_timezone_name() -> str:
    """This PC's zone, e.g. "America/Chicago"; "UTC", with a warning in the log, when it
    cannot be told. A practice's business hours follow the zone stored in its database
    at set-up (``practiceboard init``), not this: this is only the default offered."""
    name = detected_zone_name(sys.platform, env("TZ"))
    if name is None:
        log.warning("this PC's time zone could not be told; UTC is assumed")
        return "UTC"
    return name


def zone_name(platform: str, tz: str | None = None) -> str:
    """The first zone name a source for ``platform`` gives that zoneinfo knows, else UTC."""
    return detected_zone_name(platform, tz) or "UTC"


def detected_zone_name(platform: str, tz: str | None = None) -> str | None:
    """The first zone name a source for ``platform`` gives that zoneinfo knows, or None
    when none answers (then nobody should silently assume UTC)."""
    known = available_timezones()
    for source in zone_sources(platform, tz):
        try:
            name = source()
        except Exception:  # an unreadable source is skipped; the next one may answer
            continue
        if name and name in known:
            ZoneInfo(name)
            return name
    return None


def valid_zone(name: str) -> str | None:
    """``name`` when it is an IANA time zone this PC knows, else None."""
    name = (name or "").strip()
    return name if name in available_timezones() else None


def zone_sources(platform: str, tz: str | None = None) -> tuple[Callable[[], str], ...]:
    """Where to read the zone name on ``platform`` ("win32", "linux", "darwin"), in order.
    ``tz`` is the TZ environment variable, which wins wherever it is set."""

    def from_env() -> str:
        return (tz or "").lstrip(":")

    if platform == "win32":
        return (from_env, from_tzlocal)
    return (from_env, from_etc_timezone, from_localtime_link, from_tzlocal)


def from_tzlocal() -> str:
    return str(tzlocal.get_localzone_name() or "")


def from_etc_timezone() -> str:
    return Path("/etc/timezone").read_text().strip()


def from_localtime_link() -> str:
    return os.readlink("/etc/localtime").split("zoneinfo/", 1)[-1]
