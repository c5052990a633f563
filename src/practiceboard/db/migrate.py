"""Schema upgrades at start-up and from the CLI, with a backup first.

A database whose revision this code does not know (made by a newer
PracticeBoard) is refused. A failed upgrade rolls back as a whole (both engines
run DDL inside the one transaction), and the backup stays beside the database.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DatabaseError

from practiceboard.core.paths import private_file, resource_dir
from practiceboard.db.backup import NoPgDump, backup_database, last_verified_backup
from practiceboard.db.engine import Database, normalize_url, sqlite_path
from practiceboard.db.models import Base
from practiceboard.domain.errors import PracticeBoardError


class SchemaError(PracticeBoardError):
    """The database's schema cannot be used by this version of the app."""


def alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(resource_dir("migrations")))
    return cfg


def head_revision() -> str:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(db: Database) -> str | None:
    try:
        with db.engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    except DatabaseError as exc:
        if db.is_sqlite and "not a database" in str(exc.orig or exc):
            raise SchemaError(
                f"{make_url(db.url).database} is not a database file (it may be a document or "
                "another program's file). Point PracticeBoard at its own database; nothing was "
                "changed."
            ) from None
        raise


# Tables an empty database may already hold: alembic's own, left with no revision row.
_EMPTY_ALLOWED = {"alembic_version"}


def foreign_tables(db: Database) -> list[str]:
    """The tables of a database that has no PracticeBoard revision: another program's data
    (empty when the database is empty, so the schema may be created in it)."""
    with db.engine.connect() as conn:
        names = inspect(conn).get_table_names()
    return sorted(set(names) - _EMPTY_ALLOWED)


def ensure_known(db: Database) -> str | None:
    """The database's revision (None: an empty database, where the schema may be created),
    or SchemaError when a newer app wrote it, when it is not a database, or when it holds
    another program's tables (never touched)."""
    current = current_revision(db)
    if current is None:
        tables = foreign_tables(db)
        if tables:
            more = f" and {len(tables) - 3} more" if len(tables) > 3 else ""
            shown = ", ".join(tables[:3]) + more
            raise SchemaError(
                f"This database is not a PracticeBoard database: it already holds other "
                f"tables ({shown}) and no PracticeBoard schema. It was left untouched. Point "
                "PracticeBoard at its own database, or at an empty one to set up."
            )
        return None
    script = ScriptDirectory.from_config(alembic_config())
    try:
        script.get_revision(current)
    except Exception:
        raise SchemaError(
            f"This database was last opened by a newer PracticeBoard (schema {current}). "
            "Install the newer version on this PC; nothing was changed."
        ) from None
    return current


def upgrade(db: Database, *, backup: bool = True, as_role: str | None = None) -> Path | None:
    """Bring the schema to head. Returns the backup made first, if any. On PostgreSQL the
    migrations run as ``as_role``, or as the role that already owns the schema."""
    current = ensure_known(db)
    keep_private(db)
    head = head_revision()
    if current == head:
        return None
    owner = None
    if not db.is_sqlite:  # refused before anything is done, the backup included
        with db.engine.connect() as conn:
            owner = _schema_owner_to_become(conn, as_role, current)
    made = None
    if backup and current is not None:
        made = _backup_first(db, current)
    cfg = alembic_config()
    with db.engine.begin() as conn:
        if owner is not None:
            quoted = conn.dialect.identifier_preparer.quote(owner)
            conn.execute(text(f"SET LOCAL ROLE {quoted}"))
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
    return made


def keep_private(db: Database) -> None:
    """PracticeBoard's own SQLite file and its -wal/-shm, for this user only (a database
    made by an older version was readable by everyone). Called once the database is
    known to be ours or empty."""
    path = sqlite_path(db.url)
    if path is None:
        return
    for file in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        if file.exists():
            try:
                private_file(file)
            except OSError:
                pass  # a read-only share: nothing to tighten from here


def schema_owner(conn) -> str | None:
    """PostgreSQL: the role that owns the audit log (the schema's owner role), or None
    before the schema exists."""
    return conn.execute(
        text(
            "SELECT tableowner FROM pg_tables "
            "WHERE schemaname = current_schema() AND tablename = 'audit_log'"
        )
    ).scalar()


