"""Concurrency and crashes (security.md 14–16): optimistic locking names who won, two
approvers deciding at the same instant leave exactly one decision, several processes
share one SQLite file without "database is locked", and a process killed mid-write
leaves nothing half-written."""

from __future__ import annotations

import multiprocessing
import os
import threading

import pytest
from sqlalchemy import func, select, text

from practiceboard.core import clock as core_clock
from practiceboard.core.actor import actor_policy
from practiceboard.db import audit
from practiceboard.db.engine import Database
from practiceboard.db.models import AuditEntry, Note, TaskEvent
from practiceboard.domain.errors import ConflictError
from practiceboard.services import approvals
from practiceboard.services import task_actions as actions
from practiceboard.services.tasks import load_for_change, move_in, move_task
from support import (
    START,
    counts,
    make_staff,
    new_task,
    reason_id,
    snapshot,
    status_id,
    status_key,
    task_row,
)

SPAWN = multiprocessing.get_context("spawn")


def verify_audit(db: Database) -> audit.VerifyResult:
    with db.read() as s:
        return audit.verify(s)


# ---------------------------------------------------------------- optimistic locking


def test_the_second_change_of_one_version_is_refused_naming_the_first(db, staff, clock):
    fran, max_ = staff.front_desk, staff.manager
    t = new_task(db, fran, owner_id=fran.user_id)  # both open the task at version 1

    actions.edit_task(db, fran, t.id, expected_version=1, title="Fran's title")
    before = snapshot(db)
    with pytest.raises(ConflictError) as err:
        move_task(db, max_, t.id, status_id(db, "referral", "ready"), expected_version=1)
    assert err.value.changed_by == "Fran Front"
    assert err.value.changed_at == START
    assert f"{t.ref} was changed by Fran Front at " in str(err.value)
    assert str(err.value).endswith("— reload to see their change.")
    assert snapshot(db) == before
    row = task_row(db, t.id)
    assert (row.title, status_key(db, row.status_id), row.version) == ("Fran's title", "new", 2)


def test_two_approvers_one_after_the_other_only_the_first_decides(db, staff, clock):
    cleo, max_ = staff.clinical, staff.manager
    other = staff.add("max2", ["manager"], "Mia Manager")
    t = new_task(db, cleo, "supply", "Printer toner")
    v = approvals.request_approval(db, cleo, t.id, expected_version=1).version

    approvals.approve(db, other, t.id, expected_version=v)
    # The second decider is told who decided, when, and what: nothing is decided twice.
    with pytest.raises(ConflictError, match="was already decided by Mia Manager at .*Approved"):
        approvals.reject(db, max_, t.id, expected_version=v,
                         reason_id=reason_id(db, "rejection", "over_budget"))  # fmt: skip
    row = task_row(db, t.id)
    assert (row.decision, row.decided_by_id) == ("approved", other.user_id)


@pytest.mark.postgres
def test_two_approvers_deciding_at_the_same_instant_exactly_one_wins(pg_db, monkeypatch):
    db = pg_db
    staff = make_staff(db)
    cleo, max_ = staff.clinical, staff.manager
    other = staff.add("max2", ["manager"], "Mia Manager")
    monkeypatch.setattr(core_clock, "source", lambda: START)
    t = new_task(db, cleo, "supply", "Exam table paper")
    v = approvals.request_approval(db, cleo, t.id, expected_version=1).version

    # Both deciders read the task at version v inside their transactions, then meet
    # here (the clock is read once per move, after the load) before either writes.
    barrier = threading.Barrier(2, timeout=30)

    def meeting_clock():
        if threading.current_thread().name.startswith("decider"):
            barrier.wait()
        return START

    monkeypatch.setattr(core_clock, "source", meeting_clock)
    outcomes: dict[str, object] = {}

    def decide(name, do):
        try:
            outcomes[name] = do()
        except Exception as exc:  # the test inspects whatever happened
            outcomes[name] = exc

    why = reason_id(db, "rejection", "not_covered")
    threads = [
        threading.Thread(name="decider-approve", target=decide, args=(
            "approve", lambda: approvals.approve(db, max_, t.id, expected_version=v))),
        threading.Thread(name="decider-reject", target=decide, args=(
            "reject", lambda: approvals.reject(db, other, t.id, expected_version=v,
                                               reason_id=why))),
    ]  # fmt: skip
    for th in threads:
        th.start()
    for th in threads:
        th.join(60)

    conflicts = [k for k, o in outcomes.items() if isinstance(o, ConflictError)]
    wins = [k for k, o in outcomes.items() if not isinstance(o, Exception)]
    assert len(conflicts) == 1 and len(wins) == 1, outcomes
    winner = {"approve": (max_, "approved"), "reject": (other, "rejected")}[wins[0]]
    assert outcomes[conflicts[0]].changed_by == winner[0].display_name
    assert f"already decided by {winner[0].display_name}" in str(outcomes[conflicts[0]])
    row = task_row(db, t.id)
    assert (row.decision, row.decided_by_id, row.version) == (winner[1], winner[0].user_id, v + 1)
    with db.read() as s:
        decisions = s.scalar(select(func.count(TaskEvent.id)).where(
            TaskEvent.task_id == t.id, TaskEvent.kind == "decision"))  # fmt: skip
        decided = s.scalars(select(AuditEntry.action).where(
            AuditEntry.action.in_(["approval.approve", "approval.reject"]))).all()  # fmt: skip
    assert decisions == 1 and len(decided) == 1
    assert verify_audit(db).ok


