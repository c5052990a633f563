"""What the alert scan needs to know, read in a handful of indexed queries.

Only *recent* happenings are read: a threshold crossed, a hand-off or a send-back
within the look-back window (``LOOKBACK_BUSINESS_HOURS``). A scan therefore costs
the same on a practice with years of history, and the first scan after a long
absence does not flood anyone with old news. What was already raised is filtered
out by its de-duplication key, read for the candidate tasks only.

No actor: the scan runs for the practice (or for the signed-in user) on the
scheduler's behalf, and returns facts, not patient data.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session, aliased

from practiceboard.core import cache
from practiceboard.core.definitions import every_workflow, practice_calendar, setting
from practiceboard.db.engine import Database
from practiceboard.db.models import (
    AlertPreference,
    AlertSnooze,
    Notification,
    RoleCapability,
    Status,
    Task,
    TaskEvent,
    User,
    UserRole,
    Workflow,
)
from practiceboard.domain.alerts import (
    CareItem,
    Crossing,
    Handover,
    ScanFacts,
    TaskFact,
    care_digest_key,
    parse_clock,
)
from practiceboard.domain.calendar import PracticeCalendar
from practiceboard.domain.policy import Cap
from practiceboard.domain.workflow import WorkflowDef

LOOKBACK_BUSINESS_HOURS = 18.0  # two default business days
CARE_OVERDUE_DAYS = 14  # a care follow-up overdue longer than this is old news


def scan_facts(db: Database, at: datetime, user_id: int | None = None) -> ScanFacts:
    """Everything the rules need at ``at`` — for one person, or everyone when None."""
    with db.read() as session:
        stamp = cache.current(session)[0]  # one look at the change stamp for the whole scan
        cal = practice_calendar(session, stamp)
        workflows = every_workflow(session, stamp)
        local = at.astimezone(cal.tzinfo())
        today = local.date()
        is_manager = (
            select(RoleCapability.role_id)
            .join(UserRole, UserRole.role_id == RoleCapability.role_id)
            .where(UserRole.user_id == User.id, RoleCapability.capability_key == Cap.TASK_REASSIGN)
            .exists()
        )
        people = session.execute(select(User.id, is_manager).where(User.active)).all()
        active = frozenset(uid for uid, _ in people)
        managers = frozenset(uid for uid, manager in people if manager)
        whose = _whose_crossings(session, user_id, managers, workflows)
        crossings = _crossings(session, cal, at, workflows, whose)
        handovers = _handovers(session, cal, at, user_id)
        care_due, care_overdue = _care(session, today, user_id)
        approvers = _approvers(session, crossings)
        task_ids = {c.task.id for c in crossings} | {h.task.id for h in handovers}
        task_ids |= {c.task.id for c in care_overdue}
        only = None if user_id is None else [user_id]
        muted, digest_time = _preferences(session, only)
        return ScanFacts(
            now=at,
            today=today,
            local_time=local.time(),
            opened_at=cal.opened_at(at),
            show_titles=setting(session, "alerts_show_titles", stamp=stamp),
            crossings=crossings,
            handovers=handovers,
            care_due=care_due,
            care_overdue=care_overdue,
            managers=managers,
            active_users=active,
            muted=muted,
            digest_time=digest_time,
            snoozed=_snoozed(session, at, only),
            raised=_raised(session, task_ids, today, only),
            approvers=approvers,
        )


def _fact_columns():
    return (Task.id, Task.ref, Workflow.name, Task.title)


def _whose_crossings(
    session: Session, user_id: int | None, managers: frozenset[int], workflows: list[WorkflowDef]
):
    """For one person's scan, the crossings that can concern them: their own tasks, and
    at breach also what escalates to them (requests in review). None: everyone's."""
    if user_id is None:
        return None
    mine = Task.owner_id == user_id  # each its own query: an OR would defeat the indexes
    # Escalations: every request in review for a manager; for anyone else, those of the
    # workflows whose approver role they hold. (A manager's bundle of every other breach
    # comes from the practice-wide scan.)
    if user_id not in managers:
        roles = set(session.scalars(select(UserRole.role_id).where(UserRole.user_id == user_id)))
        workflows = [wf for wf in workflows if wf.approver_role_id in roles]
    review = frozenset(s.id for wf in workflows for s in wf.statuses if s.category == "review")
    backup = [review] if review else []
    return {"warn": [mine], "breach": [mine, *backup]}


