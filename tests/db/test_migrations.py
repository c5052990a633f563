"""Migrations build the whole schema on both engines, agree with the models, seed the
defaults, refuse a newer database, and back up before upgrading."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess

import pytest
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import func, inspect, select, text

from practiceboard.core.paths import resource_dir
from practiceboard.db import migrate
from practiceboard.db.engine import Database
from practiceboard.db.models import Role, Status, Transition, Workflow
from practiceboard.domain.policy import DEFAULT_ROLE_CAPABILITIES


def test_fresh_database_is_at_head_and_matches_models(db):
    assert migrate.current_revision(db) == migrate.head_revision()
    assert migrate.schema_differences(db) == []


def test_defaults_are_seeded(db):
    with db.read() as s:
        keys = set(s.scalars(select(Workflow.key)))
        assert keys == {"referral", "prior_auth", "records", "lab_followup", "billing", "supply",
                        "signoff", "care_task"}  # fmt: skip
        assert set(s.scalars(select(Role.key))) == set(DEFAULT_ROLE_CAPABILITIES)
        assert s.scalar(select(func.count(Status.id))) == 49  # 0013: two "Closed – not needed"
        assert s.scalar(select(func.count(Transition.id))) > 80


def test_check_builds_fresh_databases_clean(pb_home):
    assert migrate.check() == []


@pytest.mark.postgres
def test_check_on_postgres(pg_db):
    assert migrate.check(pg_db.url) == []


def test_newer_database_is_refused(db):
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = 'ffff_from_the_future'"))
    with pytest.raises(migrate.SchemaError, match="newer PracticeBoard"):
        migrate.upgrade(db)


def test_upgrade_from_empty_then_again_is_a_no_op(tmp_path, pb_home):
    db = Database(f"sqlite:///{tmp_path / 'new.db'}")
    assert migrate.upgrade(db) is None  # nothing to back up on a new file
    assert migrate.upgrade(db) is None  # already at head
    db.dispose()


def _previous_revision() -> str:
    """The revision just before head (whatever head is called after a merge)."""
    script = ScriptDirectory.from_config(migrate.alembic_config())
    return script.get_revision(migrate.head_revision()).down_revision


def _behind_head(db) -> str:
    """The database one revision behind head, holding one row the upgrade must keep."""
    from alembic import command

    previous = _previous_revision()
    _to_revision(db, command.downgrade, previous)
    with db.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO patients (mrn, display_name, search_name, active, version, "
                "created_at, updated_at) VALUES ('MRN-KEPT', 'Kept Pat', 'kept pat', :t, 1, "
                ":at, :at)"
            ),
            {"t": True, "at": "2026-03-04 15:00:00"},
        )
    return previous


def _kept_patient(db) -> tuple:
    with db.read() as s:
        return tuple(s.execute(text("SELECT mrn, display_name FROM patients")).one())


def _columns(db) -> dict[str, list[str]]:
    with db.engine.connect() as conn:
        found = inspect(conn)
        return {t: sorted(c["name"] for c in found.get_columns(t)) for t in found.get_table_names()}


def test_upgrade_backs_up_first(db, pb_home):
    previous = _behind_head(db)

    backup = migrate.upgrade(db)

    assert migrate.current_revision(db) == migrate.head_revision()
    assert backup is not None and backup.parent == pb_home / "data" / "backups"
    assert backup.name.endswith(f"-before-upgrade-{previous}{'.db' if db.is_sqlite else '.dump'}")
    if db.is_sqlite:  # the backup is the database as it was: old revision, same rows
        copy = sqlite3.connect(backup)
        try:
            assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            assert copy.execute("SELECT version_num FROM alembic_version").fetchone() == (previous,)
            assert copy.execute("SELECT mrn FROM patients").fetchall() == [("MRN-KEPT",)]
        finally:
            copy.close()
    else:  # a custom-format dump pg_restore can read, holding the tables' data
        listing = subprocess.run(  # noqa: S603
            [shutil.which("pg_restore") or "pg_restore", "--list", str(backup)],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
        assert "TABLE DATA public patients" in listing.stdout
        assert "TABLE DATA public alembic_version" in listing.stdout
    assert _kept_patient(db) == ("MRN-KEPT", "Kept Pat")


FAILING_REVISION = """
import sqlalchemy as sa
from alembic import op

revision = "zz_fails"
down_revision = {head!r}
branch_labels = None
depends_on = None


def upgrade():
    op.create_table("upgrade_probe", sa.Column("id", sa.Integer, primary_key=True))
    raise RuntimeError("this revision fails on purpose")


def downgrade():
    pass
