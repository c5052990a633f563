"""The PC's own IANA time zone name (the default practice time zone)."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo, available_timezones


@lru_cache(maxsize=1)
def local_timezone_name() -> str:
    candidates = [os.environ.get("TZ", "").lstrip(":")]
    try:
        candidates.append(Path("/etc/timezone").read_text().strip())
    except OSError:
        pass
    try:
        link = os.readlink("/etc/localtime")
        candidates.append(link.split("zoneinfo/", 1)[-1])
    except OSError:
        pass
    if os.name == "nt":
        candidates.append(_windows_zone())
    for name in candidates:
        if name and name in available_timezones():
            ZoneInfo(name)
            return name
    return "UTC"


def _windows_zone() -> str:
    try:
        import tzlocal  # type: ignore[import-not-found]

        return str(tzlocal.get_localzone_name())
    except Exception:
        return ""
