"""The audit log is append-only and tamper-evident (security.md items 8 and 9)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from practiceboard.db import audit
from practiceboard.db.models import AuditEntry

WHO = audit.Who(None, "tester", "test-pc")


def _write_rows(db, n=5):
    with db.write() as s:
        for i in range(n):
            audit.write(s, WHO, "test.action", "thing", i, new={"i": i}, at=datetime.now(UTC))


def _verify(db):
    with db.read() as s:
        return audit.verify(s)


def test_untouched_log_verifies(db):
    _write_rows(db)
    result = _verify(db)
    assert result.ok and result.rows_checked == 5


@pytest.mark.parametrize("sql", [
    "UPDATE audit_log SET detail = 'x' WHERE id = 2",
    "DELETE FROM audit_log WHERE id = 2",
])  # fmt: skip
def test_no_code_path_may_change_the_log(db, sql):
    _write_rows(db)
    with pytest.raises(DBAPIError, match="append-only"):
        with db.engine.begin() as conn:
            conn.execute(text(sql))


@pytest.mark.postgres
def test_truncate_refused_on_postgres(pg_db):
    _write_rows(pg_db)
    with pytest.raises(DBAPIError, match="append-only"):
        with pg_db.engine.begin() as conn:
            conn.execute(text("TRUNCATE audit_log"))


def _as_attacker(db, sql):
    """Someone with raw write access: disables the guard, then edits."""
    with db.engine.begin() as conn:
        if db.is_sqlite:
            conn.execute(text("DROP TRIGGER audit_log_no_update"))
            conn.execute(text("DROP TRIGGER audit_log_no_delete"))
        else:
            conn.execute(text("ALTER TABLE audit_log DISABLE TRIGGER USER"))
        conn.execute(text(sql))


@pytest.mark.parametrize("sql, broken", [
    ("UPDATE audit_log SET new_values = '{\"i\": 99}' WHERE id = 3", 3),
    ("DELETE FROM audit_log WHERE id = 3", 4),
    ("UPDATE audit_log SET username = 'someone' WHERE id = 5", 5),
])  # fmt: skip
def test_tampering_is_named_at_the_first_broken_row(db, sql, broken):
    _write_rows(db)
    _as_attacker(db, sql)
    result = _verify(db)
    assert not result.ok
    assert result.broken_id == broken
    assert f"row {broken}" in result.describe()


def test_inserted_row_is_detected(db):
    _write_rows(db, 3)
    with db.read() as s:
        last = s.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
        prev, at = last.row_hash, last.at
    with db.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO audit_log (id, at, username, workstation, action, entity, category,"
                " outcome, prev_hash, row_hash) VALUES (4, :at, 'x', 'x', 'forged', 'task',"
                " 'operational', 'success', :prev, :h)"
            ),
            {"at": at.replace(tzinfo=None) if db.is_sqlite else at, "prev": prev,
             "h": "f" * 64},
        )  # fmt: skip
    result = _verify(db)
    assert not result.ok and result.broken_id == 4


def test_key_lives_outside_the_database(db, pb_home):
    _write_rows(db, 1)
    keys = list((pb_home / "config" / "audit-keys").glob("*.key"))
    assert len(keys) == 1 and (keys[0].stat().st_mode & 0o777) == 0o600
    with db.read() as s:
        dumped = " ".join(
            str(v) for v in s.execute(select(AuditEntry)).first()[0].__dict__.values()
        )
    assert keys[0].read_text().strip() not in dumped


def test_missing_key_is_a_clear_error(db, pb_home):
    _write_rows(db, 1)
    for key in (pb_home / "config" / "audit-keys").glob("*.key"):
        key.unlink()
    audit._KEY_CACHE.clear()
    with db.read() as s, pytest.raises(audit.AuditKeyMissing, match="audit key"):
        audit.verify(s)


def test_chain_is_serialized_across_writers(db):
    _write_rows(db, 3)
    _write_rows(db, 3)
    with db.read() as s:
        assert s.scalar(select(func.count(AuditEntry.id))) == 6
    assert _verify(db).ok
