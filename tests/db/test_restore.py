"""Restore, round trip on SQLite and PostgreSQL: what a backup holds is shown before
anything changes; the current database is backed up first, then replaced; the restored
database is at this version's schema, records the restore in its audit log, and its audit
chain verifies. Backups that cannot go in are refused with nothing changed."""

from __future__ import annotations

import shutil
import sqlite3

import pytest
from sqlalchemy import func, select

from practiceboard import cli
from practiceboard.db import restore as restoring
from practiceboard.db.backup import verified_backup
from practiceboard.db.engine import Database
from practiceboard.db.models import Patient, Task
from practiceboard.domain.errors import PermissionDenied
from practiceboard.services import backups
from support import add_patient, audit_rows, make_task


def counts(db: Database) -> tuple[int, int]:
    with db.read() as s:
        return s.scalar(select(func.count(Task.id))), s.scalar(select(func.count(Patient.id)))


def test_round_trip_backs_up_first_and_verifies(staff, tmp_path):
    db = staff.db
    make_task(db, staff.front_desk, "referral", "Cardiology referral")
    add_patient(db, "MRN-1", "Pat Example")
    path = verified_backup(db, label="manual", folder=tmp_path)
    summary = backups.inspect(db, staff.admin, path)
    assert (summary.tasks, summary.patients) == (1, 1)
    assert summary.last_audit is not None and summary.taken_at is not None
    assert summary.lines()[1:3] == ["Tasks: 1", "Patients: 1"]

    make_task(db, staff.front_desk, "referral", "Dermatology referral")  # after the backup
    assert counts(db) == (2, 1)

    done = backups.restore(db, staff.admin, path)

    assert done.audit_ok, done.audit_text
    assert done.audit_text.startswith("Audit log intact")
    assert done.safety_backup.exists() and "before-restore" in done.safety_backup.name
    assert restoring.inspect(done.safety_backup).tasks == 2  # the state just before
    again = Database(db.url)
    try:
        assert counts(again) == (1, 1)
        (row,) = audit_rows(again, "database.restore")
        assert (row.username, row.category) == ("admin", "system")
        assert str(path) in row.new_values
    finally:
        again.dispose()


def test_only_an_admin_restores(staff, tmp_path):
    path = verified_backup(staff.db, folder=tmp_path)
    with pytest.raises(PermissionDenied):
        backups.restore(staff.db, staff.manager, path)
    assert [r.outcome for r in audit_rows(staff.db, "database.restore")] == ["denied"]


def test_backups_that_cannot_go_in_are_refused_with_nothing_changed(staff, tmp_path):
    db = staff.db
    junk = tmp_path / "notes.db"
    junk.write_text("shopping list")
    with pytest.raises(restoring.RestoreError, match="not a PracticeBoard backup"):
        backups.inspect(db, staff.admin, junk)
    if db.is_sqlite:
        newer = tmp_path / "newer.db"
        shutil.copyfile(verified_backup(db, folder=tmp_path), newer)
        with sqlite3.connect(newer) as conn:
            conn.execute("UPDATE alembic_version SET version_num = '9999'")
        with pytest.raises(restoring.RestoreError, match="newer PracticeBoard"):
            backups.restore(db, staff.admin, newer)
    else:
        other = tmp_path / "one-pc.db"
        with sqlite3.connect(other) as conn:
            conn.executescript(
                "CREATE TABLE alembic_version (version_num TEXT); CREATE TABLE tasks (id INT);"
                "CREATE TABLE patients (id INT); CREATE TABLE audit_log (id INT, at TEXT,"
                " username TEXT, action TEXT); INSERT INTO alembic_version VALUES ('0001');"
            )
        with pytest.raises(restoring.RestoreError, match="uses the clinic's server database"):
            backups.restore(db, staff.admin, other)
    assert counts(db) == (0, 0)
    assert not list(tmp_path.glob("*before-restore*"))


def test_the_command_line_restores_after_a_confirmation(staff, tmp_path, capsys, monkeypatch):
    db = staff.db
    make_task(db, staff.front_desk, "referral", "Cardiology referral")
    path = verified_backup(db, folder=tmp_path)
    make_task(db, staff.front_desk, "referral", "Dermatology referral")

    monkeypatch.setattr("builtins.input", lambda prompt: "no")
    assert cli.main(["restore", str(path), "--db", db.url]) == 1
    assert counts(db) == (2, 0)

    code = cli.main(["restore", str(path), "--db", db.url, "--yes",
                     "--before-to", str(tmp_path / "before")])  # fmt: skip
    out = capsys.readouterr().out
    assert code == 0, out
    assert "Tasks: 1" in out and "Audit log intact" in out
    assert list((tmp_path / "before").glob("*before-restore*"))
    again = Database(db.url)
    try:
        assert counts(again) == (1, 0)
    finally:
        again.dispose()


def test_another_pc_takes_a_restore_for_what_it_is(staff, tmp_path, pb_home, monkeypatch):
    """The restoring PC lets go of its audit head; another PC that had seen the newer log
    finds the signed restore row and lets go of its own: its verify says what happened
    instead of reporting rows lost, and its head moves on at its next write. (A database
    put back by copying a file has no such row and still fails: test_audit_head.)"""
    from practiceboard.core.unit import remember_audit_head
    from practiceboard.db import audit

    db = staff.db
    make_task(db, staff.front_desk, "referral", "Cardiology referral")
    path = verified_backup(db, label="manual", folder=tmp_path)
    for title in ("Dermatology referral", "Sleep study referral"):  # after the backup
        make_task(db, staff.front_desk, "referral", title)
    [key_file] = (pb_home / "config" / "audit-keys").glob("*.key")
    key_text = key_file.read_text().strip()

    def on_the_other_pc() -> None:
        monkeypatch.setenv("PRACTICEBOARD_HOME", str(pb_home.parent / "front-desk-pc"))
        monkeypatch.setenv("PRACTICEBOARD_AUDIT_KEY", key_text)
        audit._KEY_CACHE.clear()

    def here() -> None:
        monkeypatch.setenv("PRACTICEBOARD_HOME", str(pb_home))
        monkeypatch.delenv("PRACTICEBOARD_AUDIT_KEY")
        audit._KEY_CACHE.clear()

    def verify(database):
        with database.read() as s:
            return audit.verify(s)

    on_the_other_pc()
    remember_audit_head(db)  # the front desk's app closes having seen the newest rows
    here()
    assert backups.restore(db, staff.admin, path).audit_ok
    again = Database(db.url)
    try:
        on_the_other_pc()
        result = verify(again)
        assert result.ok and result.kind == "restored", result.describe()
        said = result.describe()
        assert said.startswith("Audit log intact") and "restored from a backup" in said
        assert "by admin" in said and "replaced on purpose" in said
        make_task(again, staff.front_desk, "referral", "Orthopedics referral")
        result = verify(again)
        assert (result.ok, result.kind, result.note) == (True, "intact", "")
    finally:
        here()
        again.dispose()
