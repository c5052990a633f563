"""Backups: SQLite's online backup API (never a file copy of an open database),
``pg_dump -Fc`` for PostgreSQL. Each backup is checked after it is written."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.engine import make_url

from practiceboard.core.paths import data_dir
from practiceboard.domain.errors import PracticeBoardError


class BackupError(PracticeBoardError):
    pass


def file_trouble(path: Path | str, exc: OSError, *, nothing_changed: bool = True) -> str:
    """The sentence for a file operation the system refused. On Windows a file another
    program holds open cannot be deleted, renamed or overwritten (WinError 32): most
    often PracticeBoard itself, open on this PC or, for a file on a shared folder,
    on another one."""
    tail = " Nothing was changed." if nothing_changed else ""
    if isinstance(exc, PermissionError) or getattr(exc, "winerror", None) in (5, 32, 33):
        return (
            f"{path} is in use by another program or this account may not change it. Close "
            f"PracticeBoard wherever it has this file open (on this PC or another), then try "
            f"again.{tail}"
        )
    if isinstance(exc, FileNotFoundError):
        return f"{path} is not there (was it moved or deleted?).{tail}"
    return f"{path} could not be used: {exc.strerror or exc}.{tail}"


def backup_folder() -> Path:
    folder = data_dir() / "backups"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def backup_database(db, label: str = "manual", folder: Path | None = None) -> Path:
    try:
        return _backup(db, label, folder)
    except OSError as exc:  # the folder cannot be written, the disk is full, a file is held
        raise BackupError(
            "The backup could not be written: " + file_trouble(exc.filename or folder or "", exc)
        ) from exc


def _backup(db, label: str, folder: Path | None) -> Path:
    folder = folder or backup_folder()
    folder.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S-%f")
    if db.is_sqlite:
        target = folder / f"practiceboard-{stamp}-{label}.db"
        _sqlite_backup(make_url(db.url).database, target)
        return target
    target = folder / f"practiceboard-{stamp}-{label}.dump"
    _pg_dump(db.url, target)
    return target


def _sqlite_backup(source: str, target: Path) -> None:
    src = sqlite3.connect(source)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
        ok = dst.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        dst.close()
        src.close()
    if ok != "ok":
        target.unlink(missing_ok=True)
        raise BackupError(f"The backup failed its integrity check ({ok}); nothing was kept.")


def _pg_dump(url: str, target: Path) -> None:
    exe = shutil.which("pg_dump")
    if exe is None:
        raise BackupError("pg_dump is not installed on this PC, so the backup cannot be made.")
    u = make_url(url)
    env_url = u.set(drivername="postgresql").render_as_string(hide_password=False)
    result = subprocess.run(  # noqa: S603 - fixed executable, URL passed as one argument
        [exe, "-Fc", "-f", str(target), "--dbname", env_url],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0 or not target.exists() or target.stat().st_size == 0:
        raise BackupError(f"pg_dump failed: {result.stderr.strip()[:300]}")
    listing = subprocess.run(  # noqa: S603
        [shutil.which("pg_restore") or "pg_restore", "--list", str(target)],
        capture_output=True,
        text=True,
        check=False,
    )
    if listing.returncode != 0:
        raise BackupError("The backup file could not be read back; it was not kept.")


def restore_sqlite(backup: Path, target_url: str) -> None:
    """Restore a SQLite backup into the database at target_url (online backup API)."""
    _sqlite_backup(str(backup), Path(make_url(target_url).database))
