"""Everything a list of cards needs, loaded once per call, and rows -> Card.

A board of 5,000 cards must come back in a few tens of milliseconds: the query
selects task columns only (no ORM entities, no joins to small tables); names of
workflows, statuses, people, places and reasons come from dicts loaded here;
SLA and attention flags compare each card's times with cutoffs the calendar
computes once per call — the same cutoffs the SQL filters use.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import literal, select
from sqlalchemy.orm import Session

from practiceboard.core import cache
from practiceboard.core.actor import Actor, policy_and_stamp
from practiceboard.core.clock import now as clock_now
from practiceboard.core.definitions import practice_calendar
from practiceboard.core.rows import Card
from practiceboard.db.models import (
    Location,
    Patient,
    ReasonCode,
    Status,
    Task,
    TaskWatcher,
    User,
    Workflow,
)
from practiceboard.domain import aging
from practiceboard.domain.calendar import PracticeCalendar
from practiceboard.domain.errors import PermissionDenied
from practiceboard.domain.policy import Cap, Policy
from practiceboard.domain.workflow import CLOSED_CATEGORIES

_SLA = aging.SlaState
OK, WARN, BREACH, PAUSED = _SLA.OK.value, _SLA.WARN.value, _SLA.BREACH.value, _SLA.PAUSED.value
OVERDUE = aging.AttentionReason.OVERDUE.value
BREACHED = aging.AttentionReason.BREACHED.value
UNTOUCHED = aging.AttentionReason.UNTOUCHED.value
UNEXPLAINED = aging.AttentionReason.UNEXPLAINED.value
BLOCKER_LATE = aging.AttentionReason.BLOCKER_LATE.value


@dataclass(frozen=True, slots=True)
class StatusInfo:
    id: int
    workflow_id: int
    key: str
    name: str
    category: str
    position: int
    definition_of_done: str
    warn_hours: float | None
    breach_hours: float | None
    pauses_sla: bool
    decision: str | None

    @property
    def is_open(self) -> bool:
        return self.category not in CLOSED_CATEGORIES


@dataclass(frozen=True, slots=True)
class WorkflowInfo:
    id: int
    key: str
    name: str
    kind: str
    position: int
    active: bool
    fields: list


@dataclass(frozen=True, slots=True)
class ReasonInfo:
    id: int
    kind: str
    key: str
    label: str


@dataclass
class Snapshot:
    """One call's view of the small tables, the clock and the actor's policy. The
    dicts of small tables are shared with other calls (core.cache): read only."""

    actor: Actor
    policy: Policy
    now: datetime
    cal: PracticeCalendar
    today: date
    visible: tuple[int, ...]
    workflows: dict[int, WorkflowInfo]
    statuses: dict[int, StatusInfo]
    users: dict[int, str]
    locations: dict[int, str]
    reasons: dict[int, ReasonInfo]
    watched: frozenset[int]
    untouched_cutoff: datetime
    warn_cutoffs: dict[int, datetime]  # status id -> the SLA warn cutoff (timed statuses)
    breach_cutoffs: dict[int, datetime]  # status id -> the SLA breach cutoff
    other_reason_ids: tuple[int, ...]
    raw_times: bool = False  # SQLite: card rows are DBAPI tuples (see fetch)
    # The tasks the fetched cards wait on: id -> (ref, late). Filled by fetch.
    blockers: dict[int, tuple[str, bool]] = field(default_factory=dict)

    @property
    def show_patient(self) -> bool:
        return self.policy.can(Cap.PATIENT_VIEW)

    def workflow_statuses(self, workflow_id: int) -> list[StatusInfo]:
        found = [s for s in self.statuses.values() if s.workflow_id == workflow_id]
        return sorted(found, key=lambda s: s.position)

    def status_ids(self, *, categories=()) -> list[int]:
        """Statuses of visible workflows (optionally only of some categories)."""
        seen = set(self.visible)
        return sorted(
            s.id
            for s in self.statuses.values()
            if s.workflow_id in seen and (not categories or s.category in categories)
        )


# In the field order of StatusInfo, WorkflowInfo and ReasonInfo.
_STATUS_COLUMNS = (
    Status.id, Status.workflow_id, Status.key, Status.name, Status.category, Status.position,
    Status.definition_of_done, Status.warn_hours, Status.breach_hours, Status.pauses_sla,
    Status.decision,
)  # fmt: skip
_WORKFLOW_COLUMNS = (
    Workflow.id, Workflow.key, Workflow.name, Workflow.kind, Workflow.position, Workflow.active,
    Workflow.fields,
)  # fmt: skip
_REASON_COLUMNS = (ReasonCode.id, ReasonCode.kind, ReasonCode.key, ReasonCode.label)


@dataclass(frozen=True)
class _Lookups:
    """The small tables as dicts, cached per database until one of them changes.
    Shared by every call and thread: never mutated."""

    workflows: dict[int, WorkflowInfo]
    statuses: dict[int, StatusInfo]
    reasons: dict[int, ReasonInfo]
    users: dict[int, str]
    locations: dict[int, str]
    other_reason_ids: tuple[int, ...]
    timed: tuple[tuple[int, float | None, float | None], ...]  # (status, warn h, breach h)


def _load_lookups(session: Session) -> _Lookups:
    conn = session.connection()  # Core: skip the ORM layer
    statuses = {r[0]: StatusInfo(*r) for r in conn.execute(select(*_STATUS_COLUMNS))}
    reasons = {r[0]: ReasonInfo(*r) for r in conn.execute(select(*_REASON_COLUMNS))}
    return _Lookups(
        workflows={r[0]: WorkflowInfo(*r) for r in conn.execute(select(*_WORKFLOW_COLUMNS))},
        statuses=statuses,
        reasons=reasons,
        users=dict(conn.execute(select(User.id, User.display_name)).tuples().all()),
        locations=dict(conn.execute(select(Location.id, Location.name)).tuples().all()),
        other_reason_ids=tuple(sorted(r.id for r in reasons.values() if r.key == "other")),
        timed=tuple(
            (s.id, s.warn_hours, s.breach_hours)
            for s in statuses.values()
            if s.is_open and not s.pauses_sla
        ),
    )


def load_snapshot(session: Session, actor: Actor, now: datetime | None = None) -> Snapshot:
    """The actor's policy (a disabled account is refused here) and the lookups: one
    query for the change stamp and the account, one for the actor's watched tasks;
    the rest comes from core.cache unless a definitions table changed since."""
    policy, stamp = policy_and_stamp(session, actor)
    if not policy.can(Cap.TASK_VIEW):
        raise PermissionDenied("Your role does not allow seeing tasks. Ask your practice manager.")
    at = now or clock_now()
    cal = practice_calendar(session, stamp)
    lk = cache.get(stamp, "card_lookups", lambda: _load_lookups(session))
    watched = frozenset(
        session.connection().scalars(
            select(TaskWatcher.task_id).where(TaskWatcher.user_id == actor.user_id)
        )
    )
    warn, breach = {}, {}
    cutoff_for: dict[float, datetime] = {}

    def cutoff(hours: float) -> datetime:
        if hours not in cutoff_for:
            cutoff_for[hours] = cal.business_cutoff(at, hours)
        return cutoff_for[hours]

    for sid, warn_hours, breach_hours in lk.timed:
        if warn_hours is not None:
            warn[sid] = cutoff(warn_hours)
        if breach_hours is not None:
            breach[sid] = cutoff(breach_hours)
    return Snapshot(
        actor=actor, policy=policy, now=at, cal=cal, today=cal.local_date(at),
        visible=tuple(sorted(w for w in policy.workflow_ids if w in lk.workflows)),
        workflows=lk.workflows, statuses=lk.statuses, users=lk.users, locations=lk.locations,
        reasons=lk.reasons, watched=watched, untouched_cutoff=aging.untouched_cutoff(at, cal),
        warn_cutoffs=warn, breach_cutoffs=breach, other_reason_ids=lk.other_reason_ids,
        raw_times=session.get_bind().dialect.name == "sqlite",
    )  # fmt: skip


# The columns every card needs, in the order card_from_row reads them.
CARD_COLUMNS = (
    Task.id, Task.ref, Task.version, Task.workflow_id, Task.status_id, Task.title,
    Task.owner_id, Task.requester_id, Task.due_date, Task.priority, Task.created_at,
    Task.status_since, Task.last_touched_at, Task.last_note_at, Task.payer, Task.provider_id,
    Task.location_id, Task.reason_code_id, Task.reason_note, Task.closed_at,
    Task.document_count, Task.blocked_by_id, Task.blocking_count,
)  # fmt: skip
BLOCKED_BY = 21  # the index of Task.blocked_by_id in a card row


def _utc(text: str | None) -> datetime | None:
    """Stored SQLite time text -> aware UTC datetime. UtcDateTime does the same via
    datetime.replace(tzinfo=...), which costs ~2 µs a value on CPython 3.11: over
    three times a card that was a third of the board's budget; this is ~0.4 µs."""
    return None if text is None else datetime.fromisoformat(text + "+00:00")