"""


def test_a_failing_upgrade_rolls_back_and_leaves_the_old_database_usable(db, tmp_path, monkeypatch):
    """The real head revision runs, then a revision after it fails: nothing of either is
    left, the database is still at its old revision with its rows, and a later (good)
    upgrade goes through."""
    previous = _behind_head(db)
    before = _columns(db)
    scripts = tmp_path / "migrations"
    shutil.copytree(resource_dir("migrations"), scripts)
    (scripts / "versions" / "99999999_zz_fails.py").write_text(
        FAILING_REVISION.format(head=migrate.head_revision())
    )

    def failing_config() -> Config:
        cfg = Config()
        cfg.set_main_option("script_location", str(scripts))
        return cfg

    with monkeypatch.context() as m:
        m.setattr(migrate, "alembic_config", failing_config)
        with pytest.raises(RuntimeError, match="fails on purpose"):
            migrate.upgrade(db)

    assert migrate.current_revision(db) == previous
    assert _columns(db) == before  # neither the head revision's change nor the probe table
    assert _kept_patient(db) == ("MRN-KEPT", "Kept Pat")
    with db.write() as s:  # still writable
        s.execute(text("UPDATE patients SET display_name = 'Still Here'"))
    assert migrate.upgrade(db) is not None  # and the good upgrade still goes through
    assert migrate.current_revision(db) == migrate.head_revision()
    assert migrate.schema_differences(db) == []
    assert _kept_patient(db) == ("MRN-KEPT", "Still Here")


def test_upgrade_from_the_first_revision_backs_up_first(tmp_path, pb_home):
    from alembic import command

    db = Database(f"sqlite:///{tmp_path / 'old.db'}")
    cfg = migrate.alembic_config()
    with db.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0001")
    backup = migrate.upgrade(db)
    assert backup is not None and backup.exists()
    assert migrate.current_revision(db) == migrate.head_revision()
    assert migrate.schema_differences(db) == []
    db.dispose()


def test_sqlite_pragmas(sqlite_db):
    with sqlite_db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        # WAL on a local disk; `make test-rollback-journal` forces the mode a share uses.
        forced = os.environ.get("PRACTICEBOARD_SQLITE_JOURNAL", "WAL").lower()
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == forced
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL


@pytest.mark.postgres
def test_postgresql_sessions_run_in_utc(pg_db):
    """Whatever zone the clinic's server runs in, the app's sessions are in UTC: times
    come back in datetime.UTC and pass through UtcDateTime unconverted."""
    from datetime import UTC

    with pg_db.read() as s:
        assert s.execute(text("SHOW TimeZone")).scalar_one() == "UTC"
        assert s.execute(text("SELECT now()")).scalar_one().tzinfo is UTC


def test_sqlite_writes_begin_immediate(sqlite_db):
    """A write transaction holds the write lock from its first statement."""
    import sqlite3

    from sqlalchemy.engine import make_url

    path = make_url(sqlite_db.url).database
    with sqlite_db.write() as session:
        session.execute(text("SELECT 1"))
        other = sqlite3.connect(path, timeout=0.1)
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            other.execute("BEGIN IMMEDIATE")
        other.close()


def _to_revision(db, direction, revision: str) -> None:
    cfg = migrate.alembic_config()
    with db.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        direction(cfg, revision)


def test_0002_adds_who_changed_a_patient_and_keeps_existing_patients(db):
    """Down to 0001 and up again on both engines: patients saved before 0002 keep their
    version and name nobody; the schema ends where the models are."""
    from alembic import command

    _to_revision(db, command.downgrade, "0001")
    with db.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO patients (mrn, display_name, search_name, active, version, "
                "created_at, updated_at) VALUES ('MRN-9', 'Old Pat', 'old pat', :t, 4, :at, :at)"
            ),
            {"t": True, "at": "2026-03-04 15:00:00"},
        )
    backup = migrate.upgrade(db) if db.is_sqlite else _to_revision(db, command.upgrade, "head")
    assert migrate.current_revision(db) == migrate.head_revision()
    assert migrate.schema_differences(db) == []
    with db.read() as s:
        row = s.execute(text("SELECT version, updated_by_id FROM patients")).one()
    assert tuple(row) == (4, None)
    if db.is_sqlite:
        assert backup is not None and backup.exists()  # backed up before upgrading


def test_0016_the_open_work_index_carries_the_task_id_on_postgresql(db):
    """The dashboard's attention test reads task ids: on PostgreSQL the open-work index
    includes them (0016), and down to 0015 it is the old index again; SQLite's indexes
    all hold the row id, so 0016 changes nothing there."""
    from alembic import command

    def included() -> bool:
        with db.read() as s:
            ddl = s.execute(text("SELECT pg_get_indexdef('ix_tasks_open_aging'::regclass)"))
            return ddl.scalar_one().endswith(" INCLUDE (id)")

    if not db.is_sqlite:
        assert included()
    _to_revision(db, command.downgrade, "0015")
    if not db.is_sqlite:
        assert not included()
    _to_revision(db, command.upgrade, "head")
    assert migrate.schema_differences(db) == []
    if not db.is_sqlite:
        assert included()
