"""Restore: what a backup holds, and putting it back in place of the current database.

A restore is never a blind file copy:

1. the backup is read first (``inspect``): when it was taken, how many tasks and patients
   it holds, its last audit row — so the person restoring sees what they will get;
   a backup of the other engine, a damaged file or one written by a newer PracticeBoard
   is refused with a sentence, and nothing is changed;
2. the current database is backed up first (label ``before-restore``);
3. then replaced: SQLite through the online backup API (checked with integrity_check),
   PostgreSQL by emptying its schema and ``pg_restore`` in one transaction;
4. the restored database is brought up to this version's schema, the restore is written
   to its audit log, and the audit chain is verified.
"""

from __future__ import annotations

import re
import shutil
import sqlite3
import subprocess
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from practiceboard.db.backup import (
    BackupError,
    _run,
    _sqlite_backup,
    backup_database,
    pg_dump_candidates,
)
from practiceboard.domain.errors import PracticeBoardError

SQLITE_HEADER = b"SQLite format 3\x00"
_STAMP = re.compile(r"practiceboard-(\d{8}-\d{6})-\d+-")


class RestoreError(PracticeBoardError):
    pass


@dataclass(frozen=True)
class LastAudit:
    id: int
    at: datetime | None
    username: str
    action: str


@dataclass(frozen=True)
class BackupSummary:
    path: Path
    engine: str  # sqlite | postgresql
    taken_at: datetime | None  # UTC
    revision: str | None  # the schema it was written with
    tasks: int
    patients: int
    last_audit: LastAudit | None

    def lines(self, when=None) -> list[str]:
        """What the backup holds, in words; ``when`` writes a moment (default: UTC)."""
        when = when or (lambda moment: f"{moment:%Y-%m-%d %H:%M} UTC")
        taken = when(self.taken_at) if self.taken_at else "unknown"
        last = "none"
        if self.last_audit is not None:
            a = self.last_audit
            last = f"#{a.id}, {a.action} by {a.username}" + (f", {when(a.at)}" if a.at else "")
        return [
            f"Backup taken: {taken}",
            f"Tasks: {self.tasks:,}",
            f"Patients: {self.patients:,}",
            f"Last audit entry: {last}",
        ]


@dataclass(frozen=True)
class Restored:
    summary: BackupSummary
    safety_backup: Path  # the database as it was just before
    audit_ok: bool
    audit_text: str  # "Audit log intact: N rows verified." or what is wrong


# ---------------------------------------------------------------- reading a backup


def kind_of(path: Path) -> str:
    """sqlite or postgresql, by the file's first bytes (not its name)."""
    try:
        with open(path, "rb") as f:
            head = f.read(16)
    except FileNotFoundError:
        raise RestoreError(f"{path} is not there (was it moved or deleted?).") from None
    except OSError as exc:
        raise RestoreError(f"{path} could not be read: {exc.strerror or exc}.") from None
    if head == SQLITE_HEADER:
        return "sqlite"
    if head.startswith(b"PGDMP"):
        return "postgresql"
    raise RestoreError(f"{path.name} is not a PracticeBoard backup (neither kind of backup file).")


def inspect(path: Path) -> BackupSummary:
    path = Path(path)
    if kind_of(path) == "sqlite":
        return _inspect_sqlite(path)
    return _inspect_dump(path)


def _taken_from_name(path: Path) -> datetime | None:
    m = _STAMP.search(path.name)
    if m is None:
        return None
    return datetime.strptime(m.group(1), "%Y%m%d-%H%M%S").replace(tzinfo=UTC)


