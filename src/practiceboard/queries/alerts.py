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

import json
from datetime import date, datetime, time, timedelta
from functools import partial

from sqlalchemy import (
    Date,
    String,
    and_,
    bindparam,
    cast,
    func,
    literal_column,
    null,
    or_,
    select,
    union_all,
)
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
    UtcDateTime,
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
        # Who is active, who manages, who holds which role: stamped tables (an account
        # switched off bumps the stamp too), so read once per change, not every minute.
        active, managers, roles = cache.get(stamp, ("alert-people",), lambda: _people(session))
        whose = _whose_crossings(user_id, roles, workflows)
        crossings = _crossings(session, cal, at, workflows, whose, user_id, stamp)
        handovers = _handovers(session, cal, at, user_id)
        care_due, care_overdue = _care(session, today, user_id)
        approvers = _approvers(session, crossings)
        task_ids = {c.task.id for c in crossings} | {h.task.id for h in handovers}
        task_ids |= {c.task.id for c in care_overdue}
        only = None if user_id is None else [user_id]
        muted, digest_time, snoozed, raised = _held(session, at, task_ids, today, only)
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
            snoozed=snoozed,
            raised=raised,
            approvers=approvers,
        )


def _fact_columns():
    return (Task.id, Task.ref, Workflow.name, Task.title)


def _people(session: Session) -> tuple[frozenset[int], frozenset[int], dict[int, frozenset]]:
    """(active accounts, the managers among them, each active person's roles)."""
    is_manager = (
        select(RoleCapability.role_id)
        .join(UserRole, UserRole.role_id == RoleCapability.role_id)
        .where(UserRole.user_id == User.id, RoleCapability.capability_key == Cap.TASK_REASSIGN)
        .exists()
    )
    people = session.execute(select(User.id, is_manager).where(User.active)).all()
    active = frozenset(uid for uid, _ in people)
    roles: dict[int, set[int]] = {}
    for uid, role_id in session.execute(select(UserRole.user_id, UserRole.role_id)):
        if uid in active:
            roles.setdefault(uid, set()).add(role_id)
    managers = frozenset(uid for uid, manager in people if manager)
    return active, managers, {uid: frozenset(r) for uid, r in roles.items()}


LEVELS = ("warn", "breach")
MINE = "mine"  # a limit: the person's own tasks


def _whose_crossings(
    user_id: int | None,
    roles: dict[int, frozenset],
    workflows: list[WorkflowDef],
):
    """For one person's scan, the crossings that can concern them: their own tasks at
    either level, and at breach also what escalates to them (requests in review).
    None: everyone's. A list of (limit, levels), each limit read in one query."""
    if user_id is None:
        return None
    # "mine" (owner = the person) and the review statuses: each its own query, as an OR
    # of the two would defeat the indexes. Escalations: the requests in review of the
    # workflows whose approver role the person holds (they may be the backup approver).
    # A manager's escalations of the other workflows, like their bundle of every other
    # breach, come from the practice-wide scan: reading every request in review of the
    # practice every minute on every manager's PC is what that scan is there to spare.
    held = roles.get(user_id, frozenset())
    workflows = [wf for wf in workflows if wf.approver_role_id in held]
    review = frozenset(s.id for wf in workflows for s in wf.statuses if s.category == "review")
    return [(MINE, LEVELS)] + ([(review, ("breach",))] if review else [])


def _crossings(
    session: Session,
    cal: PracticeCalendar,
    at: datetime,
    workflows: list[WorkflowDef],
    whose: list | None,
    user_id: int | None,
    stamp: cache.Stamp,
) -> list[Crossing]:
    """Open tasks in timed, unpaused statuses whose warn or breach moment fell inside the
    look-back window: entered the status at or before cutoff(h), after cutoff(h + window).
    Both levels come from one query per limit and are told apart here. ``whose`` limits
    the tasks to those one person's alerts can come from: (limit, levels) pairs, the limit
    ``MINE`` or a set of status ids (the window is then built over those statuses alone,
    so the query uses the status index). The statements depend only on the workflows:
    built once per change stamp, run with this moment's cutoffs as parameters."""
    timed = {s.id: (wf, s) for wf in workflows for s in wf.statuses
             if s.is_open and not s.pauses_sla}  # fmt: skip
    cut: dict[float, datetime] = {}

    def cutoff(hours: float) -> datetime:
        if hours not in cut:
            cut[hours] = cal.business_cutoff(at, hours)
        return cut[hours]

    found: dict[tuple[str, int], Crossing] = {}
    for only, levels in [(None, LEVELS)] if whose is None else whose:
        statuses = only if isinstance(only, frozenset) else None
        key = ("alert-crossings", only, levels)
        built = cache.get(stamp, key, partial(_crossing_query, timed, only, levels))
        if built is None:
            continue
        query, hours = built
        params = {f"hi{i}": cutoff(h) for i, h in enumerate(hours)}
        params |= {f"lo{i}": cutoff(h + LOOKBACK_BUSINESS_HOURS) for i, h in enumerate(hours)}
        if only is not None:
            params["who"] = user_id
        for tid, ref, title, owner, since, sid in session.execute(query, params):
            wf, status = timed[sid]
            for level in levels:
                h = _threshold(status, level)
                if h is None or (statuses is not None and sid not in statuses):
                    continue
                if cutoff(h + LOOKBACK_BUSINESS_HOURS) < since <= cutoff(h):
                    found[(level, tid)] = Crossing(
                        TaskFact(tid, ref, wf.name, title), owner, level, since,
                        status.category, wf.id, wf.approver_role_id,
                    )  # fmt: skip
    return [c for level in LEVELS for (lv, _), c in found.items() if lv == level]


