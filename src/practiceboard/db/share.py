"""Is a SQLite file on a network share, and is another PC using it?

SQLite's own documentation: WAL does not work over a network file system, and file
locking over a network (Windows shares included) is unreliable. A practice that puts
its SQLite file on a shared folder for several PCs risks a corrupted database. So:

- on a share, the file keeps the rollback journal (never WAL);
- each PC that opens it notes its name and the time beside it (``<file>.pcs``), and
  when another PC has opened it recently, the app and the CLI say so plainly and
  point to the PostgreSQL set-up.

How a share is recognised depends on the platform; ``network_kind`` takes the
platform and its look-ups as parameters, so tests ask for Windows, macOS or Linux
on any machine.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path, PureWindowsPath

NETWORK_FS = {"nfs", "nfs4", "cifs", "smbfs", "smb3", "sshfs", "fuse.sshfs", "9p", "afs",
              "webdav", "afpfs"}  # fmt: skip
DRIVE_REMOTE = 4  # GetDriveTypeW: a network drive
RECENT = timedelta(minutes=15)  # another PC seen this recently is "using it now"
SEVERAL_PCS = (
    "This database file is on a shared folder, and {others} opened it in the last "
    "{minutes} minutes. SQLite is not safe for several PCs at once over a network: "
    "changes can be lost or the file damaged. Set up the PostgreSQL server for several "
    "PCs (README, “Several PCs: PostgreSQL”), or keep the file on one PC."
)


def on_network_share(path: Path, platform: str = sys.platform) -> bool:
    """True when ``path``'s folder is on a network file system."""
    return network_kind(str(path), platform) is not None


def network_kind(
    path: str,
    platform: str,
    *,
    drive_type: Callable[[str], int] | None = None,
    mounts: Callable[[], str] | None = None,
) -> str | None:
    """What kind of network storage holds ``path`` ("unc", "remote drive", or a file
    system type such as "cifs"), or None for a local disk."""
    if platform == "win32":
        win = PureWindowsPath(path)
        if win.drive.startswith(("\\\\", "//")):
            return "unc"  # \\server\share\…
        if not win.drive:
            return None
        kind = (drive_type or _drive_type)(win.drive + "\\")
        return "remote drive" if kind == DRIVE_REMOTE else None  # a mapped letter: Z:
    table = (mounts or (_mac_mounts if platform == "darwin" else _proc_mounts))()
    return _fs_of(path, table, platform)


def _fs_of(path: str, table: str, platform: str) -> str | None:
    best, fstype = "", ""
    for line in table.splitlines():
        if platform == "darwin":  # "//user@server/share on /Volumes/share (smbfs, nodev)"
            m = re.match(r".+? on (.+) \(([^,)]+)", line)
            point, kind = (m.group(1), m.group(2)) if m else ("", "")
        else:  # /proc/mounts: "server:/export /mnt/x nfs4 rw 0 0"
            parts = line.split()
            point, kind = (parts[1], parts[2]) if len(parts) >= 3 else ("", "")
        inside = path == point or path.startswith(point.rstrip("/") + "/")
        if point and inside and len(point) > len(best):
            best, fstype = point, kind
    return fstype if fstype in NETWORK_FS else None


def _drive_type(root: str) -> int:
    import ctypes

    return ctypes.windll.kernel32.GetDriveTypeW(root)  # type: ignore[attr-defined]


def _proc_mounts() -> str:
    try:
        return Path("/proc/mounts").read_text()
    except OSError:
        return ""


def _mac_mounts() -> str:
    try:
        return subprocess.run(["/sbin/mount"], capture_output=True, text=True,  # noqa: S603
                              errors="replace", check=False, timeout=5).stdout  # fmt: skip
    except (OSError, subprocess.TimeoutExpired):
        return ""


# ---------------------------------------------------------------- who else uses it


def note_this_pc(db_file: Path, pc: str, at: datetime | None = None) -> list[str]:
    """Record that ``pc`` opened the shared file now; return the other PCs that opened it
    within RECENT (newest first). Best effort: an unreadable note counts as none."""
    at = at or datetime.now(UTC)
    note = db_file.with_name(db_file.name + ".pcs")
    try:
        seen = {k: datetime.fromisoformat(v) for k, v in json.loads(note.read_text()).items()}
    except (OSError, ValueError, AttributeError, TypeError):
        seen = {}
    others = sorted((when, name) for name, when in seen.items()
                    if name != pc and at - when <= RECENT)  # fmt: skip
    seen[pc] = at
    fresh = {k: v.isoformat() for k, v in seen.items() if at - v <= timedelta(days=30)}
    try:
        tmp = note.with_name(note.name + f".{os.getpid()}")
        tmp.write_text(json.dumps(fresh))
        tmp.replace(note)
    except OSError:
        pass  # a read-only share still opens; the warning is advisory
    return [name for _when, name in reversed(others)]


def several_pcs_warning(db_file: Path, pc: str, platform: str = sys.platform) -> str | None:
    """The sentence to show when this file is on a share and another PC uses it, else None."""
    if not on_network_share(db_file, platform):
        return None
    others = note_this_pc(db_file, pc)
    if not others:
        return None
    names = ", ".join(others[:3]) + (" and others" if len(others) > 3 else "")
    return SEVERAL_PCS.format(others=names, minutes=int(RECENT.total_seconds() // 60))
