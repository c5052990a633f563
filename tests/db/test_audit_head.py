"""Issue 11, audit log: "Deleting the last rows is also undetected on both engines".

Every PC records the chain head (row id + hash, signed with the key) in its data folder
at each write batch and at exit; ``audit verify`` holds the log against it: rows cut
off the end, a wiped log, or an older copy of the log fail with a sentence saying what
was lost."""

from __future__ import annotations

import json
import shutil

import pytest
from sqlalchemy import text

from practiceboard import cli
from practiceboard.core.clock import now
from practiceboard.core.unit import remember_audit_head
from practiceboard.db import audit
from practiceboard.db.engine import Database, sqlite_path

WHO = audit.Who(None, "tester", "test-pc")


@pytest.fixture(autouse=True)
def held_clock(clock):
    return clock


def _write_rows(db, n=5):
    with db.write() as s:
        for i in range(n):
            audit.write(s, WHO, "test.action", "thing", i, at=now())


def _verify(db):
    with db.read() as s:
        return audit.verify(s)


def _heads(pb_home):
    return sorted((pb_home / "data" / "audit-heads").glob("*.json"))


def _raw(db, sql):
    """Someone with raw write access: the guard off, then the change."""
    with db.engine.begin() as conn:
        if db.is_sqlite:
            conn.execute(text("DROP TRIGGER IF EXISTS audit_log_no_delete"))
        else:
            conn.execute(text("ALTER TABLE audit_log DISABLE TRIGGER USER"))
        conn.execute(text(sql))


def test_audit_head_is_recorded_signed_at_each_write_batch(db, pb_home):
    _write_rows(db, 3)
    [head_file] = _heads(pb_home)
    assert head_file.stat().st_mode & 0o777 == 0o600
    body = json.loads(head_file.read_text())
    assert body["row_id"] == 3 and len(body["signature"]) == 64
    _write_rows(db, 2)
    assert json.loads(head_file.read_text())["row_id"] == 5


def test_audit_head_rows_cut_off_the_end_fail_verification(db):
    _write_rows(db, 5)
    _raw(db, "DELETE FROM audit_log WHERE id >= 4")
    result = _verify(db)
    assert not result.ok and result.kind == "truncated"
    assert "ends at row 3" in result.describe() and "row 5" in result.describe()
    assert "2 rows (4–5) were cut off its end" in result.describe()


def test_audit_head_wiped_log_fails_verification(db):
    _write_rows(db, 5)
    _raw(db, "DELETE FROM audit_log")
    result = _verify(db)
    assert not result.ok and result.kind == "truncated"
    assert "the log is empty" in result.describe() and "all 5 rows were wiped" in result.describe()


def test_audit_head_cut_then_rewritten_log_fails_verification(db):
    """Rows cut off the end and the app writing on: the new rows reuse the ids, and the
    head does not move past the loss."""
    _write_rows(db, 5)
    _raw(db, "DELETE FROM audit_log WHERE id >= 4")
    _write_rows(db, 4)  # ids 4–7, chained onto row 3
    result = _verify(db)
    assert not result.ok and result.broken_id == 5
    assert "that row was replaced" in result.describe()


def test_audit_head_older_copy_of_the_database_fails_verification(sqlite_db, tmp_path):
    _write_rows(sqlite_db, 3)
    path = sqlite_path(sqlite_db.url)
    sqlite_db.dispose()
    old_copy = tmp_path / "older.db"
    shutil.copyfile(path, old_copy)
    db = Database(sqlite_db.url)
    _write_rows(db, 3)
    db.dispose()
    shutil.copyfile(old_copy, path)  # someone puts the older file back
    db = Database(sqlite_db.url)
    try:
        result = _verify(db)
    finally:
        db.dispose()
    assert not result.ok and "3 rows (4–6) were cut off its end" in result.describe()
    assert "older copy" in result.describe()


def test_audit_head_at_exit_records_what_other_pcs_wrote(db, pb_home, monkeypatch):
    _write_rows(db, 2)
    here = pb_home
    monkeypatch.setenv("PRACTICEBOARD_HOME", str(pb_home.parent / "pc2"))
    audit._KEY_CACHE.clear()
    monkeypatch.setenv("PRACTICEBOARD_AUDIT_KEY", _key_text(here))
    _write_rows(db, 3)  # the other PC writes rows 3–5
    monkeypatch.setenv("PRACTICEBOARD_HOME", str(here))
    monkeypatch.delenv("PRACTICEBOARD_AUDIT_KEY")
    audit._KEY_CACHE.clear()
    [head_file] = _heads(here)
    assert json.loads(head_file.read_text())["row_id"] == 2
    remember_audit_head(db)  # this PC's app closes
    assert json.loads(head_file.read_text())["row_id"] == 5
    _raw(db, "DELETE FROM audit_log WHERE id = 5")
    assert _verify(db).kind == "truncated"


def _key_text(home) -> str:
    [key] = (home / "config" / "audit-keys").glob("*.key")
    return key.read_text().strip()


def test_audit_head_altered_file_fails_verification(db, pb_home):
    _write_rows(db, 5)
    [head_file] = _heads(pb_home)
    body = json.loads(head_file.read_text())
    body["row_id"] = 3  # someone rolls this PC's record back to hide rows 4–5
    head_file.write_text(json.dumps(body))
    result = _verify(db)
    assert not result.ok and "was altered" in result.describe()
    head_file.write_text("{not json")
    assert "is damaged" in _verify(db).describe()


def test_audit_head_cli_verify_says_what_was_lost(db, pb_home, capsys):
    _write_rows(db, 4)
    _raw(db, "DELETE FROM audit_log WHERE id = 4")
    code = cli.main(["audit", "verify", "--db", db.url])
    err = capsys.readouterr().err
    assert code == 1 and "row 4 was cut off its end" in err
    assert "the log ends at row 3" in err and "cut off its end" in err


def test_audit_head_an_earlier_restore_does_not_excuse_a_later_loss(db, held_clock):
    """Only a restore written after the row a PC saw last explains that row's loss."""
    _write_rows(db, 2)
    with db.write() as s:
        audit.write_restore(s, WHO, at=now(), new={"file": "an older backup"})
    held_clock.advance(minutes=5)
    _write_rows(db, 3)  # rows 4–6, seen by this PC
    _raw(db, "DELETE FROM audit_log WHERE id >= 5")
    result = _verify(db)
    assert not result.ok and result.kind == "truncated"


def test_audit_head_is_recorded_when_the_whole_batch_commits_not_a_savepoint(db):
    """A savepoint's release is not the batch's commit: a batch that writes in savepoints
    (care generation, imports) and then fails leaves this PC's head where it was, so the
    next verify does not report the rolled-back rows as cut off."""
    _write_rows(db, 2)
    with pytest.raises(RuntimeError):
        with db.write() as s:
            for i in range(3):
                with s.begin_nested():
                    audit.write(s, WHO, "test.action", "thing", i, at=now())
            raise RuntimeError("the batch fails after its savepoints")
    result = _verify(db)
    assert result.ok and result.rows_checked == 2, result.describe()
    _write_rows(db, 1)  # and the head moves on from there
    result = _verify(db)
    assert result.ok and result.rows_checked == 3, result.describe()