def card_select(snap: Snapshot):
    """SELECT of the card columns, plus the MRN only when the actor may see it."""
    if snap.show_patient:
        return (
            select(*CARD_COLUMNS, Patient.mrn)
            .select_from(Task)
            .outerjoin(Patient, Patient.id == Task.patient_id)
        )
    return select(*CARD_COLUMNS, literal(None).label("mrn")).select_from(Task)


def fetch(session: Session, snap: Snapshot, stmt) -> list:
    """Rows of card_select for build_cards. Core execution, not the ORM's (a third
    less time a row). On SQLite the DBAPI's own tuples (stored text for times and
    dates, converted in build_cards): SQLAlchemy's per-value conversions cost more
    than the query itself on a board."""
    result = session.connection().execute(stmt)
    if not snap.raw_times:
        rows = result.all()
    else:
        try:
            rows = result.cursor.fetchall()
        finally:
            result.close()
    waits_on = {r[BLOCKED_BY] for r in rows if r[BLOCKED_BY] is not None}
    if waits_on - snap.blockers.keys():
        load_blockers(session, snap, waits_on - snap.blockers.keys())
    return rows


def blocker_is_late(snap: Snapshot, closed_at, due, status_id: int, since) -> bool:
    """An open blocker is late when it is overdue or past its status's time limit (the
    cutoffs of the snapshot, as filters.late_blockers says it in SQL)."""
    if closed_at is not None:
        return False
    if due is not None and due < snap.today:
        return True
    cutoff = snap.breach_cutoffs.get(status_id)
    return cutoff is not None and since <= cutoff