def _aware(text_value: str | None) -> datetime | None:
    if not text_value:
        return None
    value = text_value.strip().replace("T", " ")
    value = re.sub(r"([+-]\d\d)$", r"\1:00", value)  # PostgreSQL's "+00"
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _inspect_sqlite(path: Path) -> BackupSummary:
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise RestoreError(f"{path.name} could not be opened: {exc}.") from None
    try:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if not {"alembic_version", "tasks", "patients", "audit_log"} <= tables:
            raise RestoreError(f"{path.name} is a SQLite file but not a PracticeBoard database.")
        ok = conn.execute("PRAGMA quick_check").fetchone()[0]
        if ok != "ok":
            raise RestoreError(f"{path.name} is damaged ({ok}); it cannot be restored.")
        revision = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        tasks = conn.execute("SELECT count(*) FROM tasks").fetchone()[0]
        patients = conn.execute("SELECT count(*) FROM patients").fetchone()[0]
        row = conn.execute(
            "SELECT id, at, username, action FROM audit_log ORDER BY id DESC LIMIT 1"
        ).fetchone()
    except sqlite3.DatabaseError as exc:
        raise RestoreError(f"{path.name} could not be read as a database: {exc}.") from None
    finally:
        conn.close()
    last = LastAudit(row[0], _aware(row[1]), row[2], row[3]) if row else None
    taken = _taken_from_name(path) or datetime.fromtimestamp(path.stat().st_mtime, UTC)
    return BackupSummary(path, "sqlite", taken, revision[0] if revision else None, tasks,
                         patients, last)  # fmt: skip


def pg_restore_tool() -> Path:
    """A pg_restore on this PC: next to a pg_dump found as backups find it, or on the PATH."""
    for dump in pg_dump_candidates(sys.platform):
        tool = dump.with_name(dump.name.replace("pg_dump", "pg_restore"))
        if tool.exists():
            return tool
    found = shutil.which("pg_restore")
    if found:
        return Path(found)
    raise RestoreError(
        "pg_restore is not installed on this PC, so a PostgreSQL backup cannot be read here. "
        "Restore on the server PC with “practiceboard restore”."
    )


