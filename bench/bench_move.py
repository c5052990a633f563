"""Find (or make) a card to move back and forth for the "move a card" row.

A reversible move is two statuses of one workflow with transitions both ways that
need no reason, are not reopenings, keep the owner and are allowed to the person
moving. The card is an open task of the busiest worker in such a status, else any
open task in one (moved by its owner), else a new task of the worker put there.
"""

from __future__ import annotations

from sqlalchemy import select, text

from practiceboard.core import definitions
from practiceboard.core.actor import Actor, actor_policy
from practiceboard.db.engine import Database
from practiceboard.db.models import Task, User
from practiceboard.domain.workflow import Handoff
from practiceboard.services import tasks as task_s
from practiceboard.services.users import sign_in


def reversible_pairs(db: Database, actor: Actor) -> dict[int, int]:
    """status -> the status it can go to and come back from, for this actor."""
    with db.read() as s:
        policy = actor_policy(s, actor)
        workflows = definitions.all_workflows(s)
    pairs: dict[int, int] = {}
    for wf in workflows:
        if not policy.sees_workflow(wf.id):
            continue
        plain = {
            (t.from_status_id, t.to_status_id)
            for t in wf.transitions
            if t.reason_kind is None and not t.is_reopen and t.handoff == Handoff.KEEP
            and policy.can(t.capability)
        }  # fmt: skip
        for a, b in plain:
            if (b, a) in plain:
                pairs.setdefault(a, b)
    return pairs


def _open_task_in(db: Database, statuses, owner_id: int | None = None) -> tuple[int, int] | None:
    """(task id, owner id) of an open task in one of these statuses."""
    if not statuses:
        return None
    q = select(Task.id, Task.owner_id).where(
        Task.closed_at.is_(None), Task.status_id.in_(sorted(statuses))
    )
    if owner_id is not None:
        q = q.where(Task.owner_id == owner_id)
    with db.read() as s:
        return s.execute(q.order_by(Task.id).limit(1)).first()


def find_move(db: Database, worker: Actor, password: str) -> tuple[Actor, int, int, int] | None:
    """(who moves, task id, status a, status b) with the task now in a; None when no
    workflow offers the worker a reversible move."""
    pairs = reversible_pairs(db, worker)
    mine = _open_task_in(db, pairs, worker.user_id)
    if mine is not None:
        status = _status_of(db, mine[0])
        return worker, mine[0], status, pairs[status]
    theirs = _open_task_in(db, _all_pair_statuses(db))
    if theirs is not None:
        with db.read() as s:
            name = s.scalar(select(User.username).where(User.id == theirs[1]))
        owner = sign_in(db, name, password, "bench")
        owner_pairs, status = reversible_pairs(db, owner), _status_of(db, theirs[0])
        if status in owner_pairs:
            return owner, theirs[0], status, owner_pairs[status]
    return _made(db, worker, pairs) if pairs else None


def _all_pair_statuses(db: Database) -> set[int]:
    with db.read() as s:
        rows = s.execute(text(
            "SELECT a.from_status_id FROM transitions a JOIN transitions b "
            "ON a.from_status_id = b.to_status_id AND a.to_status_id = b.from_status_id "
            "WHERE a.reason_kind IS NULL AND b.reason_kind IS NULL "
            "AND a.is_reopen = false AND b.is_reopen = false"))  # fmt: skip
        return {r[0] for r in rows}


def _status_of(db: Database, task_id: int) -> int:
    with db.read() as s:
        return s.scalar(select(Task.status_id).where(Task.id == task_id))


def _made(db: Database, worker: Actor, pairs: dict[int, int]) -> tuple[Actor, int, int, int]:
    """A new task of the worker's, put straight into a status of a reversible pair
    (bench set-up, not measured)."""
    a = min(pairs)
    with db.read() as s:
        wf_id = next(wf.id for wf in definitions.all_workflows(s) if a in
                     {st.id for st in wf.statuses})  # fmt: skip
    saved = task_s.create_task(
        db, worker, task_s.TaskDraft(wf_id, "Bench: a card to move", owner_id=worker.user_id)
    )
    with db.write() as s:
        s.execute(text("UPDATE tasks SET status_id = :a WHERE id = :i"), {"a": a, "i": saved.id})
    return worker, saved.id, a, pairs[a]
