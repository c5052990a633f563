"""Backups: SQLite's online backup API (never a file copy of an open database),
``pg_dump -Fc`` for PostgreSQL. Each backup is checked after it is written.

pg_dump is looked for where it is: the ``PRACTICEBOARD_PG_DUMP`` setting, the PATH,
then PostgreSQL's standard install folders for the platform (on Windows the installer
puts it under ``Program Files/PostgreSQL/<version>/bin``, not on the PATH), newest
first; one older than the server is passed over, as pg_dump refuses a newer server.
A front-desk PC usually has none: PostgreSQL practices back up on the server PC
(``practiceboard backup`` there, on a schedule), and every verified backup is
recorded in the database so such a PC can still upgrade after a recent one.
"""

from __future__ import annotations

import glob
import os
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path, PureWindowsPath

from sqlalchemy.engine import make_url

from practiceboard.core.paths import data_dir, private_dir, private_file, shared_place
from practiceboard.core.settings import env
from practiceboard.domain.errors import PracticeBoardError


class BackupError(PracticeBoardError):
    pass


class NoPgDump(BackupError):
    """No pg_dump on this PC that can back up this server (absent, or too old)."""


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
    return private_dir(shared_place("backups", data_dir() / "backups"))


def backup_database(db, label: str = "manual", folder: Path | None = None) -> Path:
    try:
        return _backup(db, label, folder)
    except OSError as exc:  # the folder cannot be written, the disk is full, a file is held
        raise BackupError(
            "The backup could not be written: " + file_trouble(exc.filename or folder or "", exc)
        ) from exc


def verified_backup(db, label: str = "manual", folder: Path | None = None) -> Path:
    """A backup, checked after writing, and recorded as the practice's last verified backup
    (on both engines; ``backup_database`` alone records PostgreSQL's only)."""
    target = backup_database(db, label=label, folder=folder)
    if db.is_sqlite:
        record_backup(db, target)
    return target


def _backup(db, label: str, folder: Path | None) -> Path:
    folder = private_dir(folder or backup_folder())
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S-%f")
    if db.is_sqlite:
        target = folder / f"practiceboard-{stamp}-{label}.db"
        _sqlite_backup(make_url(db.url).database, target)
        return target
    target = folder / f"practiceboard-{stamp}-{label}.dump"
    _pg_dump(db.url, target)
    record_backup(db, target)  # other PCs of the practice may upgrade after it
    return target


def _sqlite_backup(source: str, target: Path) -> None:
    private_file(target)  # for this user only, before a byte of the practice is in it
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


def pg_dump_call(url: str, exe: Path, target: Path) -> tuple[list[str], dict[str, str]]:
    """(arguments, environment) for pg_dump: the password goes to the child process in
    PGPASSWORD, never on its command line, where any user of the PC could read it
    (``ps``, Task Manager)."""
    u = make_url(url)
    dbname = u.set(drivername="postgresql")._replace(password=None)
    dbname = dbname.render_as_string(hide_password=False)
    child = {k: v for k, v in os.environ.items() if k != "PGPASSWORD"}
    if u.password:
        child["PGPASSWORD"] = str(u.password)
    return [str(exe), "-Fc", "-f", str(target), "--dbname", dbname], child


def _pg_dump(url: str, target: Path) -> None:
    exe = choose_pg_dump(server_major(url), pg_dump_candidates(sys.platform))
    private_file(target)  # for this user only, before a byte of the practice is in it
    args, child = pg_dump_call(url, exe, target)
    result = _run(args, child)
    if result.returncode != 0 or not target.exists() or target.stat().st_size == 0:
        target.unlink(missing_ok=True)
        raise BackupError(f"pg_dump failed: {_without(result.stderr.strip()[:300], url)}")
    restore = exe.with_name(exe.name.replace("pg_dump", "pg_restore"))
    listing = _run([str(restore) if restore.exists() else "pg_restore", "--list", str(target)])
    if listing.returncode != 0:
        target.unlink(missing_ok=True)
        raise BackupError("The backup file could not be read back; it was not kept.")


def _without(message: str, url: str) -> str:
    """A tool's message with the password taken out, should it ever repeat it."""
    password = make_url(url).password
    return message.replace(str(password), "…") if password else message


