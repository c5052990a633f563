"""The demo practice: every workflow and status, every role, months of history written by
the real services, a verifiable audit chain, and no real people anywhere."""

from __future__ import annotations

import re
import shutil
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import text

from practiceboard import cli, demo
from practiceboard.core import clock, definitions
from practiceboard.db.engine import Database
from practiceboard.db.migrate import upgrade
from practiceboard.demo import data as demo_data
from practiceboard.domain.errors import PracticeBoardError
from practiceboard.domain.policy import DEFAULT_ROLES
from practiceboard.queries import board
from practiceboard.services import users

TASKS = 150
# The moment the demo practice is built and looked at: core.clock is held here (while it
# is built, and in every test of this module), so nothing here reads the wall clock.
BUILT_AT = datetime(2026, 3, 4, 17, 0, tzinfo=UTC)  # a Wednesday, noon in New York


@pytest.fixture(autouse=True)
def held_clock(clock):
    clock.set(BUILT_AT)
    return clock


@pytest.fixture(scope="module")
def built(tmp_path_factory, sqlite_template):
    """One demo practice for the module (building it takes a few seconds)."""
    root = tmp_path_factory.mktemp("demo")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("PRACTICEBOARD_HOME", str(root / "home"))
        mp.setattr(clock, "source", lambda: BUILT_AT)
        path = root / "demo.db"
        shutil.copyfile(sqlite_template, path)
        db = Database(f"sqlite:///{path}", workstation="demo-pc")
        result = demo.generate_demo(db, tasks=TASKS, seed=1)
        db.dispose()
    return path, root / "home" / "config" / "audit-keys", result


@pytest.fixture
def demo_db(built, tmp_path, pb_home):
    """A private copy of the demo database, with its audit key on this test's 'PC'."""
    path, keys, _result = built
    copy = tmp_path / "demo.db"
    shutil.copyfile(path, copy)
    shutil.copytree(keys, pb_home / "config" / "audit-keys", dirs_exist_ok=True)
    db = Database(f"sqlite:///{copy}", workstation="test-pc")
    yield db
    db.dispose()


def _all(db: Database, sql: str):
    with db.read() as s:
        return s.execute(text(sql)).all()


def _one(db: Database, sql: str):
    return _all(db, sql)[0][0]


def test_result_counts_what_was_built(built, demo_db):
    _p, _k, result = built
    assert result.tasks == _one(demo_db, "SELECT count(*) FROM tasks")
    assert abs(result.tasks - TASKS) <= TASKS * 0.1
    assert result.patients == _one(demo_db, "SELECT count(*) FROM patients") >= 40
    assert result.plans == _one(demo_db, "SELECT count(*) FROM care_plans") >= 3


def test_every_workflow_and_every_status_holds_tasks(demo_db):
    empty = _all(demo_db, """
        SELECT w.key, s.key FROM statuses s JOIN workflows w ON w.id = s.workflow_id
        WHERE NOT EXISTS (SELECT 1 FROM tasks t WHERE t.status_id = s.id)""")  # fmt: skip
    assert empty == []


def test_every_role_has_an_account_with_the_demo_password(built, demo_db):
    _p, _k, result = built
    roles = {r for _u, _n, rs, _pw in result.accounts for r in rs}
    assert roles == set(DEFAULT_ROLES)
    assert len(result.accounts) == 12
    assert {pw for *_x, pw in result.accounts} == {demo_data.DEMO_PASSWORD}
    assert len(demo_data.DEMO_PASSWORD) >= 12
    assert users.sign_in(demo_db, "lfontaine", demo_data.DEMO_PASSWORD).display_name == (
        "Luis Fontaine"
    )
    hashes = [h for (h,) in _all(demo_db, "SELECT password_hash FROM users")]
    assert all(h.startswith("$argon2id$") for h in hashes)