def _crossings(
    session: Session,
    cal: PracticeCalendar,
    at: datetime,
    workflows: list[WorkflowDef],
    whose: dict | None = None,
) -> list[Crossing]:
    """Open tasks in timed, unpaused statuses whose warn or breach moment fell inside the
    look-back window: entered the status at or before cutoff(h), after cutoff(h + window);
    ``whose`` limits each level to the tasks one person's alerts can come from: a list of
    limits, each read on its own — a condition, or a set of status ids (the window is then
    built over those statuses alone, so each branch uses the status index)."""
    timed = {s.id: (wf, s) for wf in workflows for s in wf.statuses
             if s.is_open and not s.pauses_sla}  # fmt: skip
    cut: dict[float, datetime] = {}

    def cutoff(hours: float) -> datetime:
        if hours not in cut:
            cut[hours] = cal.business_cutoff(at, hours)
        return cut[hours]

    out: list[Crossing] = []
    for level in ("warn", "breach"):
        groups: dict[float, set[int]] = {}
        for sid, (_wf, status) in timed.items():
            hours = status.warn_hours if level == "warn" else status.breach_hours
            if hours is not None:
                groups.setdefault(float(hours), set()).add(sid)
        found: dict[int, Crossing] = {}
        for only in [None] if whose is None else whose[level]:
            statuses = only if isinstance(only, frozenset) else None
            window = [
                and_(
                    Task.status_id.in_(sorted(ids if statuses is None else ids & statuses)),
                    Task.status_since <= cutoff(hours),
                    Task.status_since > cutoff(hours + LOOKBACK_BUSINESS_HOURS),
                )
                for hours, ids in sorted(groups.items())
                if statuses is None or ids & statuses
            ]
            if not window:
                continue
            query = select(
                Task.id, Task.ref, Task.title, Task.owner_id, Task.status_since, Task.status_id
            ).where(Task.closed_at.is_(None), or_(*window))
            if only is not None and statuses is None:
                query = query.where(only)
            for tid, ref, title, owner, since, sid in session.execute(query):
                wf, status = timed[sid]
                fact = TaskFact(tid, ref, wf.name, title)
                found[tid] = Crossing(fact, owner, level, since, status.category, wf.id,
                                      wf.approver_role_id)  # fmt: skip
        out.extend(found.values())
    return out


def _handovers(
    session: Session, cal: PracticeCalendar, at: datetime, user_id: int | None
) -> list[Handover]:
    """Creations for someone else and hand-offs within the window, to tasks still open and
    still owned by the person they went to; a hand-off that came with a send-back decision
    is a send-back."""
    since = cal.business_cutoff(at, LOOKBACK_BUSINESS_HOURS)
    decision = aliased(TaskEvent)
    sent_back = (
        select(decision.id)
        .join(Status, Status.id == decision.to_status_id)
        .where(
            decision.task_id == TaskEvent.task_id,
            decision.at == TaskEvent.at,
            decision.kind == "decision",
            Status.decision == "sent_back",
        )
        .exists()
    )
    q = (
        select(TaskEvent.id, *_fact_columns(), TaskEvent.to_owner_id, sent_back)
        .join(Task, Task.id == TaskEvent.task_id)
        .join(Workflow, Workflow.id == Task.workflow_id)
        .where(
            TaskEvent.kind.in_(("created", "handoff")),
            TaskEvent.at > since,
            TaskEvent.at <= at,
            TaskEvent.to_owner_id.is_not(None),
            TaskEvent.to_owner_id != TaskEvent.actor_id,
            Task.owner_id == TaskEvent.to_owner_id,
            Task.closed_at.is_(None),
        )
    )
    if user_id is not None:
        q = q.where(TaskEvent.to_owner_id == user_id)
    return [
        Handover(r[0], TaskFact(r[1], r[2], r[3], r[4]), r[5], bool(r[6]))
        for r in session.execute(q.order_by(TaskEvent.id))
    ]