def _threshold(status, level: str) -> float | None:
    hours = status.warn_hours if level == "warn" else status.breach_hours
    return None if hours is None else float(hours)


# The alerts one person's scan can raise at each level: a threshold of their own task
# (warn / approval_warn, breach) or, at breach, an escalation to them.
PERSONAL_KINDS = {"warn": ("warn", "approval_warn"), "breach": ("breach", "escalation")}


def _crossing_query(timed: dict, only, levels: tuple[str, ...]):
    """(statement, the threshold hours of its windows in parameter order), or None when
    no status of the limit has a threshold. Window i: status in its ids, entered at or
    before :hi{i} and after :lo{i}.

    For one person's scan (a limit given) each window also leaves out the tasks whose
    alert of that level already reached the person (:who) during this stay in the status:
    a notification of the level's kinds created since the task entered it. Run every
    minute over a look-back of two business days, the scan otherwise re-reads every
    crossing it raised already (a busy manager's ~200 a minute)."""
    statuses = only if isinstance(only, frozenset) else None
    groups: dict[tuple[str, float], set[int]] = {}
    for sid, (_wf, status) in timed.items():
        if statuses is not None and sid not in statuses:
            continue
        for level in levels:
            hours = _threshold(status, level)
            if hours is not None:
                # Everyone's scan needs no level per window: merge the levels' windows.
                groups.setdefault((level if only is not None else "", hours), set()).add(sid)
    if not groups:
        return None
    windows = sorted(groups)

    def window(i: int, level: str, hours: float):
        terms = [
            Task.status_id.in_(sorted(groups[(level, hours)])),
            Task.status_since <= bindparam(f"hi{i}", type_=UtcDateTime),
            Task.status_since > bindparam(f"lo{i}", type_=UtcDateTime),
        ]
        if only is not None:
            terms.append(
                ~select(Notification.id)
                .where(
                    Notification.task_id == Task.id,
                    Notification.user_id == bindparam("who"),
                    Notification.kind.in_(PERSONAL_KINDS[level]),
                    Notification.created_at >= Task.status_since,
                )
                .exists()
            )
        return and_(*terms)

    query = select(
        Task.id, Task.ref, Task.title, Task.owner_id, Task.status_since, Task.status_id
    ).where(
        Task.closed_at.is_(None),
        or_(*(window(i, level, hours) for i, (level, hours) in enumerate(windows))),
    )
    if only == MINE:
        query = query.where(Task.owner_id == bindparam("who"))
    return query, [hours for _level, hours in windows]


_decision = aliased(TaskEvent)
_SENT_BACK = (
    select(_decision.id)
    .join(Status, Status.id == _decision.to_status_id)
    .where(
        _decision.task_id == TaskEvent.task_id,
        _decision.at == TaskEvent.at,
        _decision.kind == "decision",
        Status.decision == "sent_back",
    )
    .exists()
)
# Built once: a scan runs every minute, and building a statement costs more than
# running these small indexed ones.
_HANDOVERS = (
    select(TaskEvent.id, *_fact_columns(), TaskEvent.to_owner_id, _SENT_BACK)
    .join(Task, Task.id == TaskEvent.task_id)
    .join(Workflow, Workflow.id == Task.workflow_id)
    .where(
        TaskEvent.kind.in_(("created", "handoff")),
        TaskEvent.at > bindparam("since", type_=UtcDateTime),
        TaskEvent.at <= bindparam("at", type_=UtcDateTime),
        TaskEvent.to_owner_id.is_not(None),
        TaskEvent.to_owner_id != TaskEvent.actor_id,
        Task.owner_id == TaskEvent.to_owner_id,
        Task.closed_at.is_(None),
    )
    .order_by(TaskEvent.id)
)
_HANDOVERS_TO = _HANDOVERS.where(TaskEvent.to_owner_id == bindparam("user_id"))