def test_history_has_reopens_rejections_send_backs_and_handoffs(demo_db):
    kinds = dict(_all(demo_db, "SELECT kind, count(*) FROM task_events GROUP BY kind"))
    for kind in ("created", "status", "handoff", "decision", "note", "reopen", "watch"):
        assert kinds.get(kind, 0) > 0, kind
    decisions = {
        d for (d,) in _all(demo_db, "SELECT decision FROM tasks WHERE decision IS NOT NULL")
    }
    assert {"approved", "rejected"} <= decisions
    actions = {a for (a,) in _all(demo_db, "SELECT DISTINCT action FROM audit_log")}
    assert {"approval.request", "approval.approve", "approval.reject", "approval.send_back",
            "task.reopen", "task.note", "task.watch", "careplan.create",
            "careplan.intervention.add", "patient.create"} <= actions  # fmt: skip
    assert _one(demo_db, "SELECT count(*) FROM task_events WHERE kind = 'handoff' AND manual") > 0
    assert (
        _one(demo_db, "SELECT count(*) FROM task_events WHERE kind = 'handoff' AND NOT manual") > 0
    )
    assert _one(demo_db, "SELECT count(*) FROM tasks WHERE reopen_count > 0") > 0


def test_every_move_that_needs_a_reason_has_one(demo_db):
    missing = _one(demo_db, """
        SELECT count(*) FROM task_events e
        JOIN transitions t ON t.from_status_id = e.from_status_id
                          AND t.to_status_id = e.to_status_id
        WHERE e.kind IN ('status', 'reopen') AND t.reason_kind IS NOT NULL
          AND e.reason_code_id IS NULL""")  # fmt: skip
    assert missing == 0


def test_history_spans_months_in_business_hours(demo_db):
    with demo_db.read() as s:
        cal = definitions.practice_calendar(s)
    created = [r[0] for r in _all(demo_db, "SELECT created_at FROM tasks")]
    first = min(datetime.fromisoformat(str(c)) for c in created)
    assert BUILT_AT.replace(tzinfo=None) - first > timedelta(days=150)
    last = max(
        datetime.fromisoformat(str(r[0])) for r in _all(demo_db, "SELECT at FROM task_events")
    )
    assert last <= BUILT_AT.replace(tzinfo=None)  # the history ends at the held clock
    tz = cal.tzinfo()
    for (at,) in _all(demo_db, "SELECT at FROM task_events"):
        local = datetime.fromisoformat(str(at)).replace(tzinfo=UTC).astimezone(tz)
        assert cal.is_business_day(local.date()), local
        assert cal.opens <= local.time() <= cal.closes, local


def test_each_task_history_is_in_order_and_starts_with_its_creation(demo_db):
    rows = _all(demo_db, "SELECT task_id, kind, at FROM task_events ORDER BY task_id, id")
    seen: dict[int, str] = {}
    for task_id, kind, at in rows:
        if task_id not in seen:
            assert kind == "created"
        else:
            assert str(at) >= seen[task_id]
        seen[task_id] = str(at)


def test_the_audit_log_reads_in_time_order(demo_db):
    times = [str(a) for (a,) in _all(demo_db, "SELECT at FROM audit_log ORDER BY id")]
    assert times == sorted(times)


def test_some_open_work_needs_attention_but_not_most(demo_db):
    manager = users.sign_in(demo_db, "dwhitcombe", demo_data.DEMO_PASSWORD)
    open_tasks = _one(demo_db, "SELECT count(*) FROM tasks WHERE closed_at IS NULL")
    flagged = len(board.needs_attention(demo_db, manager))
    assert open_tasks > 0
    assert 0 < flagged <= open_tasks / 2


def test_records_are_made_up_and_plausible(demo_db):
    payers = {
        p for (p,) in _all(demo_db, "SELECT DISTINCT payer FROM tasks WHERE payer IS NOT NULL")
    }
    assert payers <= {p for p, _w in demo_data.PAYERS}
    for mrn, name in _all(demo_db, "SELECT mrn, display_name FROM patients"):
        assert re.fullmatch(r"MRN-\d{5}", mrn)
        assert name.split()[-1] in demo_data.SURNAMES
    assert _one(demo_db, "SELECT count(*) FROM care_goals") > 0
    assert _one(demo_db, "SELECT count(*) FROM care_interventions") > 0
    care = _one(demo_db, """SELECT count(*) FROM tasks t JOIN workflows w ON w.id = t.workflow_id
                           WHERE w.key = 'care_task' AND t.care_plan_id IS NOT NULL""")  # fmt: skip
    assert care > 0