def _care(
    session: Session, today: date, user_id: int | None
) -> tuple[list[CareItem], list[CareItem]]:
    q = (
        select(*_fact_columns(), Task.owner_id, Task.due_date)
        .join(Workflow, Workflow.id == Task.workflow_id)
        .where(
            Workflow.kind == "care",
            Task.closed_at.is_(None),
            Task.due_date <= today,
            Task.due_date >= today - timedelta(days=CARE_OVERDUE_DAYS),
        )
    )
    if user_id is not None:
        q = q.where(Task.owner_id == user_id)
    due, overdue = [], []
    for r in session.execute(q):
        item = CareItem(TaskFact(r[0], r[1], r[2], r[3]), r[4], r[5])
        (due if item.due_date == today else overdue).append(item)
    return due, overdue


def _approvers(session: Session, crossings: list[Crossing]) -> dict[int, list[int]]:
    """Active members of each approver role that a breached review task needs, least
    loaded first (the backup approver is the first who is not the current owner)."""
    roles = {
        c.approver_role_id
        for c in crossings
        if c.level == "breach" and c.category == "review" and c.approver_role_id is not None
    }
    if not roles:
        return {}
    load = (
        select(func.count(Task.id))
        .where(Task.owner_id == User.id, Task.closed_at.is_(None))
        .correlate(User)
        .scalar_subquery()
    )
    out: dict[int, list[int]] = {role: [] for role in roles}
    for role_id, uid in session.execute(
        select(UserRole.role_id, User.id)
        .join(User, User.id == UserRole.user_id)
        .where(UserRole.role_id.in_(sorted(roles)), User.active)
        .order_by(UserRole.role_id, load, User.id)
    ):
        out[role_id].append(uid)
    return out


def _preferences(
    session: Session, people: list[int] | None
) -> tuple[dict[int, frozenset[str]], dict[int, time]]:
    """Each person's muted kinds and digest time (no row: every kind, the default time)."""
    q = select(AlertPreference.user_id, AlertPreference.muted_kinds, AlertPreference.digest_time)
    if people is not None:
        q = q.where(AlertPreference.user_id.in_(people))
    muted, digest = {}, {}
    for uid, kinds, text in session.execute(q):
        muted[uid], digest[uid] = frozenset(kinds or ()), parse_clock(text)
    return muted, digest


def _snoozed(session: Session, at: datetime, people: list[int] | None) -> frozenset:
    q = select(AlertSnooze.user_id, AlertSnooze.task_id).where(AlertSnooze.until > at)
    if people is not None:
        q = q.where(AlertSnooze.user_id.in_(people))
    return frozenset(session.execute(q).tuples())


def _raised(
    session: Session, task_ids: set[int], today: date, people: list[int] | None
) -> frozenset[tuple[int, str]]:
    """Keys already recorded for the candidate tasks, plus today's digests."""
    terms = [Notification.dedupe_key == care_digest_key(today)]
    if task_ids:
        terms.append(Notification.task_id.in_(sorted(task_ids)))
    q = select(Notification.user_id, Notification.dedupe_key).where(or_(*terms))
    if people is not None:
        q = q.where(Notification.user_id.in_(people))
    return frozenset(session.execute(q).tuples())


def opened_at(db: Database, at: datetime) -> datetime | None:
    """When the practice opened today if it is open at ``at``; None in quiet hours."""
    with db.read() as session:
        return practice_calendar(session).opened_at(at)
