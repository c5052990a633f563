"""The private folder documents are opened from.

Opening an attached document writes it to a file the system's viewer can read: into
a folder of this user's own (0700 on Linux and macOS; on Windows the per-user
temporary folder, which other accounts cannot read), each file 0600. The app empties
the folder when it exits and again when it starts (after a crash or a power cut), so
copies of patients' documents do not pile up on the PC. "Save a copy" is the way to
keep one.
"""

from __future__ import annotations

import getpass
import os
import re
import shutil
import stat
import tempfile
from pathlib import Path

_UNSAFE = re.compile(r"[^A-Za-z0-9._ -]+")


def folder() -> Path:
    """This user's folder for opened documents, made private; refused (OSError) when
    something else already sits there that this user does not own alone."""
    try:
        user = getpass.getuser()
    except (OSError, KeyError):
        user = "user"
    path = Path(tempfile.gettempdir()) / f"PracticeBoard-{_UNSAFE.sub('_', user)}-open"
    path.mkdir(mode=0o700, exist_ok=True)
    info = path.lstat()
    if stat.S_ISLNK(info.st_mode) or not stat.S_ISDIR(info.st_mode):
        raise OSError(f"{path} is not a folder of this user's own")
    if hasattr(os, "getuid"):
        if info.st_uid != os.getuid():
            raise OSError(f"{path} belongs to another account")
        if stat.S_IMODE(info.st_mode) != 0o700:
            path.chmod(0o700)
    return path


def new_file(document_id: int, filename: str) -> Path:
    """An empty 0600 file, named after the document, ready to be written: each open
    gets a subfolder of its own, so two opens of one name never collide."""
    base = folder()
    name = filename.replace("\\", "/").rsplit("/", 1)[-1]
    name = _UNSAFE.sub("_", name).strip(" .") or "document"
    sub = Path(tempfile.mkdtemp(prefix=f"{document_id}-", dir=base))  # 0700
    target = sub / name[-120:]
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    os.close(fd)
    return target


def clear() -> int:
    """Remove everything opened before; returns how many files went. A file a viewer
    still holds open (Windows) stays until the next clear."""
    try:
        base = folder()
    except OSError:
        return 0
    removed = 0
    for entry in base.iterdir():
        files = sum(1 for p in entry.rglob("*") if p.is_file()) if entry.is_dir() else 1
        try:
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry)
            else:
                entry.unlink()
            removed += files
        except OSError:
            continue
    return removed