# ---------------------------------------------------------------- several processes, one file


def _busy_worker(url, actor, own_task, shared_task, statuses, reason, barrier, results):
    """One PC's worth of work: moves of its own task and notes on a shared one."""
    db = Database(url, workstation=f"pc-{actor.user_id}")
    problems, done = [], 0
    version = 1
    barrier.wait()
    try:
        for i in range(30):
            try:
                if i % 2:
                    actions.add_note(db, actor, shared_task, f"note {i} from {actor.username}")
                else:
                    to = statuses[(i // 2) % len(statuses)]
                    waiting = to == statuses[0]
                    version = move_task(
                        db, actor, own_task, to, expected_version=version,
                        reason_id=reason if waiting else None, note="asked" if waiting else None,
                    ).version  # fmt: skip
                done += 1
            except Exception as exc:  # reported to the parent
                problems.append(f"{type(exc).__name__}: {exc}")
    finally:
        db.dispose()
        results.put((actor.user_id, done, problems))


def test_several_processes_share_one_sqlite_file(sqlite_db):
    db = sqlite_db
    staff = make_staff(db)
    people = [staff.front_desk, staff.clinical, staff.care_coordinator]
    shared = new_task(db, staff.front_desk, owner_id=staff.front_desk.user_id).id
    own = [new_task(db, p, owner_id=p.user_id).id for p in people]
    statuses = [status_id(db, "referral", k) for k in ("waiting_records", "ready")]
    why = reason_id(db, "waiting", "records_pending")
    before = counts(db)

    barrier, results = SPAWN.Barrier(len(people), timeout=60), SPAWN.Queue()
    procs = [
        SPAWN.Process(target=_busy_worker,
                      args=(db.url, p, t, shared, statuses, why, barrier, results))
        for p, t in zip(people, own, strict=True)
    ]  # fmt: skip
    for p in procs:
        p.start()
    reports = [results.get(timeout=120) for _ in procs]
    for p in procs:
        p.join(30)

    assert [r[2] for r in reports] == [[], [], []]  # no "database is locked", nothing else
    assert sorted(r[1] for r in reports) == [30, 30, 30]
    after = counts(db)
    assert after["notes"] - before["notes"] == 45
    assert after["task_events"] - before["task_events"] == 90  # 45 notes, 45 moves
    assert after["audit_log"] - before["audit_log"] == 90
    for t in own:
        assert task_row(db, t).version == 1 + 15
    with db.read() as s:
        assert s.scalar(select(func.count(Note.id)).where(Note.task_id == shared)) == 45
        assert s.execute(text("PRAGMA integrity_check")).scalar() == "ok"
    assert verify_audit(db).ok


# ---------------------------------------------------------------- killed mid-write


def _dies_mid_move(url, actor, task_id, to_status_id):
    """Do the whole move (task update, events and audit row flushed), then die before
    the commit, as a power cut or a killed process would."""
    db = Database(url)
    with db.write() as session:
        policy = actor_policy(session, actor)
        task = load_for_change(session, task_id, 1)
        move_in(session, actor, policy, task, to_status_id)
        session.flush()
        os._exit(17)


def test_a_process_killed_mid_write_leaves_nothing_behind(db, staff, clock):
    fran = staff.front_desk
    t = new_task(db, fran, owner_id=fran.user_id)
    ready = status_id(db, "referral", "ready")
    before = snapshot(db)

    child = SPAWN.Process(target=_dies_mid_move, args=(db.url, fran, t.id, ready))
    child.start()
    child.join(60)

    assert child.exitcode == 17
    assert snapshot(db) == before  # the task, its event and its audit row: all absent
    if db.is_sqlite:
        with db.read() as s:
            assert s.execute(text("PRAGMA integrity_check")).scalar() == "ok"
    assert verify_audit(db).ok
    # Nothing is left locked: the same move now goes through.
    assert move_task(db, fran, t.id, ready, expected_version=1).version == 2
