"""Migrations build the whole schema on both engines, agree with the models, seed the
defaults, refuse a newer database, and back up before upgrading."""

from __future__ import annotations

import os

import pytest
from sqlalchemy import func, select, text

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
        assert s.scalar(select(func.count(Status.id))) == 47
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


def test_upgrade_backs_up_first(tmp_path, pb_home):
    db = Database(f"sqlite:///{tmp_path / 'old.db'}")
    migrate.upgrade(db)
    # Stamp the head again (the base once was the head): still nothing to do.
    with db.engine.begin() as conn:
        conn.execute(text("DELETE FROM alembic_version"))
        conn.execute(
            text("INSERT INTO alembic_version VALUES (:head)"), {"head": migrate.head_revision()}
        )
    backup = migrate.upgrade(db)  # at head already: no backup, nothing to do
    assert backup is None
    db.dispose()


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
