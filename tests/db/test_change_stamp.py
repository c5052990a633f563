"""The change stamp and the caches behind it: a change to a definitions table made
anywhere (raw SQL, another Database object, another process) is seen at the next
call on both engines; nothing is re-read while nothing changed; the account check
stays immediate."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import event, select, text
from sqlalchemy.engine import make_url

from practiceboard.core import actor as core_actor
from practiceboard.core import cache, definitions
from practiceboard.db.engine import Database
from practiceboard.db.models import ChangeStamp
from practiceboard.domain.errors import PermissionDenied
from practiceboard.queries import lookups
from practiceboard.queries import tasks as q
from practiceboard.queries.cards import load_snapshot
from practiceboard.services import users
from support import PASSWORD

STAMPED = (
    "users", "roles", "capabilities", "role_capabilities", "user_roles", "locations",
    "workflows", "role_workflows", "statuses", "transitions", "reason_codes", "templates",
    "programs", "settings",
)  # fmt: skip
DEFINITION_TABLES = ("statuses", "workflows", "role_capabilities", "settings", "reason_codes")


def stamp(db: Database) -> int:
    with db.read() as s:
        return s.scalar(select(ChangeStamp.value))


def raw(db: Database, sql: str, **params) -> None:
    """A change as another program would make it: a second Database object, plain SQL."""
    other = Database(db.url)
    try:
        with other.engine.begin() as conn:
            conn.execute(text(sql), params)
    finally:
        other.dispose()


def column_names(db: Database, actor) -> dict[str, str]:
    wf = next(w for w in lookups.workflows(db, actor) if w.key == "referral")
    return {s.key: s.name for s in wf.statuses}


def test_every_definitions_table_bumps_the_stamp(db):
    """A batch migration that rebuilds one of these tables on SQLite drops its
    triggers: it must create them again (see migration 0003)."""
    with db.read() as s:
        if db.is_sqlite:
            rows = s.execute(text("SELECT tbl_name FROM sqlite_master WHERE type = 'trigger' "
                                  "AND name LIKE 'change_stamp_%'")).scalars().all()  # fmt: skip
            assert sorted(set(rows)) == sorted(STAMPED) and len(rows) == 3 * len(STAMPED)
        else:
            rows = s.execute(
                text(
                    "SELECT c.relname FROM pg_trigger t JOIN pg_class c "
                    "ON c.oid = t.tgrelid WHERE t.tgname = 'change_stamp_bump'"
                )
            )
            assert sorted(rows.scalars()) == sorted(STAMPED)  # fmt: skip


def test_a_raw_change_is_seen_at_the_next_call(db, staff):
    fd = staff.front_desk
    assert column_names(db, fd)["new"] == "New"
    q.board(db, fd, None)  # the cache is warm
    before = stamp(db)

    raw(db, "UPDATE statuses SET name = 'Just in' WHERE key = 'new' AND workflow_id = "
            "(SELECT id FROM workflows WHERE key = 'referral')")  # fmt: skip

    assert stamp(db) != before
    assert column_names(db, fd)["new"] == "Just in"
    wf_id = next(w.id for w in lookups.workflows(db, fd) if w.key == "referral")
    assert "Just in" in {c.name for c in q.board(db, fd, wf_id).columns}
    with db.read() as s:
        names = {st.key: st.name for st in definitions.load_workflow(s, wf_id).statuses}
    assert names["new"] == "Just in"


def test_a_removed_capability_and_a_disabled_account_take_effect_at_once(db, staff):
    mgr = staff.manager
    assert q.needs_approval(db, mgr) == []  # may decide; nothing to decide yet
    assert lookups.policy_for(db, mgr).can("approval.decide")

    raw(db, "DELETE FROM role_capabilities WHERE capability_key = 'approval.decide' AND role_id = "
            "(SELECT id FROM roles WHERE key = 'manager')")  # fmt: skip
    assert not lookups.policy_for(db, mgr).can("approval.decide")

    # Sign-in bookkeeping does not touch the stamp; disabling someone does.
    before = stamp(db)
    users.sign_in(db, "frontdesk", PASSWORD, "test-pc")
    assert stamp(db) == before
    raw(db, "UPDATE users SET active = :off WHERE id = :id", off=False, id=mgr.user_id)
    with pytest.raises(PermissionDenied, match="disabled"):
        q.my_queue(db, mgr)


def test_the_active_flag_is_read_every_call_even_without_a_stamp_change(db, staff):
    """Belt and braces: the account is checked on every call, not taken from the cache."""
    fd = staff.front_desk
    q.my_queue(db, fd)
    with db.engine.begin() as conn:
        kept = conn.execute(text("SELECT value FROM change_stamp")).scalar()
        conn.execute(text("UPDATE users SET active = :off WHERE id = :id"),
                     {"off": False, "id": fd.user_id})  # fmt: skip
        conn.execute(text("UPDATE change_stamp SET value = :v"), {"v": kept})  # as if no trigger
    with pytest.raises(PermissionDenied, match="disabled"):
        q.my_queue(db, fd)


def test_a_change_from_another_process_is_seen(db, staff):
    fd = staff.front_desk
    column_names(db, fd)
    if db.is_sqlite:
        script = f"""
            import sqlite3
            conn = sqlite3.connect({make_url(db.url).database!r})
            conn.execute("UPDATE locations SET name = 'Annex' WHERE is_default")
            conn.commit()
        """
    else:
        url = make_url(db.url).set(drivername="postgresql").render_as_string(False)
        script = f"""
            import psycopg
            with psycopg.connect({url!r}) as conn:
                conn.execute("UPDATE locations SET name = 'Annex' WHERE is_default")
        """
    subprocess.run([sys.executable, "-c", textwrap.dedent(script)], check=True)  # noqa: S603
    assert lookups.locations(db, fd)[0].label == "Annex"
    with db.read() as s:
        assert "Annex" in load_snapshot(s, fd).locations.values()


def test_nothing_is_re_read_while_nothing_changed(db, staff):
    fd = staff.front_desk
    seen: list[str] = []

    def calls() -> None:
        q.my_queue(db, fd)
        q.needs_attention(db, fd)
        with db.read() as s:
            definitions.practice_calendar(s)
            definitions.load_workflow(s, 1)

    calls()  # the first call fills the cache

    def log(conn, cursor, statement, params, context, executemany):
        seen.append(statement.lower())

    engines = {db.engine, db.read_engine}
    for engine in engines:
        event.listen(engine, "before_cursor_execute", log)
    try:
        calls()
    finally:
        for engine in engines:
            event.remove(engine, "before_cursor_execute", log)
    froms = [t for sql in seen for t in DEFINITION_TABLES if f"from {t}" in sql]
    assert froms == [], froms

    raw(db, "UPDATE settings SET updated_at = updated_at WHERE key = 'calendar'")
    for engine in engines:
        event.listen(engine, "before_cursor_execute", log)
    try:
        q.my_queue(db, fd)
    finally:
        for engine in engines:
            event.remove(engine, "before_cursor_execute", log)
    assert any("from statuses" in sql for sql in seen)  # re-read after the change


def test_a_missing_stamp_row_means_no_caching(db, staff):
    fd = staff.front_desk
    with db.engine.begin() as conn:
        conn.execute(text("DELETE FROM change_stamp"))
    assert column_names(db, fd)["new"] == "New"
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE statuses SET name = 'Fresh' WHERE key = 'new'"))
    assert column_names(db, fd)["new"] == "Fresh"


def test_threads_share_the_cache_and_see_changes(db, staff):
    fd, mgr = staff.front_desk, staff.manager

    def work(i: int) -> int:
        if i == 10:
            raw(db, "UPDATE reason_codes SET label = 'Changed' WHERE key = 'other'")
        return len(q.needs_attention(db, mgr)) + len(q.my_queue(db, fd)[0])

    with ThreadPoolExecutor(max_workers=4) as pool:
        assert list(pool.map(work, range(20))) == [0] * 20
    assert "Changed" in {r.label for r in lookups.reason_codes(db, fd)}
    with db.read() as s:
        assert "Changed" in {r.label for r in load_snapshot(s, mgr).reasons.values()}


def test_policy_is_cached_per_user(db, staff, monkeypatch):
    calls: list[int] = []
    real = core_actor._load_policy

    def counting(session, user_id):
        calls.append(user_id)
        return real(session, user_id)

    cache.clear()
    monkeypatch.setattr(core_actor, "_load_policy", counting)
    for _ in range(3):
        lookups.policy_for(db, staff.front_desk)
        lookups.policy_for(db, staff.manager)
    assert sorted(calls) == sorted([staff.front_desk.user_id, staff.manager.user_id])
