"""The audit log is append-only and tamper-evident (security.md items 8 and 9)."""

from __future__ import annotations

import multiprocessing
import sys
import threading
from datetime import datetime

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from practiceboard.core.clock import now
from practiceboard.db import audit
from practiceboard.db.engine import Database
from practiceboard.db.models import AuditEntry
from support import START

WHO = audit.Who(None, "tester", "test-pc")
SPAWN = multiprocessing.get_context("spawn")


@pytest.fixture(autouse=True)
def held_clock(clock):
    """Every row is stamped by core.clock, held at START."""
    return clock


def _write_rows(db, n=5):
    with db.write() as s:
        for i in range(n):
            audit.write(s, WHO, "test.action", "thing", i, new={"i": i}, at=now())


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
    assert len(keys) == 1
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


def _ids(db) -> list[int]:
    with db.read() as s:
        return list(s.scalars(select(AuditEntry.id).order_by(AuditEntry.id)))


def _one_writer(db: Database, writer: int, rows: int, at: datetime) -> list[str]:
    """``rows`` transactions, each one audit row about this writer's own thing (no row
    in common with the other writers: only the chain can make them collide)."""
    problems = []
    for i in range(rows):
        try:
            with db.write() as s:
                audit.write(s, WHO, "test.action", f"thing-{writer}", i, new={"i": i}, at=at)
        except Exception as exc:  # reported, not raised: the count is the assertion
            problems.append(type(exc).__name__)
    return problems


def test_concurrent_threads_keep_the_chain_whole(db):
    """Four threads × 25 writes at once. On PostgreSQL, without the advisory lock in
    audit.write, two writers read the same last row and one commit fails with an
    IntegrityError on the id (about 70 of 100 did when this test was written)."""
    _write_rows(db, 1)
    gate = threading.Barrier(4, timeout=30)
    problems: list[str] = []

    def work(writer: int) -> None:
        gate.wait()
        problems.extend(_one_writer(db, writer, 25, START))

    threads = [threading.Thread(target=work, args=(w,)) for w in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(120)

    assert not any(th.is_alive() for th in threads)
    assert problems == []
    assert _ids(db) == list(range(1, 102))
    assert _verify(db).ok and _verify(db).rows_checked == 101


def _writer_process(url: str, writer: int, rows: int, gate, results) -> None:
    db = Database(url, workstation=f"pc-{writer}")
    try:
        gate.wait()
        results.put(_one_writer(db, writer, rows, START))
    finally:
        db.dispose()


def test_concurrent_processes_keep_the_chain_whole(db):
    """Three processes (three PCs) × 25 writes at once: the same, across connections
    that share nothing but the database."""
    _write_rows(db, 1)
    gate, results = SPAWN.Barrier(3, timeout=60), SPAWN.Queue()
    procs = [
        SPAWN.Process(target=_writer_process, args=(db.url, w, 25, gate, results)) for w in range(3)
    ]
    for p in procs:
        p.start()
    reports = [results.get(timeout=180) for _ in procs]
    for p in procs:
        p.join(60)

    assert [p.exitcode for p in procs] == [0, 0, 0]
    assert reports == [[], [], []]
    assert _ids(db) == list(range(1, 77))
    assert _verify(db).ok and _verify(db).rows_checked == 76


@pytest.mark.skipif(
    sys.platform == "win32",
    reason="file modes mean nothing on Windows; the folder's access list guards the key",
)
def test_key_file_is_private_to_its_owner(db, pb_home):
    _write_rows(db, 1)
    (key,) = (pb_home / "config" / "audit-keys").glob("*.key")
    assert key.stat().st_mode & 0o777 == 0o600