def _schema_owner_to_become(conn, as_role: str | None, current: str | None) -> str | None:
    """PostgreSQL: migrations run as the role that owns the schema (server set-up: two
    roles), so every table stays that role's, never the app's. The server's admin (a
    member of that role) becomes it for this transaction; the app's own role, which is
    not, is told who can upgrade. Returns the role to become (None: already it)."""
    owner = as_role or schema_owner(conn)
    user = conn.execute(text("SELECT current_user")).scalar()
    if owner is None or owner == user:
        return None
    member = conn.execute(
        text("SELECT pg_has_role(current_user, :owner, 'MEMBER')"), {"owner": owner}
    ).scalar()
    if not member:
        raise SchemaError(
            f"This database needs an upgrade (schema {current} to {head_revision()}), and only "
            f"the server's admin can make it, as the schema's owner role “{owner}”: on the "
            "server run “practiceboard db upgrade --db postgresql://ADMIN@SERVER/DATABASE” "
            "(README: Server set-up: two roles). Nothing was changed."
        )
    return owner


RECENT_BACKUP = timedelta(hours=24)


class BackupNeeded(PracticeBoardError):
    """An upgrade this PC cannot back up first, and no recent backup made elsewhere."""


def _backup_first(db: Database, current: str) -> Path:
    """A backup of the database before it is upgraded: made here, or — on a PostgreSQL PC
    with no usable pg_dump (a front-desk PC) — the server's own verified backup, when one
    was recorded within RECENT_BACKUP. Otherwise a sentence with the two ways on."""
    try:
        return backup_database(db, label=f"before-upgrade-{current}")
    except NoPgDump as exc:
        recent = last_verified_backup(db)
        if recent is not None and datetime.now(UTC) - recent[0] <= RECENT_BACKUP:
            return Path(recent[1])
        last = (
            f"the last one recorded was made on {recent[2]} at {recent[0]:%Y-%m-%d %H:%M} UTC"
            if recent is not None else "none has been recorded"
        )  # fmt: skip
        raise BackupNeeded(
            f"This version must upgrade the database, and a backup comes first. {exc} "
            f"A backup made on the server within the last day would do, but {last}. Run "
            "“practiceboard backup” on the server PC and start again here — or an admin "
            "runs “practiceboard db upgrade --without-backup”. Nothing was changed."
        ) from exc


def is_initialized(db: Database) -> bool:
    return current_revision(db) is not None


def schema_differences(db: Database) -> list:
    """What differs between the models and the database's schema (empty when in sync)."""
    with db.engine.connect() as conn:
        ctx = MigrationContext.configure(
            conn, opts={"compare_type": True, "render_as_batch": db.is_sqlite}
        )
        return compare_metadata(ctx, Base.metadata)


def check(url: str | None = None) -> list:
    """Build a fresh database from the migrations and compare it with the models.

    On PostgreSQL a throw-away database is created on the same server; on SQLite
    (or with no URL) a temporary file. Returns the differences (empty = clean).
    """
    import tempfile

    url = normalize_url(url) if url else None
    if url and make_url(url).get_backend_name() == "postgresql":
        name = f"pb_check_{uuid.uuid4().hex[:10]}"
        admin = create_engine(url, isolation_level="AUTOCOMMIT")
        quoted = admin.dialect.identifier_preparer.quote(name)
        with admin.connect() as conn:
            conn.execute(text("CREATE DATABASE " + quoted))
        try:
            db = Database(make_url(url).set(database=name).render_as_string(False))
            try:
                upgrade(db, backup=False)
                return schema_differences(db)
            finally:
                db.dispose()
        finally:
            with admin.connect() as conn:
                conn.execute(text("DROP DATABASE IF EXISTS " + quoted + " WITH (FORCE)"))
            admin.dispose()
    with tempfile.TemporaryDirectory() as tmp:
        db = Database(f"sqlite:///{Path(tmp) / 'check.db'}")
        try:
            upgrade(db, backup=False)
            return schema_differences(db)
        finally:
            db.dispose()
