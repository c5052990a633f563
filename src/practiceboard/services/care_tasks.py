"""Recurring care tasks: turn each due occurrence of an active intervention on an
active plan into one 'care_task' task.

Run by the scheduler (as its system user) or by a signed-in user who may create
care tasks. Safe to run again and from two PCs at once: plans are generated up to
100 to a transaction, each in a savepoint that locks its interventions' rows, dates up to
``last_generated_due`` are never generated twice, and each insert sits in a
savepoint so a duplicate (intervention, due date) from another PC is skipped,
not fatal. After a long outage it catches up once, at most ``CATCH_UP_CAP``
occurrences per intervention (the most recent ones).

How far ahead: the practice's ``care_days_ahead`` (default 14), and at least each
intervention's next ``care_min_upcoming`` (default 3) occurrences. An occurrence on a
day the practice is closed (weekend, holiday) is due on the next open day, unless the
next occurrence comes by then. A generated task's aging clock starts at the start
of its lead window (``care_days_ahead`` before its due date), not when generated.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from practiceboard.core import definitions
from practiceboard.core.actor import Actor, actor_policy, require
from practiceboard.core.people import is_active
from practiceboard.core.unit import audited
from practiceboard.db.engine import Database
from practiceboard.db.models import (
    CareIntervention,
    CarePlan,
    Patient,
    Task,
    Workflow,
)
from practiceboard.domain import validation
from practiceboard.domain.careplan import Cadence, next_open_day, parse_cadence
from practiceboard.domain.errors import PermissionDenied, ValidationError, loggable
from practiceboard.domain.policy import Cap, Policy
from practiceboard.services.tasks import TaskDraft, batch_intake, create_in

CARE_WORKFLOW = "care_task"
CATCH_UP_CAP = 12
PLANS_PER_TRANSACTION = 100

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class GenerationResult:
    created: int  # tasks created by this run
    plans: int  # plans that got at least one new task
    skipped: int = 0  # older occurrences left out by the catch-up cap
    duplicates: int = 0  # occurrences another PC generated at the same moment
    failed: int = 0  # plans left out by a refusal (logged); the others were generated

    def __add__(self, other: GenerationResult) -> GenerationResult:
        return GenerationResult(
            self.created + other.created, self.plans + other.plans,
            self.skipped + other.skipped, self.duplicates + other.duplicates,
            self.failed + other.failed,
        )  # fmt: skip


def _care_workflow(session: Session, policy: Policy) -> int:
    """The care task workflow's id, if this actor may create its tasks."""
    require(policy, Cap.TASK_CREATE)
    require(policy, Cap.PATIENT_VIEW)
    wf_id = session.scalars(select(Workflow.id).where(Workflow.key == CARE_WORKFLOW)).first()
    if wf_id is None or not policy.sees_workflow(wf_id):
        raise PermissionDenied("Your role does not work on care plan tasks.")
    return wf_id


def may_generate(db: Database, actor: Actor) -> bool:
    """Whether this person may generate care plan tasks (for the scheduler and the
    "Generate now" button; asking is not an attempt, so nothing is audited)."""
    with db.read() as session:
        policy = actor_policy(session, actor)
        try:
            _care_workflow(session, policy)
        except PermissionDenied:
            return False
        return True


def _care_settings(session: Session) -> tuple[date, int, int]:
    """(practice today, days generated ahead, upcoming tasks kept per intervention)."""
    today = definitions.practice_today(session)
    ahead = max(0, definitions.setting(session, "care_days_ahead"))
    upcoming = max(0, definitions.setting(session, "care_min_upcoming"))
    return today, ahead, upcoming


def _reach(cadence: Cadence, anchor: date, today: date, through: date, upcoming: int) -> date:
    """How far ahead this intervention is generated: ``through``, or further when
    fewer than ``upcoming`` occurrences fall before it."""
    if upcoming <= 0:
        return through
    ahead = cadence.upcoming(anchor, today, upcoming)
    return max(through, ahead[-1]) if ahead else through