def _inspect_dump(path: Path) -> BackupSummary:
    tool = pg_restore_tool()
    listing = _run([str(tool), "--list", str(path)])
    if listing.returncode != 0:
        raise RestoreError(
            f"{path.name} could not be read by pg_restore: {listing.stderr.strip()[:200]}"
        )
    taken = None
    m = re.search(r"Archive created at (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)", listing.stdout)
    if m:
        taken = datetime.strptime(m.group(1), "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)
    wanted = ("alembic_version", "tasks", "patients", "audit_log")
    args = [str(tool), "--data-only", "-f", "-"]
    for table in wanted:
        args += ["-t", table]
    script = subprocess.run(  # noqa: S603 - a located PostgreSQL tool, arguments as a list
        [*args, str(path)], capture_output=True, check=False
    )
    if script.returncode != 0:
        raise RestoreError(f"{path.name} could not be read by pg_restore.")
    rows = _copy_rows(script.stdout.decode("utf-8", errors="replace"))
    if "tasks" not in rows or "audit_log" not in rows:
        raise RestoreError(
            f"{path.name} is a PostgreSQL backup but not of a PracticeBoard database."
        )
    revision = rows.get("alembic_version", [])
    last = None
    if rows["audit_log"]:
        row = max(rows["audit_log"], key=lambda r: int(r["id"]))
        last = LastAudit(int(row["id"]), _aware(row.get("at")), row.get("username") or "",
                         row.get("action") or "")  # fmt: skip
    return BackupSummary(path, "postgresql", taken or _taken_from_name(path),
                         revision[0]["version_num"] if revision else None,
                         len(rows["tasks"]), len(rows.get("patients", [])), last)  # fmt: skip


def _copy_rows(script: str) -> dict[str, list[dict[str, str | None]]]:
    """The rows of each ``COPY public.t (cols) FROM stdin;`` block of a plain script."""
    out: dict[str, list[dict[str, str | None]]] = {}
    table, columns = None, []
    for line in script.splitlines():
        if table is None:
            m = re.match(r"COPY (?:public\.)?\"?(\w+)\"? \((.*)\) FROM stdin;", line)
            if m:
                table = m.group(1)
                columns = [c.strip().strip('"') for c in m.group(2).split(",")]
                out[table] = []
            continue
        if line == "\\.":
            table = None
            continue
        values = [None if v == "\\N" else v for v in line.split("\t")]
        out[table].append(dict(zip(columns, values, strict=False)))
    return out


# ---------------------------------------------------------------- putting it back


def check_restorable(db, summary: BackupSummary) -> None:
    """Refuse, with nothing changed, a backup that cannot go into this database."""
    from alembic.script import ScriptDirectory

    from practiceboard.db.migrate import alembic_config

    engine = "sqlite" if db.is_sqlite else "postgresql"
    if summary.engine != engine:
        names = {"sqlite": "a database on one PC (SQLite)",
                 "postgresql": "the clinic's server database (PostgreSQL)"}  # fmt: skip
        raise RestoreError(
            f"{summary.path.name} is a backup of {names[summary.engine]}, and this practice "
            f"uses {names[engine]}. Nothing was changed."
        )
    if summary.revision is None:
        raise RestoreError(
            f"{summary.path.name} holds no PracticeBoard schema; nothing was changed."
        )
    try:
        ScriptDirectory.from_config(alembic_config()).get_revision(summary.revision)
    except Exception:
        raise RestoreError(
            f"{summary.path.name} was written by a newer PracticeBoard (schema "
            f"{summary.revision}). Install the newer version first; nothing was changed."
        ) from None


def restore(db, path: Path, *, who: str, folder: Path | None = None) -> Restored:
    """Replace the database ``db`` points at with the backup at ``path`` (see the module
    docstring). ``who`` names the person in the audit row. The caller's ``db`` is
    disposed; open a new one on the same URL afterwards."""
    from practiceboard.db import audit, migrate
    from practiceboard.db.engine import Database

    summary = inspect(Path(path))
    check_restorable(db, summary)
    safety = backup_database(db, label="before-restore", folder=folder)
    url, workstation = db.url, db.workstation
    db.dispose()
    try:
        if summary.engine == "sqlite":
            _sqlite_backup(str(summary.path), Path(make_url(url).database))
        else:
            _pg_replace(url, summary.path)
    except (OSError, sqlite3.Error, BackupError, RestoreError) as exc:
        detail = exc.message if isinstance(exc, PracticeBoardError) else str(exc)
        raise RestoreError(
            f"The restore failed: {detail} The database as it was before is saved at {safety}; "
            "restore that file to go back."
        ) from exc
    fresh = Database(url, workstation=workstation)
    try:
        migrate.upgrade(fresh, backup=False)  # the backup is the safety copy above
        with fresh.write() as session:
            try:
                audit.audit_key(session, create=False)
            except audit.AuditKeyMissing:
                pass  # verify says so below; a new key would only hide it
            else:
                audit.forget_head(session)  # the restored log is older on purpose
                audit.write_restore(session, audit.Who(None, who, workstation),
                                    at=datetime.now(UTC),
                                    new={"file": str(summary.path), "safety_backup": str(safety),
                                         "taken_at": summary.taken_at.isoformat()
                                         if summary.taken_at else None})  # fmt: skip
        with fresh.read() as session:
            try:
                result = audit.verify(session)
                ok, said = result.ok, result.describe()
            except audit.AuditKeyMissing as exc:
                ok, said = False, exc.message
    finally:
        fresh.dispose()
    return Restored(summary, safety, ok, said)


def _pg_replace(url: str, dump: Path) -> None:
    """Empty the schema and load the dump, the load in one transaction."""
    tool = pg_restore_tool()
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text("SET lock_timeout = '15s'"))
            try:
                conn.execute(text("DROP SCHEMA public CASCADE"))
            except Exception as exc:
                raise RestoreError(
                    "The database is in use on another PC (or by another program). Close "
                    "PracticeBoard everywhere else, then restore again."
                ) from exc
            conn.execute(text("CREATE SCHEMA public"))
    finally:
        engine.dispose()
    target = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    result = _run([str(tool), "--no-owner", "--no-acl", "--exit-on-error", "--single-transaction",
                   "--dbname", target, str(dump)])  # fmt: skip
    if result.returncode != 0:
        raise RestoreError(f"pg_restore failed: {result.stderr.strip()[:300]}")