def test_audit_verify_passes_then_names_the_tampered_row(demo_db, capsys):
    assert cli.main(["audit", "verify", "--db", demo_db.url]) == 0
    assert "Audit log intact" in capsys.readouterr().out
    with demo_db.engine.begin() as conn:
        conn.exec_driver_sql("DROP TRIGGER audit_log_no_update")
        conn.exec_driver_sql("UPDATE audit_log SET outcome = 'denied' WHERE id = 200")
    assert cli.main(["audit", "verify", "--db", demo_db.url]) == 1
    assert capsys.readouterr().err.strip() == (
        "Audit log broken at row 200: its contents were changed"
    )


def test_audit_verify_names_a_deleted_row(demo_db, capsys):
    with demo_db.engine.begin() as conn:
        conn.exec_driver_sql("DROP TRIGGER audit_log_no_delete")
        conn.exec_driver_sql("DELETE FROM audit_log WHERE id = 150")
    assert cli.main(["audit", "verify", "--db", demo_db.url]) == 1
    assert "broken at row 151" in capsys.readouterr().err


def test_generate_refuses_a_database_with_a_practice(demo_db):
    with pytest.raises(PracticeBoardError, match="only goes into an empty database"):
        demo.generate_demo(demo_db, tasks=10)


def test_the_clock_and_the_pragmas_are_restored(sqlite_db):
    before = clock.source
    demo.generate_demo(sqlite_db, tasks=12, seed=3)
    assert clock.source is before
    with sqlite_db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL


def test_same_seed_and_day_give_the_same_practice(tmp_path, sqlite_template):
    def build(name: str) -> list:
        path = tmp_path / name
        shutil.copyfile(sqlite_template, path)
        db = Database(f"sqlite:///{path}")
        demo.generate_demo(db, tasks=20, seed=7, today=date(2026, 6, 3))
        rows = _all(db, "SELECT ref, title, status_id, owner_id, created_at FROM tasks ORDER BY id")
        db.dispose()
        return rows

    assert build("a.db") == build("b.db")


@pytest.mark.postgres
def test_demo_on_postgresql_and_replace(pg_db, capsys):
    assert cli.main(["demo", "--db", pg_db.url, "--tasks", "30"]) == 0
    assert cli.main(["demo", "--db", pg_db.url, "--tasks", "30"]) == 1
    assert "already holds a practice" in capsys.readouterr().err
    assert cli.main(["demo", "--db", pg_db.url, "--tasks", "25", "--replace"]) == 0
    out = capsys.readouterr().out
    assert "Backup of the replaced practice" in out and ".dump" in out
    assert cli.main(["audit", "verify", "--db", pg_db.url]) == 0
    db = Database(pg_db.url)
    upgrade(db, backup=False)  # still at head: nothing to do
    assert _one(db, "SELECT count(*) FROM users") == 12
    db.dispose()


def test_the_demo_has_approvals_in_every_state(demo_db):
    from practiceboard.queries import approvals as approval_q

    okafor = users.sign_in(demo_db, "hokafor", demo_data.DEMO_PASSWORD, "test-pc")
    priya = users.sign_in(demo_db, "pnatarajan", demo_data.DEMO_PASSWORD, "test-pc")
    box = approval_q.inbox(demo_db, okafor)
    assert {i.card.sla for i in box.items} >= {"breach", "warn", "ok"}
    assert max(i.rounds for i in box.items) >= 2  # sent back twice, resubmitted
    mine = approval_q.requester_queue(demo_db, priya)
    assert max(i.rounds for i in mine.sent_back) >= 2  # sent back twice, waiting on her
    assert any(i.card.sla == "breach" for i in mine.waiting)
    decisions = dict(_all(demo_db, "SELECT decision, count(*) FROM tasks GROUP BY decision"))
    assert all(decisions.get(d) for d in ("approved", "rejected", "sent_back"))
    assert _one(demo_db, "SELECT count(*) FROM audit_log WHERE action = 'approval.reassign'") >= 1