def generate_due_tasks(
    db: Database, actor: Actor, through: date | None = None, *, upcoming: int | None = None
) -> GenerationResult:
    """Create the tasks of every occurrence due on or before ``through`` (default: the
    practice's days-ahead window from today) and, with ``upcoming`` (default: the
    practice setting when ``through`` is not given, else none), of each intervention's
    next ``upcoming`` occurrences however far ahead."""
    validation.calendar_date(through, "date to generate through", "through")
    with audited(db, actor, "careplan.generate", "care_plan") as session:
        _care_workflow(session, actor_policy(session, actor))
        today, ahead, keep_upcoming = _care_settings(session)
        if through is None:
            through = today + timedelta(days=ahead)
            upcoming = keep_upcoming if upcoming is None else upcoming
        upcoming = upcoming or 0
        q = (
            select(
                CareIntervention.care_plan_id,
                CareIntervention.cadence,
                CareIntervention.start_date,
                CareIntervention.next_due,
            )
            .join(CarePlan, CarePlan.id == CareIntervention.care_plan_id)
            .where(CarePlan.status == "active", CareIntervention.active)
        )
        if upcoming:
            q = q.where(CareIntervention.next_due.is_not(None))
        else:
            q = q.where(CareIntervention.next_due <= through)
        plan_ids: set[int] = set()
        for plan_id, cadence_text, anchor, next_due in session.execute(q):
            if plan_id in plan_ids:
                continue
            if upcoming:
                try:
                    cadence = parse_cadence(cadence_text)
                except ValidationError:
                    continue
                if next_due > _reach(cadence, anchor, today, through, upcoming):
                    continue
            plan_ids.add(plan_id)
    total = GenerationResult(0, 0)
    ordered = sorted(plan_ids)
    for i in range(0, len(ordered), PLANS_PER_TRANSACTION):
        chunk = ordered[i : i + PLANS_PER_TRANSACTION]
        total = total + _generate(db, actor, chunk, through, upcoming, today)
    return total


def generate_for_plan(db: Database, actor: Actor, plan_id: int) -> GenerationResult:
    """One plan's tasks over the practice's window (on opening or saving the plan, and
    the "Generate now" action). A plan that is not active generates nothing."""
    with db.read() as session:
        today, ahead, upcoming = _care_settings(session)
    return _generate(db, actor, [plan_id], today + timedelta(days=ahead), upcoming, today)


def _clock_start(calendar, due: date, ahead: int) -> datetime:
    """Midnight (practice time) at the start of ``due``'s lead window, in UTC."""
    start = datetime.combine(due - timedelta(days=ahead), time(0), tzinfo=calendar.tzinfo())
    return start.astimezone(UTC)


def _generate(
    db: Database, actor: Actor, plan_ids: list[int], through: date, upcoming: int, today: date
) -> GenerationResult:
    """A chunk of plans in one transaction (a commit per plan would cost a disk flush per
    plan), each plan in a savepoint of its own: one plan's refusal (say, an owner who no
    longer works on care tasks) is logged and leaves the others generated."""
    one = plan_ids[0] if len(plan_ids) == 1 else None
    guard = audited(db, actor, "careplan.generate", "care_plan", one)
    total = GenerationResult(0, 0)
    with guard as session:
        policy = actor_policy(session, actor)
        care_wf = _care_workflow(session, policy)
        if one is not None:
            plan = session.get(CarePlan, one)
            guard.patient_id = plan.patient_id if plan is not None else None
        # People, places and workflows read once per chunk, not per task; owners checked
        # once per chunk (generation changes no one's roles).
        # The chunk's plans and patients in two statements rather than two per plan (held
        # here: the session's identity map keeps only what is referenced).
        plans = session.scalars(select(CarePlan).where(CarePlan.id.in_(plan_ids))).all()
        patients = session.scalars(
            select(Patient).where(Patient.id.in_({p.patient_id for p in plans}))
        ).all()
        with batch_intake(session) as default_location:
            run = _Run(actor, policy, care_wf, definitions.practice_calendar(session),
                       max(0, definitions.setting(session, "care_days_ahead")), through,
                       upcoming, today, default_location)  # fmt: skip
            for plan_id in plan_ids:
                try:
                    with session.begin_nested():
                        c, s, d = _plan_tasks(session, run, plan_id)
                except ValidationError as exc:  # its message may name the patient: not logged
                    log.warning("care plan %s: tasks not generated: %s", plan_id, loggable(exc))
                    run.loads.clear()  # the savepoint took its assignments back: count again
                    total = total + GenerationResult(0, 0, failed=1)
                    continue
                total = total + GenerationResult(c, 1 if c else 0, s, d)
        session.flush()
        del plans, patients
    return total