def load_blockers(session: Session, snap: Snapshot, ids) -> None:
    """The refs and lateness of the tasks some cards wait on (a handful of rows)."""
    for bid, ref, closed_at, due, sid, since in session.connection().execute(
        select(Task.id, Task.ref, Task.closed_at, Task.due_date, Task.status_id,
               Task.status_since).where(Task.id.in_(sorted(ids)))
    ):  # fmt: skip
        snap.blockers[bid] = (ref, blocker_is_late(snap, closed_at, due, sid, since))


def closed_window(snap: Snapshot, days: int = 14) -> datetime:
    return snap.now - timedelta(days=days)


def build_cards(snap: Snapshot, rows) -> list[Card]:
    """Cards from rows of card_select. The hot loop of every board: names are bound
    to locals and the per-card work is comparisons and dict lookups only."""
    statuses, reasons, users, locations = snap.statuses, snap.reasons, snap.users, snap.locations
    workflows, watched, now, today = snap.workflows, snap.watched, snap.now, snap.today
    raw, untouched = snap.raw_times, snap.untouched_cutoff
    breach_at, warn_at = snap.breach_cutoffs, snap.warn_cutoffs
    unexplained = aging.is_unexplained
    blockers = snap.blockers
    out = []
    append = out.append
    for (tid, ref, version, wf_id, sid, title, owner_id, requester_id, due, priority, created,
         since, touched, last_note, payer, provider_id, location_id, reason_id, reason_note,
         closed_at, n_docs, blocked_by, n_blocking, mrn) in rows:  # fmt: skip
        if raw:
            created, since, touched = _utc(created), _utc(since), _utc(touched)
            if due is not None:
                due = date.fromisoformat(due)
            if last_note is not None:
                last_note = _utc(last_note)
            if closed_at is not None:
                closed_at = _utc(closed_at)
        status = statuses[sid]
        reason = reasons.get(reason_id) if reason_id is not None else None
        overdue = False
        if closed_at is None:
            # aging.sla_state, by the cutoffs: business_cutoff(now, h) is the latest
            # moment with at least h business hours until now, so "at least h business
            # hours in status" is "entered the status at or before the cutoff" (the SQL
            # filter's comparison) without counting hours card by card. Then
            # aging.attention_reasons with the same cutoffs (the tests hold them equal).
            if status.pauses_sla:
                sla = PAUSED
            elif (b := breach_at.get(sid)) is not None and since <= b:
                sla = BREACH
            elif (w := warn_at.get(sid)) is not None and since <= w:
                sla = WARN
            else:
                sla = OK
            flags = []
            if due is not None and due < today:
                overdue = True
                flags.append(OVERDUE)
            if sla == BREACH:
                flags.append(BREACHED)
            if touched < untouched:
                flags.append(UNTOUCHED)
            if reason is not None and unexplained(reason.key, reason_note, last_note, since):
                flags.append(UNEXPLAINED)
            attention = tuple(flags)
        else:
            sla, attention = OK, ()
        blocker_ref, blocker_late = None, False
        if blocked_by is not None:
            blocker_ref, blocker_late = blockers.get(blocked_by, (None, False))
            if closed_at is None:
                # Waiting on another task: stuck only when that task is late.
                attention = (BLOCKER_LATE,) if blocker_late else ()
        # Positional, in rows.Card field order (keywords cost a third more).
        append(Card(
            tid, ref, version, wf_id, workflows[wf_id].name, sid, status.name, status.category,
            title, owner_id, users.get(owner_id, ""), requester_id, due, priority, created,
            since, touched, mrn, payer, provider_id,
            users.get(provider_id) if provider_id is not None else None,
            locations.get(location_id) if location_id is not None else None,
            reason.label if reason else None, reason.kind if reason else None, sla,
            attention, overdue, tid in watched, (now - created).total_seconds(),
            (now - since).total_seconds(), n_docs, blocked_by, blocker_ref, blocker_late,
            n_blocking,
        ))  # fmt: skip
    return out


def card_from_row(snap: Snapshot, row) -> Card:
    return build_cards(snap, [row])[0]
