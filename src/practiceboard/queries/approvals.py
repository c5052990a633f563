"""The approvals inbox's reads: what waits on an approver, what came back to a
requester and what waits on others, the manager's view by approver, and one
request's rounds.

Lists read open tasks in review (or sent back) through the board's index, then the
request events of just those tasks (who asked, what, how often it came back) in
one query each; SLA badges are the cards' (core cutoffs), and the waiting time is
business hours on the practice calendar, which the services pause while a request
waits on its requester (services.approvals).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from practiceboard.core import definitions
from practiceboard.core.actor import Actor, actor_policy
from practiceboard.core.rows import (
    ApprovalInbox,
    ApprovalItem,
    ApprovalRound,
    ApproverLoad,
    Card,
    CountRow,
    DurationStat,
    Option,
    RateStat,
    ReasonRow,
    RequesterQueue,
    TaskDetail,
)
from practiceboard.core.unit import record_denial, refusals_audited
from practiceboard.db.engine import Database
from practiceboard.db.models import Task, TaskEvent
from practiceboard.domain.decisions import Decision
from practiceboard.domain.errors import NotFound
from practiceboard.domain.policy import Cap, denial_message
from practiceboard.queries import filters, lookups, metrics
from practiceboard.queries.cards import Snapshot, build_cards, card_select, fetch, load_snapshot
from practiceboard.queries.tasks import NOT_YOURS, task_detail

INBOX_LIMIT = 1000  # the most an inbox lists at once (the header counts them all)
SLA_RANK = {"breach": 0, "warn": 1, "ok": 2, "paused": 3}


def _approving(session: Session, snap: Snapshot) -> set[int]:
    """The visible workflows whose approver role this person holds."""
    held, seen = snap.policy.role_ids, set(snap.visible)
    return {
        wf.id
        for wf in definitions.every_workflow(session)
        if wf.approver_role_id in held and wf.id in seen
    }


def _review_ids(snap: Snapshot) -> list[int]:
    return snap.status_ids(categories=("review",))


def _sent_back_ids(snap: Snapshot) -> list[int]:
    seen = set(snap.visible)
    return sorted(
        s.id
        for s in snap.statuses.values()
        if s.workflow_id in seen and s.decision == Decision.SENT_BACK
    )


@dataclass(frozen=True)
class _Asked:
    by: int | None
    question: str | None
    rounds: int


def _asked(session, snap: Snapshot, ids: list[int], among) -> dict[int, _Asked]:
    """Per task of ``ids``: who asked the current round and what (the last move into
    review from outside it), and how many times it was sent back. ``among`` is the SELECT
    of task ids the list was read with: the database matches the events to it, where a
    bound list of hundreds of ids costs more to send (and parse) than the query itself."""
    if not ids:
        return {}
    review = _review_ids(snap)
    last: dict[int, tuple[int, str | None]] = {}
    for task_id, actor_id, note in session.execute(
        select(TaskEvent.task_id, TaskEvent.actor_id, TaskEvent.note)
        .where(
            TaskEvent.task_id.in_(among),
            TaskEvent.kind.in_(("status", "reopen")),
            TaskEvent.to_status_id.in_(review),
            or_(TaskEvent.from_status_id.is_(None), TaskEvent.from_status_id.not_in(review)),
        )
        .order_by(TaskEvent.task_id, TaskEvent.at, TaskEvent.id)
    ):
        last[task_id] = (actor_id, note)
    back = _sent_back_ids(snap) or [-1]
    rounds = dict(
        session.execute(
            select(TaskEvent.task_id, func.count(TaskEvent.id))
            .where(
                TaskEvent.task_id.in_(among),
                TaskEvent.kind == "status",
                TaskEvent.to_status_id.in_(back),
            )
            .group_by(TaskEvent.task_id)
        )
        .tuples()
        .all()
    )
    return {i: _Asked(*(last.get(i) or (None, None)), rounds.get(i, 0)) for i in ids}


def _items(snap: Snapshot, cards: list[Card], asked: dict[int, _Asked], back=None):
    out = []
    for card in cards:
        a = asked.get(card.id) or _Asked(None, None, 0)
        extra = back.get(card.id) if back else None
        out.append(
            ApprovalItem(
                card=card,
                question=a.question,
                asked_by_name=snap.users.get(a.by, "") if a.by else "",
                waiting_hours=snap.cal.business_hours(card.status_since, snap.now),
                rounds=a.rounds,
                **(extra or {}),
            )
        )
    return out


def _urgent_first(items: list[ApprovalItem]) -> list[ApprovalItem]:
    return sorted(items, key=lambda i: (SLA_RANK.get(i.card.sla, 9), i.card.status_since))


def _day_start(snap: Snapshot) -> datetime:
    return datetime.combine(snap.today, time(0), tzinfo=snap.cal.tzinfo())


@refusals_audited("approvals.view", "approvals")
def inbox(
    db: Database, actor: Actor, *, limit: int = INBOX_LIMIT, now: datetime | None = None
) -> ApprovalInbox:
    """What waits on this approver: open requests in review they hold (owner), that
    name them (provider), or of a workflow whose approver role they hold (a colleague's
    request may be decided by any of them), except their own; past breach first, then
    the longest waiting. Empty for someone who may not decide."""
    with db.read() as session:
        snap = load_snapshot(session, actor, now)
        if not snap.policy.can(Cap.APPROVAL_DECIDE):
            return ApprovalInbox((), 0, None, 0)
        review = _review_ids(snap)
        me = actor.user_id
        decided_today = session.scalar(
            select(func.count(TaskEvent.id)).where(
                TaskEvent.kind == "decision",
                TaskEvent.at >= _day_start(snap),
                TaskEvent.actor_id == me,
            )
        )
        if not review:
            return ApprovalInbox((), 0, None, decided_today or 0)
        where = (
            Task.closed_at.is_(None),
            filters.workflow_scope(snap),
            Task.status_id.in_(review),
            or_(
                Task.owner_id == me,
                Task.provider_id == me,
                Task.workflow_id.in_(sorted(_approving(session, snap))),
            ),
            Task.requester_id != me,
        )
        # Unordered, the database reads them through the open-work index of the approver's
        # workflows; ordering by age would walk every open task oldest first. Sorted here,
        # unless there are more than a page (then the oldest page, in SQL).
        rows = fetch(session, snap, card_select(snap).where(*where).limit(limit + 1))
        if len(rows) > limit:
            total = session.scalar(select(func.count(Task.id)).where(*where)) or 0
            ordered = card_select(snap).where(*where).order_by(Task.status_since, Task.id)
            rows = fetch(session, snap, ordered.limit(limit))
        else:
            total = len(rows)
        cards = build_cards(snap, rows)
        asked = _asked(session, snap, [c.id for c in cards], select(Task.id).where(*where))
    items = [i for i in _items(snap, cards, asked) if asked[i.card.id].by != me]
    oldest = max((i.waiting_hours for i in items), default=None)
    return ApprovalInbox(tuple(_urgent_first(items)), total, oldest, decided_today or 0)


@refusals_audited("approvals.view", "approvals")
def requester_queue(db: Database, actor: Actor, *, now: datetime | None = None) -> RequesterQueue:
    """A requester's side of approvals: requests sent back to them (the newest first,
    with the approver's reason and note), then their requests waiting on someone
    else (the longest waiting first)."""
    with db.read() as session:
        snap = load_snapshot(session, actor, now)
        me = actor.user_id
        back_ids = _sent_back_ids(snap)
        scope = (Task.closed_at.is_(None), filters.workflow_scope(snap))
        back_rows, decided, back_where = [], {}, ()
        if back_ids:
            back_where = (*scope, Task.owner_id == me, Task.status_id.in_(back_ids))
            back_rows = fetch(session, snap, card_select(snap).where(*back_where))
            for tid, reason_id, note, by, at in session.execute(
                select(
                    Task.id, Task.decision_reason_id, Task.decision_note, Task.decided_by_id,
                    Task.decided_at,
                ).where(*back_where)
            ):  # fmt: skip
                reason = snap.reasons.get(reason_id) if reason_id else None
                decided[tid] = {
                    "back_reason": reason.label if reason else None,
                    "back_note": note,
                    "back_by_name": snap.users.get(by) if by else None,
                    "back_at": at,
                }
        review = _review_ids(snap)
        wait_rows, wait_where = [], (*scope, Task.status_id.in_(review), Task.owner_id != me)
        if review:
            wait_rows = fetch(session, snap, card_select(snap).where(*wait_where))
        back_cards, wait_cards = build_cards(snap, back_rows), build_cards(snap, wait_rows)
        asked = {}
        if back_cards:
            asked |= _asked(session, snap, [c.id for c in back_cards],
                            select(Task.id).where(*back_where))  # fmt: skip
        if wait_cards:
            asked |= _asked(session, snap, [c.id for c in wait_cards],
                            select(Task.id).where(*wait_where))  # fmt: skip
    mine = [c for c in wait_cards if c.requester_id == me or asked[c.id].by == me]
    sent_back = _items(snap, back_cards, asked, decided)
    epoch = datetime.min.replace(tzinfo=snap.now.tzinfo)
    # Ties (asked at the same moment) in reference order, so the list never shuffles.
    sent_back.sort(key=lambda i: (i.back_at or epoch, -i.card.id), reverse=True)
    waiting = sorted(_items(snap, mine, asked), key=lambda i: (i.card.status_since, i.card.id))
    return RequesterQueue(tuple(sent_back), tuple(waiting))


# ---------------------------------------------------------------- the manager's view


@dataclass(frozen=True)
class ApprovalFlow:
    """Pending requests by approver and the figures of the flow: turnaround this
    week and last (per approval workflow), rework rate, top rejection and
    send-back reasons (this week and last together)."""

    loads: tuple[ApproverLoad, ...]
    week_start: datetime
    turnaround_this_week: tuple[DurationStat, ...]
    turnaround_last_week: tuple[DurationStat, ...]
    rework_this_week: tuple[RateStat, ...]
    rework_last_week: tuple[RateStat, ...]
    top_reasons: tuple[CountRow, ...]


@refusals_audited("approvals.flow", "approvals")
def approval_flow(db: Database, actor: Actor, *, now: datetime | None = None) -> ApprovalFlow:
    """The manager's view (dashboards and reports): every pending request of the
    workflows they see, grouped by who holds it, the longest waiting first, and the
    approval metrics of queries.metrics."""
    with db.read() as session:
        snap = load_snapshot(session, actor, now)
        allowed = snap.policy.can(Cap.REPORTS_VIEW)
    if not allowed:
        message = denial_message(Cap.REPORTS_VIEW)
        raise record_denial(db, actor, "approvals.flow", "approvals", None, message)
    with db.read() as session:
        review = _review_ids(snap)
        cards: list[Card] = []
        pending = (Task.closed_at.is_(None), filters.workflow_scope(snap),
                   Task.status_id.in_(review))  # fmt: skip
        if review:
            cards = build_cards(snap, fetch(session, snap, card_select(snap).where(*pending)))
        asked = _asked(session, snap, [c.id for c in cards], select(Task.id).where(*pending))
        approval_wf = {s.workflow_id for s in snap.statuses.values() if s.category == "review"}
        keys = {snap.workflows[w].key for w in approval_wf}
    by_owner: dict[int, list[ApprovalItem]] = defaultdict(list)
    for item in _items(snap, cards, asked):
        by_owner[item.card.owner_id].append(item)
    loads = []
    for owner, items in by_owner.items():
        items.sort(key=lambda i: i.card.status_since)
        loads.append(
            ApproverLoad(
                owner,
                snap.users.get(owner, ""),
                tuple(items),
                sum(1 for i in items if i.card.sla == "breach"),
                sum(1 for i in items if i.card.sla == "warn"),
            )
        )
    loads.sort(key=lambda ld: (-ld.breaches, ld.items[0].card.status_since))
    local = snap.now.astimezone(snap.cal.tzinfo())
    monday = datetime.combine(
        local.date() - timedelta(days=local.weekday()), time(0), tzinfo=snap.cal.tzinfo()
    )
    before = monday - timedelta(days=7)

    def only(rows):
        return tuple(r for r in rows if r.key in keys)

    return ApprovalFlow(
        loads=tuple(loads),
        week_start=monday,
        turnaround_this_week=only(metrics.approval_turnaround(db, actor, monday, snap.now)),
        turnaround_last_week=only(metrics.approval_turnaround(db, actor, before, monday)),
        rework_this_week=only(metrics.rework_rate(db, actor, monday, snap.now)),
        rework_last_week=only(metrics.rework_rate(db, actor, before, monday)),
        top_reasons=tuple(
            metrics.top_reasons(
                db, actor, before, snap.now, kinds=("rejection", "needs_info"), limit=5
            )
        ),
    )


# ---------------------------------------------------------------- one request


@dataclass(frozen=True)
class Reading:
    """The reading pane: the task in full (its patient read audited by task_detail)
    and the rounds of its request."""

    detail: TaskDetail
    rounds: tuple[ApprovalRound, ...]


@refusals_audited("task.view", "task", "task_id")
def reading(db: Database, actor: Actor, task_id: int) -> Reading:
    detail = task_detail(db, actor, task_id)
    return Reading(detail, tuple(approval_rounds(db, actor, task_id)))


@refusals_audited("task.view", "task", "task_id")
def approval_rounds(db: Database, actor: Actor, task_id: int) -> list[ApprovalRound]:
    """Every round of a task's requests, oldest first: who asked and what, then who
    decided what, with the reason and note. A round still waiting has no decision."""
    with db.read() as session:
        snap = load_snapshot(session, actor)
        wf_id = session.scalar(select(Task.workflow_id).where(Task.id == task_id))
        if wf_id is None:
            raise NotFound("That task no longer exists. Refresh and try again.")
        visible = snap.policy.sees_workflow(wf_id)
        if visible:
            review = set(_review_ids(snap))
            rows = session.execute(
                select(
                    TaskEvent.kind, TaskEvent.at, TaskEvent.actor_id, TaskEvent.from_status_id,
                    TaskEvent.to_status_id, TaskEvent.reason_code_id, TaskEvent.note,
                    TaskEvent.data,
                )
                .where(
                    TaskEvent.task_id == task_id,
                    TaskEvent.kind.in_(("status", "reopen", "decision")),
                )
                .order_by(TaskEvent.at, TaskEvent.id)
            ).all()  # fmt: skip
    if not visible:
        raise record_denial(db, actor, "task.view", "task", task_id, NOT_YOURS)
    rounds: list[ApprovalRound] = []
    for kind, at, who, frm, to, reason_id, note, data in rows:
        name = snap.users.get(who, "")
        if kind != "decision" and to in review and frm not in review:
            rounds.append(
                ApprovalRound(len(rounds) + 1, at, name, note, None, None, None, None, None)
            )
        elif kind == "decision" and rounds and rounds[-1].decision is None:
            reason = snap.reasons.get(reason_id) if reason_id else None
            last = rounds[-1]
            rounds[-1] = ApprovalRound(
                last.number, last.asked_at, last.asked_by_name, last.question,
                (data or {}).get("decision"), name, at, reason.label if reason else None, note,
            )  # fmt: skip
    return rounds


# ---------------------------------------------------------------- what the dialogs offer


@dataclass(frozen=True)
class DecisionChoices:
    """What deciding offers: the reasons of a rejection and of a send-back, the
    practice's outcome notes per decision, and the practice's time zone."""

    rejection: tuple[ReasonRow, ...]
    needs_info: tuple[ReasonRow, ...]
    outcome_notes: dict[str, tuple[str, ...]]
    zone: str


@refusals_audited("approvals.view", "approvals")
def decision_choices(db: Database, actor: Actor) -> DecisionChoices:
    with db.read() as session:
        policy = actor_policy(session, actor)
        reasons = lookups.reason_codes_in(session, policy)
        notes: dict[str, list[str]] = defaultdict(list)
        for row in definitions.setting(session, "approval_outcome_notes") or ():
            if isinstance(row, dict) and row.get("decision") in set(Decision) and row.get("text"):
                notes[row["decision"]].append(str(row["text"])[:500])
        zone = definitions.practice_calendar(session).timezone
    return DecisionChoices(
        tuple(r for r in reasons if r.kind == "rejection"),
        tuple(r for r in reasons if r.kind == "needs_info"),
        {k: tuple(v) for k, v in notes.items()},
        zone,
    )


@dataclass(frozen=True)
class RequestTemplate:
    name: str
    question: str
    checklist: tuple[str, ...]


@dataclass(frozen=True)
class RequestChoices:
    """What "Request approval" offers for one task: who may decide it (the one the
    rule would pick, and the backup), the practice's templates for its workflow, and
    — on a resubmission — what the approver asked."""

    task_id: int
    ref: str
    title: str
    version: int
    workflow_name: str
    approvers: tuple[Option, ...]
    named_provider_id: int | None
    auto_name: str | None  # who "route automatically" hands it to
    backup_name: str | None  # the backup approver (escalation goes there too)
    templates: tuple[RequestTemplate, ...]
    resubmit: bool
    asked_reason: str | None
    asked_note: str | None


@refusals_audited("task.view", "task", "task_id")
def request_choices(db: Database, actor: Actor, task_id: int) -> RequestChoices:
    with db.read() as session:
        snap = load_snapshot(session, actor)
        task = session.get(Task, task_id)
        if task is None:
            raise NotFound("That task no longer exists. Refresh and try again.")
        if not snap.policy.sees_workflow(task.workflow_id):
            visible = False
        else:
            visible = True
            wf = definitions.load_workflow(session, task.workflow_id)
            asking = {actor.user_id, task.requester_id}
            ranked = definitions.least_loaded_members(session, wf.approver_role_id)
            others = [u for u in ranked if u not in asking]
            approvers = [
                Option(u, snap.users.get(u, ""))
                for u in sorted(others, key=lambda u: snap.users.get(u, ""))
            ]
            # The named provider counts too, when they may decide (intake may name anyone).
            named = task.provider_id if task.provider_id not in asking else None
            if named is not None and named not in others:
                approvers.insert(0, Option(named, snap.users.get(named, "")))
            auto = named if named is not None else (others[0] if others else None)
            backup = next((u for u in others if u != auto), None)
            src = wf.status(task.status_id)
            resubmit = src.decision == Decision.SENT_BACK
            reason = snap.reasons.get(task.decision_reason_id) if resubmit else None
            templates = [
                RequestTemplate(
                    str(t.get("name")),
                    str(t.get("question") or ""),
                    tuple(str(c) for c in t.get("checklist") or ()),
                )
                for t in definitions.setting(session, "approval_request_templates") or ()
                if isinstance(t, dict) and t.get("workflow") == wf.key and t.get("name")
            ]
            result = RequestChoices(
                task.id, task.ref, task.title, task.version, wf.name, tuple(approvers),
                named, snap.users.get(auto) if auto else None,
                snap.users.get(backup) if backup else None, tuple(templates), resubmit,
                reason.label if reason else None, task.decision_note if resubmit else None,
            )  # fmt: skip
    if not visible:
        raise record_denial(db, actor, "task.view", "task", task_id, NOT_YOURS)
    return result