def _handovers(
    session: Session, cal: PracticeCalendar, at: datetime, user_id: int | None
) -> list[Handover]:
    """Creations for someone else and hand-offs within the window, to tasks still open and
    still owned by the person they went to; a hand-off that came with a send-back decision
    is a send-back."""
    since = cal.business_cutoff(at, LOOKBACK_BUSINESS_HOURS)
    query = _HANDOVERS if user_id is None else _HANDOVERS_TO
    return [
        Handover(r[0], TaskFact(r[1], r[2], r[3], r[4]), r[5], bool(r[6]))
        for r in session.execute(query, {"since": since, "at": at, "user_id": user_id})
    ]


_CARE = (
    select(*_fact_columns(), Task.owner_id, Task.due_date)
    .join(Workflow, Workflow.id == Task.workflow_id)
    .where(
        Workflow.kind == "care",
        Task.closed_at.is_(None),
        Task.due_date <= bindparam("today", type_=Date),
        Task.due_date >= bindparam("oldest", type_=Date),
    )
)
_CARE_OF = _CARE.where(Task.owner_id == bindparam("user_id"))


def _care(
    session: Session, today: date, user_id: int | None
) -> tuple[list[CareItem], list[CareItem]]:
    query = _CARE if user_id is None else _CARE_OF
    params = {"today": today, "oldest": today - timedelta(days=CARE_OVERDUE_DAYS)}
    due, overdue = [], []
    for r in session.execute(query, params | {"user_id": user_id}):
        item = CareItem(TaskFact(r[0], r[1], r[2], r[3]), r[4], r[5])
        (due if item.due_date == today else overdue).append(item)
    return due, overdue


_LOAD = (
    select(func.count(Task.id))
    .where(Task.owner_id == User.id, Task.closed_at.is_(None))
    .correlate(User)
    .scalar_subquery()
)
_APPROVERS = (
    select(UserRole.role_id, User.id)
    .join(User, User.id == UserRole.user_id)
    .where(UserRole.role_id.in_(bindparam("roles", expanding=True)), User.active)
    .order_by(UserRole.role_id, _LOAD, User.id)
)


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
    out: dict[int, list[int]] = {role: [] for role in roles}
    for role_id, uid in session.execute(_APPROVERS, {"roles": sorted(roles)}):
        out[role_id].append(uid)
    return out


_HELD_PARTS = (
    select(
        literal_column("'muted'").label("what"), AlertPreference.user_id,
        null().label("task_id"), cast(AlertPreference.muted_kinds, String).label("text"),
        AlertPreference.digest_time.label("clock"),
    ),
    select(
        literal_column("'snoozed'"), AlertSnooze.user_id, AlertSnooze.task_id, null(), null(),
    ).where(AlertSnooze.until > bindparam("at", type_=UtcDateTime)),
    select(
        literal_column("'raised'"), Notification.user_id, null(), Notification.dedupe_key,
        null(),
    ).where(or_(
        Notification.dedupe_key == bindparam("digest"),
        Notification.task_id.in_(bindparam("task_ids", expanding=True)),
    )),
)  # fmt: skip
_HELD = union_all(*_HELD_PARTS)
_HELD_FOR = union_all(
    *(part.where(part.selected_columns[1].in_(bindparam("people", expanding=True)))
      for part in _HELD_PARTS)
)  # fmt: skip


def _held(
    session: Session, at: datetime, task_ids: set[int], today: date, people: list[int] | None
) -> tuple[dict[int, frozenset[str]], dict[int, time], frozenset, frozenset[tuple[int, str]]]:
    """What holds alerts back, in one round trip (a UNION ALL of three small reads):
    each person's muted kinds and digest time (no row: every kind, the default time),
    the tasks snoozed now, and the keys already recorded for the candidate tasks plus
    today's digests."""
    params = {"at": at, "digest": care_digest_key(today), "task_ids": sorted(task_ids)}
    query = _HELD if people is None else _HELD_FOR
    muted: dict[int, frozenset[str]] = {}
    digest: dict[int, time] = {}
    snoozed, raised = set(), set()
    for what, uid, task_id, text_value, clock in session.execute(
        query, params | {"people": people}
    ):
        if what == "muted":
            muted[uid], digest[uid] = frozenset(_kinds(text_value)), parse_clock(clock)
        elif what == "snoozed":
            snoozed.add((uid, task_id))
        else:
            raised.add((uid, text_value))
    return muted, digest, frozenset(snoozed), frozenset(raised)


def _kinds(stored: str | None) -> list[str]:
    """The muted kinds as stored (JSON text); anything unreadable mutes nothing."""
    try:
        kinds = json.loads(stored or "[]")
    except ValueError:
        return []
    return [k for k in kinds if isinstance(k, str)] if isinstance(kinds, list) else []


def opened_at(db: Database, at: datetime) -> datetime | None:
    """When the practice opened today if it is open at ``at``; None in quiet hours."""
    with db.read() as session:
        return practice_calendar(session).opened_at(at)
