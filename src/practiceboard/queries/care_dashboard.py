"""The care dashboard: what is at risk in the care plans this week, computed in SQL
over the care plan tasks (tasks with a care plan) of the workflows the role works on.

- overdue follow-ups (open, due before today) by program and by owner;
- due today, and due this week (today to Sunday);
- patients with an overdue follow-up, by the risk of the plan it belongs to;
- completion rate by task type (the task's title): of the tasks due in the last 30
  days, the share closed as done;
- the backlog (open tasks due by a day's end) today and at each of the last 12
  week-ends.

Every figure has its list (``figure_tasks``): the tasks behind the number. The list
names patients only for roles that may see them, and showing it is audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import Session, aliased

from practiceboard.core.actor import Actor, actor_policy, require
from practiceboard.core.clock import now
from practiceboard.core.definitions import practice_calendar
from practiceboard.core.rows import CountRow
from practiceboard.core.unit import audited_read, record_denial, refusals_audited
from practiceboard.db.engine import Database
from practiceboard.db.models import CarePlan, Patient, Program, Status, Task, User
from practiceboard.domain.careplan import RISKS
from practiceboard.domain.errors import ValidationError
from practiceboard.domain.policy import Cap, Policy, denial_message
from practiceboard.queries.careplans import overdue_counts

WEEKS = 12
COMPLETION_DAYS = 30
LIST_LIMIT = 500


@dataclass(frozen=True, slots=True)
class RateRow:
    key: str  # the task type (its title)
    done: int
    due: int

    @property
    def rate(self) -> float:
        return self.done / self.due if self.due else 0.0


@dataclass(frozen=True)
class CareDashboard:
    today: date
    overdue_total: int
    overdue_by_program: tuple[CountRow, ...]  # key: the program's id
    overdue_by_owner: tuple[CountRow, ...]  # key: the owner's id
    due_today: int
    due_this_week: int
    risk_with_overdue: tuple[CountRow, ...]  # key: the risk; count: patients
    completion: tuple[RateRow, ...]
    backlog: tuple[tuple[date, int], ...]  # oldest week-end first; the last is today


@dataclass(frozen=True, slots=True)
class CareTaskRow:
    id: int
    ref: str
    title: str
    mrn: str | None  # None when the role may not see patient data
    patient_name: str | None
    program_name: str
    owner_name: str
    status_name: str
    due_date: date | None
    closed: bool


def _scope(policy: Policy):
    return [Task.care_plan_id.is_not(None), Task.workflow_id.in_(sorted(policy.workflow_ids))]


def _end_of(day: date, zone) -> datetime:
    """The UTC moment a practice-local day ends."""
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone).astimezone(UTC)


def _week_ends(today: date) -> list[date]:
    return [today - timedelta(weeks=k) for k in range(WEEKS - 1, -1, -1)]


def _today(session: Session) -> tuple[date, object]:
    calendar = practice_calendar(session)
    return calendar.local_date(now()), calendar.tzinfo()


@refusals_audited("care_dashboard.view", "care_plan")
def care_dashboard(db: Database, actor: Actor) -> CareDashboard:
    with db.read() as session:
        policy = actor_policy(session, actor)
        require(policy, Cap.TASK_VIEW)
        today, zone = _today(session)
        scope = _scope(policy)
        open_ = [*scope, Task.closed_at.is_(None)]
        overdue = [*open_, Task.due_date < today]
        by_program, by_owner = overdue_counts(session, policy, today)
        week_end = today + timedelta(days=6 - today.weekday())
        due_today, due_week = session.execute(
            select(
                func.count(case((Task.due_date == today, Task.id))),
                func.count(case((Task.due_date.between(today, week_end), Task.id))),
            ).where(*open_, Task.due_date.between(today, week_end))
        ).one()
        risk_rows = dict(
            session.execute(
                select(CarePlan.risk, func.count(func.distinct(Task.patient_id)))
                .join(Task, Task.care_plan_id == CarePlan.id)
                .where(*overdue)
                .group_by(CarePlan.risk)
            ).tuples().all()
        )  # fmt: skip
        since = today - timedelta(days=COMPLETION_DAYS)
        done = case((Status.category == "done", 1), else_=0)
        completion = session.execute(
            select(Task.title, func.sum(done), func.count(Task.id))
            .join(Status, Status.id == Task.status_id)
            .where(*scope, Task.due_date >= since, Task.due_date < today)
            .group_by(Task.title)
            .order_by(func.count(Task.id).desc(), Task.title)
            .limit(12)
        ).all()
        ends = _week_ends(today)
        columns = []
        for d in ends:
            end = _end_of(d, zone)
            columns.append(func.count(case((and_(
                Task.due_date <= d, Task.created_at < end,
                or_(Task.closed_at.is_(None), Task.closed_at >= end),
            ), Task.id))))  # fmt: skip
        first_end = _end_of(ends[0], zone)
        counts = session.execute(
            select(*columns).where(
                *scope,
                Task.due_date <= today,
                or_(Task.closed_at.is_(None), Task.closed_at >= first_end),
            )
        ).one()
        return CareDashboard(
            today,
            sum(n for *_, n in by_program),
            tuple(CountRow(str(i), name, n) for i, _key, name, n in by_program),
            tuple(CountRow(str(i), name, n) for i, name, n in by_owner),
            due_today,
            due_week,
            tuple(CountRow(r, r.capitalize(), risk_rows.get(r, 0)) for r in reversed(RISKS)),
            tuple(RateRow(title, int(d or 0), n) for title, d, n in completion),
            tuple(zip(ends, counts, strict=True)),
        )


FIGURES = ("overdue", "overdue_program", "overdue_owner", "due_today", "due_week", "risk",
           "completion", "backlog")  # fmt: skip


@refusals_audited("care_dashboard.view", "care_plan")
def figure_tasks(db: Database, actor: Actor, figure: str, key: str | None = None):
    """The tasks behind one figure (``key``: the program or owner id, the risk, the task
    type). Audited as a view of patient data when it names patients."""
    if figure not in FIGURES:
        raise ValidationError("Pick a figure of the care dashboard.", "figure")
    with db.read() as session:
        policy = actor_policy(session, actor)
        require(policy, Cap.TASK_VIEW)
        sees = policy.can(Cap.PATIENT_VIEW)
        today, _zone = _today(session)
        where = _scope(policy)
        open_ = [Task.closed_at.is_(None)]
        week_end = today + timedelta(days=6 - today.weekday())
        if figure == "overdue":
            where += [*open_, Task.due_date < today]
        elif figure == "overdue_program":
            where += [*open_, Task.due_date < today, CarePlan.program_id == int(key or 0)]
        elif figure == "overdue_owner":
            where += [*open_, Task.due_date < today, Task.owner_id == int(key or 0)]
        elif figure == "due_today":
            where += [*open_, Task.due_date == today]
        elif figure == "due_week":
            where += [*open_, Task.due_date.between(today, week_end)]
        elif figure == "risk":
            where += [*open_, Task.due_date < today, CarePlan.risk == key]
        elif figure == "completion":
            since = today - timedelta(days=COMPLETION_DAYS)
            where += [Task.due_date >= since, Task.due_date < today, Task.title == key]
        else:  # backlog: open and due by today
            where += [*open_, Task.due_date <= today]
        owner = aliased(User)
        rows = session.execute(
            select(Task.id, Task.ref, Task.title, Patient.mrn, Patient.display_name,
                   Program.name, owner.display_name, Status.name, Task.due_date,
                   Task.closed_at.is_not(None))
            .join(CarePlan, CarePlan.id == Task.care_plan_id)
            .join(Program, Program.id == CarePlan.program_id)
            .join(Patient, Patient.id == CarePlan.patient_id)
            .join(owner, owner.id == Task.owner_id)
            .join(Status, Status.id == Task.status_id)
            .where(*where)
            .order_by(Task.due_date, Task.id)
            .limit(LIST_LIMIT)
        ).all()  # fmt: skip
        out = [
            CareTaskRow(i, ref, title, mrn if sees else None, name if sees else None, prog,
                        own, st, due, bool(closed))
            for i, ref, title, mrn, name, prog, own, st, due, closed in rows
        ]  # fmt: skip
    if sees and out:
        audited_read(db, actor, "careplan.dashboard_list", "care_plan", None, patient_id=None,
                     detail=f"{figure} {key or ''}".strip())  # fmt: skip
    return out


@refusals_audited("careplan.export", "care_plan")
def export_tasks(db: Database, actor: Actor, figure: str, key: str | None = None):
    """The list behind a figure, for a CSV file: needs the export capability; the export
    is audited (refusals as denied)."""
    with db.read() as session:
        allowed = actor_policy(session, actor).can(Cap.EXPORT)
    if not allowed:
        message = denial_message(Cap.EXPORT)
        raise record_denial(db, actor, "careplan.export", "care_plan", None, message, None)
    rows = figure_tasks(db, actor, figure, key)
    audited_read(db, actor, "careplan.export", "care_plan", None, patient_id=None,
                 detail=f"CSV of {figure} {key or ''}: {len(rows)} tasks")  # fmt: skip
    return rows