@dataclass
class _Run:
    actor: Actor
    policy: Policy
    care_wf: int
    calendar: object
    ahead: int
    through: date
    upcoming: int
    today: date
    location_id: int | None  # the practice's default location, read once
    # Open tasks per member of a role, counted once per transaction and kept up to date
    # as tasks are assigned: core.definitions' least-loaded rule without counting every
    # open task again for each new one.
    loads: dict = field(default_factory=dict)

    def least_loaded(self, session: Session, role_id: int | None) -> int | None:
        if role_id is None:
            return None
        if role_id not in self.loads:
            self.loads[role_id] = definitions.member_loads(session, role_id)
        members = self.loads[role_id]
        if not members:
            return None
        uid = min(members, key=lambda u: (members[u], u))
        members[uid] += 1
        return uid


def _plan_tasks(session: Session, run: _Run, plan_id: int) -> tuple[int, int, int]:
    created = skipped = duplicates = 0
    plan = session.get(CarePlan, plan_id)  # read with its chunk (_generate)
    if plan is None or plan.status != "active":
        return 0, 0, 0
    _patient = session.get(Patient, plan.patient_id)  # held: each of its tasks reads it
    # FOR UPDATE: a second PC waits here, then sees the advanced next_due and skips.
    interventions = session.scalars(
        select(CareIntervention)
        .where(
            CareIntervention.care_plan_id == plan.id,
            CareIntervention.active,
            CareIntervention.next_due.is_not(None),
        )
        .order_by(CareIntervention.id)
        .with_for_update()
    ).all()
    # The dates these interventions already have a task on (made before an edit moved
    # next_due back, or by hand): counted as duplicates and skipped, in one statement per
    # plan rather than a savepoint per task. Another PC generating the same plan waits on
    # the lock above, so nothing new can appear for them until this transaction ends.
    taken: set[tuple[int, date]] = set()
    if interventions:
        taken = set(
            session.execute(
                select(Task.intervention_id, Task.due_date).where(
                    Task.intervention_id.in_([iv.id for iv in interventions]),
                    Task.due_date >= min(iv.next_due for iv in interventions),
                )
            ).tuples()
        )
    for iv in interventions:
        try:
            cadence = parse_cadence(iv.cadence)
        except ValidationError:  # only raw SQL can store one; skip it, keep the others going
            continue
        wf_id = iv.workflow_id or run.care_wf
        if not run.policy.sees_workflow(wf_id):
            continue  # someone who works on that workflow generates it
        reach = _reach(cadence, iv.start_date, run.today, run.through, run.upcoming)
        end = min(reach, plan.end_date) if plan.end_date else reach
        if iv.next_due > end:
            continue
        start = iv.next_due
        if iv.last_generated_due is not None and iv.last_generated_due >= start:
            start = iv.last_generated_due + timedelta(days=1)
        due = cadence.occurrences(iv.start_date, start, end) if start <= end else []
        keep = due[-CATCH_UP_CAP:]
        skipped += len(due) - len(keep)
        for day in keep:
            on = next_open_day(day, run.calendar.is_business_day)
            following = cadence.next_after(iv.start_date, day)
            if on != day and following is not None and following <= on:
                skipped += 1  # closed that day, and the next occurrence comes first
                continue
            draft = TaskDraft(
                workflow_id=wf_id, title=iv.title, owner_id=_owner(session, run, iv, plan),
                due_date=on, patient_id=plan.patient_id, care_plan_id=plan.id,
                intervention_id=iv.id, clock_from=_clock_start(run.calendar, on, run.ahead),
                location_id=run.location_id,
            )  # fmt: skip
            if (iv.id, on) in taken:
                duplicates += 1
                continue
            create_in(session, run.actor, run.policy, draft)
            taken.add((iv.id, on))
            created += 1
        if due:
            iv.last_generated_due = due[-1]
        # Everything up to `end` is done; past the plan's end date nothing moves.
        iv.next_due = cadence.next_after(iv.start_date, end)
    session.flush()
    return created, skipped, duplicates


def _owner(session: Session, run: _Run, iv: CareIntervention, plan: CarePlan) -> int | None:
    """The intervention's owner, else the least-loaded member of its role, else the
    plan owner; None lets intake route it (the care task workflow's intake role)."""
    if iv.owner_id is not None and is_active(session, iv.owner_id):
        return iv.owner_id
    member = run.least_loaded(session, iv.role_id)
    if member is not None:
        return member
    return plan.owner_id if is_active(session, plan.owner_id) else None