def _run(args: list[str], env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """A PostgreSQL tool's run; its output decoded with errors replaced (on Windows it
    speaks the console's code page, not UTF-8)."""
    return subprocess.run(  # noqa: S603 - a located PostgreSQL tool, arguments as a list
        args, capture_output=True, text=True, errors="replace", check=False, env=env
    )


# ---------------------------------------------------------------- finding pg_dump


def pg_dump_candidates(
    platform: str,
    *,
    setting: str | None = None,
    which: Callable[[str], str | None] = shutil.which,
    environ: dict[str, str] | None = None,
    expand: Callable[[str], Iterable[str]] = glob.glob,
) -> list[Path]:
    """Every pg_dump worth trying on ``platform`` ("win32", "linux", "darwin"), in order:
    the PATH, then the standard install folders, newest version first — or, when the
    PRACTICEBOARD_PG_DUMP setting names one (the program or its folder), that one only.
    Tests pass the platform and the look-ups."""
    environ = os.environ if environ is None else environ
    setting = setting if setting is not None else env("PRACTICEBOARD_PG_DUMP")
    name = "pg_dump.exe" if platform == "win32" else "pg_dump"
    if setting:  # the admin's explicit choice: that one only
        path = Path(setting)
        return [path if path.name in ("pg_dump", "pg_dump.exe") else path / name]
    found: list[Path] = []
    on_path = which("pg_dump")
    if on_path:
        found.append(Path(on_path))
    if platform == "win32":
        roots = {environ.get(k) for k in ("ProgramFiles", "ProgramW6432", "ProgramFiles(x86)")}
        patterns = [str(PureWindowsPath(root, "PostgreSQL", "*", "bin", name))
                    for root in sorted(roots - {None})]  # fmt: skip
    elif platform == "darwin":
        patterns = ["/Applications/Postgres.app/Contents/Versions/*/bin/pg_dump",
                    "/opt/homebrew/opt/postgresql@*/bin/pg_dump",
                    "/usr/local/opt/postgresql@*/bin/pg_dump"]  # fmt: skip
    else:
        patterns = ["/usr/lib/postgresql/*/bin/pg_dump", "/usr/pgsql-*/bin/pg_dump"]
    standard = [Path(p) for pattern in patterns for p in expand(pattern)]
    found += sorted(standard, key=_folder_version, reverse=True)
    unique: list[Path] = []
    for path in found:
        if path not in unique:
            unique.append(path)
    return unique


def _folder_version(path: Path) -> tuple[int, ...]:
    """The version a folder path names (…/PostgreSQL/16/bin, postgresql@15), for sorting."""
    numbers = re.findall(r"(?:PostgreSQL|postgresql|Versions|pgsql)[@/\\-]?(\d+(?:\.\d+)?)",
                         str(path))  # fmt: skip
    if not numbers:
        return (0,)
    return tuple(int(n) for n in numbers[-1].split("."))


def tool_major(exe: Path) -> int | None:
    """The major version a pg_dump reports ("pg_dump (PostgreSQL) 16.4" -> 16), or None
    when it cannot be run."""
    try:
        out = _run([str(exe), "--version"]).stdout
    except OSError:
        return None
    match = re.search(r"(\d+)(?:\.\d+)?", out or "")
    return int(match.group(1)) if match else None


def server_major(url: str) -> int:
    """The server's major version (160004 -> 16)."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return int(conn.execute(text("SHOW server_version_num")).scalar()) // 10000
    finally:
        engine.dispose()


def choose_pg_dump(
    server: int, candidates: list[Path], major: Callable[[Path], int | None] = tool_major
) -> Path:
    """The first candidate that runs and is at least the server's version."""
    seen: list[str] = []
    for exe in candidates:
        if not exe.exists():
            continue
        version = major(exe)
        if version is None:
            continue
        if version >= server:
            return exe
        seen.append(f"{exe} is version {version}")
    if seen:
        raise NoPgDump(
            f"The database server runs PostgreSQL {server}, and pg_dump refuses a server newer "
            f"than itself: {'; '.join(seen)}. Install PostgreSQL {server}'s client tools, or "
            "back up on the server PC with “practiceboard backup”."
        )
    if env("PRACTICEBOARD_PG_DUMP"):
        raise NoPgDump(
            f"PRACTICEBOARD_PG_DUMP names {env('PRACTICEBOARD_PG_DUMP')}, where there is no "
            "pg_dump that runs. Correct it, or back up on the server PC with “practiceboard "
            "backup”."
        )
    raise NoPgDump(
        "pg_dump is not installed on this PC, so it cannot back up the database server. "
        "Back up on the server PC with “practiceboard backup”, or set PRACTICEBOARD_PG_DUMP "
        "to where pg_dump is."
    )


# ---------------------------------------------------------------- the record


def record_backup(db, target: Path, at: datetime | None = None) -> None:
    """Note a verified backup in the database (setting ``last_verified_backup``) and in
    the audit log: other PCs learn from it that the practice is backed up."""
    from practiceboard.db import audit
    from practiceboard.db.models import Setting

    at = at or datetime.now(UTC)
    value = {"at": at.isoformat(), "file": str(target), "pc": socket.gethostname()}
    with db.write() as session:
        row = session.get(Setting, "last_verified_backup")
        if row is None:
            session.add(Setting(key="last_verified_backup", value=value, updated_at=at))
        else:
            row.value, row.updated_at = value, at
        session.flush()
        audit.write(session, audit.Who(None, "backup", db.workstation), "backup.verified",
                    "database", None, category="system", at=at, new=value)  # fmt: skip


def last_verified_backup(db) -> tuple[datetime, str, str] | None:
    """(when, file, PC) of the last recorded verified backup, or None."""
    from practiceboard.core.settings import read
    from practiceboard.db.models import Setting

    with db.read() as session:
        row = session.get(Setting, "last_verified_backup")
        value = read("last_verified_backup", None if row is None else row.value)
    try:
        return datetime.fromisoformat(value["at"]), str(value["file"]), str(value["pc"])
    except (TypeError, KeyError, ValueError):
        return None


def restore_sqlite(backup: Path, target_url: str) -> None:
    """Restore a SQLite backup into the database at target_url (online backup API)."""
    _sqlite_backup(str(backup), Path(make_url(target_url).database))
