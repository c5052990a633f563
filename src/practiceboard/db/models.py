"""The one schema for all three views (task board, approvals, care plans).

Alembic revisions in ``migrations/`` create and change it; ``practiceboard db check``
fails when these declarations and the revisions disagree. Times are UTC
(``UtcDateTime``); due dates are calendar dates in the practice's time zone.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class UtcDateTime(TypeDecorator):
    """Aware UTC datetimes in, aware UTC datetimes out, on SQLite and PostgreSQL alike."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        # SQLite stores text; keep it naive-UTC so string comparison orders correctly.
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None or value.tzinfo is UTC:  # PostgreSQL sessions run in UTC
            return value
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: UtcDateTime, date: Date, dict: JSON}


def _fk(target: str, *, nullable: bool = True, ondelete: str | None = None, index: bool = False):
    return mapped_column(ForeignKey(target, ondelete=ondelete), nullable=nullable, index=index)


# ---------------------------------------------------------------- people and roles


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None]
    last_login_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    # Set by an admin's password reset: the one-time password must be changed at sign-in.
    # Deferred: an admin signs in on the older schema to upgrade it (db upgrade), before
    # this column exists.
    must_change_password: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false(), deferred=True
    )


class UnknownNameFailure(Base):
    """Wrong sign-ins under a name no account has, counted as an account counts its own
    (``failed_logins``, ``locked_until``), so that a name locks after the same number of
    tries whether or not it is real: the lock must not tell which names are (0017)."""

    __tablename__ = "unknown_name_failures"

    username: Mapped[str] = mapped_column(String(64), primary_key=True)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None]
    last_failed_at: Mapped[datetime]


class Role(Base):
    __tablename__ = "roles"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(80))
    # The view a member of this role lands on after sign-in (board, queue, attention).
    start_view: Mapped[str] = mapped_column(String(40), default="queue")


class Capability(Base):
    __tablename__ = "capabilities"

    key: Mapped[str] = mapped_column(String(60), primary_key=True)
    description: Mapped[str] = mapped_column(String(200))


class RoleCapability(Base):
    __tablename__ = "role_capabilities"

    role_id: Mapped[int] = mapped_column(
        ForeignKey("roles.id", ondelete="CASCADE"), primary_key=True
    )
    capability_key: Mapped[str] = mapped_column(
        ForeignKey("capabilities.key", ondelete="CASCADE"), primary_key=True
    )


class UserRole(Base):
    __tablename__ = "user_roles"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    role_id: Mapped[int] = mapped_column(
        ForeignKey("roles.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class Location(Base):
    __tablename__ = "locations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    is_default: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


# ---------------------------------------------------------------- workflows


class Workflow(Base):
    __tablename__ = "workflows"
    __table_args__ = (CheckConstraint("kind IN ('task', 'approval', 'care')", name="kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(80))
    kind: Mapped[str] = mapped_column(String(16))
    # Human reference prefix, e.g. "REF" -> REF-000123 (never PHI).
    ref_prefix: Mapped[str] = mapped_column(String(8))
    position: Mapped[int] = mapped_column(Integer, default=0)
    approver_role_id: Mapped[int | None] = _fk("roles.id")
    # Where new work goes when the user picks "route automatically".
    intake_role_id: Mapped[int | None] = _fk("roles.id")
    # The workflow's own intake fields: [{"key", "label", "required"}], stored in tasks.extra.
    fields: Mapped[list] = mapped_column(JSON, default=list)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class RoleWorkflow(Base):
    """Which workflows the members of a role see (managers and admins see all)."""

    __tablename__ = "role_workflows"

    role_id: Mapped[int] = mapped_column(
        ForeignKey("roles.id", ondelete="CASCADE"), primary_key=True
    )
    workflow_id: Mapped[int] = mapped_column(
        ForeignKey("workflows.id", ondelete="CASCADE"), primary_key=True
    )


class Status(Base):
    __tablename__ = "statuses"
    __table_args__ = (
        UniqueConstraint("workflow_id", "key"),
        CheckConstraint(
            "category IN ('new', 'active', 'waiting', 'review', 'done', 'cancelled')",
            name="category",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workflow_id: Mapped[int] = _fk("workflows.id", nullable=False)
    key: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(80))
    category: Mapped[str] = mapped_column(String(16))
    position: Mapped[int] = mapped_column(Integer)
    definition_of_done: Mapped[str] = mapped_column(String(200), default="")
    warn_hours: Mapped[float | None]
    breach_hours: Mapped[float | None]
    pauses_sla: Mapped[bool] = mapped_column(Boolean, default=False)
    # The decision a move into this status records (approved | rejected | sent_back).
    decision: Mapped[str | None] = mapped_column(String(16))
    # A retired status keeps its id and history; no task moves into it any more.
    retired: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class Transition(Base):
    __tablename__ = "transitions"
    __table_args__ = (UniqueConstraint("from_status_id", "to_status_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workflow_id: Mapped[int] = _fk("workflows.id", nullable=False, index=True)
    from_status_id: Mapped[int] = _fk("statuses.id", nullable=False)
    to_status_id: Mapped[int] = _fk("statuses.id", nullable=False)
    capability_key: Mapped[str] = _fk("capabilities.key", nullable=False)
    label: Mapped[str] = mapped_column(String(80), default="")
    # The reason-code kind this move requires (waiting, needs_info, rejection, reopen, exception).
    reason_kind: Mapped[str | None] = mapped_column(String(20))
    # Who owns the task after the move: keep | approver | requester.
    handoff: Mapped[str] = mapped_column(String(16), default="keep")
    is_reopen: Mapped[bool] = mapped_column(Boolean, default=False)


class ReasonCode(Base):
    __tablename__ = "reason_codes"
    __table_args__ = (
        UniqueConstraint("kind", "key"),
        CheckConstraint(
            "kind IN ('waiting', 'needs_info', 'rejection', 'reopen', 'exception')", name="kind"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    key: Mapped[str] = mapped_column(String(40))
    label: Mapped[str] = mapped_column(String(120))
    note_required: Mapped[bool] = mapped_column(Boolean, default=False)
    position: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Template(Base):
    __tablename__ = "templates"

    id: Mapped[int] = mapped_column(primary_key=True)
    workflow_id: Mapped[int] = _fk("workflows.id", nullable=False, index=True)
    name: Mapped[str] = mapped_column(String(80))
    title: Mapped[str] = mapped_column(String(200), default="")
    details: Mapped[str] = mapped_column(Text, default="")
    checklist: Mapped[list] = mapped_column(JSON, default=list)
    # Workflow-specific fields: [{"key": "payer_ref", "label": "Payer reference", "required": true}]
    fields: Mapped[list] = mapped_column(JSON, default=list)
    priority: Mapped[int] = mapped_column(Integer, default=1)
    due_in_days: Mapped[int | None]
    active: Mapped[bool] = mapped_column(Boolean, default=True)


# ---------------------------------------------------------------- patients and care plans


class Patient(Base):
    __tablename__ = "patients"

    id: Mapped[int] = mapped_column(primary_key=True)
    mrn: Mapped[str] = mapped_column(String(40), unique=True)
    display_name: Mapped[str] = mapped_column(String(120))
    # Lower-cased name for case-insensitive search on both engines.
    search_name: Mapped[str] = mapped_column(String(120), index=True)
    date_of_birth: Mapped[date | None] = mapped_column(Date, index=True)
    phone: Mapped[str | None] = mapped_column(String(30))
    primary_provider_id: Mapped[int | None] = _fk("users.id")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    updated_by_id: Mapped[int | None] = _fk("users.id")  # who to name in a conflict

    __mapper_args__ = {"version_id_col": version}


class PatientProgram(Base):
    """The care programs a patient is enrolled in (a plan needs none of these rows)."""

    __tablename__ = "patient_programs"

    patient_id: Mapped[int] = mapped_column(
        ForeignKey("patients.id", ondelete="CASCADE"), primary_key=True
    )
    program_id: Mapped[int] = mapped_column(
        ForeignKey("programs.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class Program(Base):
    __tablename__ = "programs"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class CarePlan(Base):
    __tablename__ = "care_plans"
    __table_args__ = (
        CheckConstraint("status IN ('draft', 'active', 'on_hold', 'closed')", name="status"),
        CheckConstraint("risk IN ('low', 'medium', 'high')", name="risk"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = _fk("patients.id", nullable=False, index=True)
    program_id: Mapped[int] = _fk("programs.id", nullable=False)
    status: Mapped[str] = mapped_column(String(16), default="active")
    risk: Mapped[str] = mapped_column(String(8), default="low")
    owner_id: Mapped[int] = _fk("users.id", nullable=False, index=True)
    summary: Mapped[str] = mapped_column(Text, default="")
    start_date: Mapped[date]
    review_date: Mapped[date | None]
    end_date: Mapped[date | None]
    # The program template the plan was made from (domain.careplan.TEMPLATES), if any.
    template_key: Mapped[str | None] = mapped_column(String(40))
    # Why the plan is on hold or closed (a CLOSE_REASONS key when closed), and the words.
    status_reason: Mapped[str | None] = mapped_column(String(40))
    status_note: Mapped[str | None] = mapped_column(String(500))
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    updated_by_id: Mapped[int | None] = _fk("users.id")

    __mapper_args__ = {"version_id_col": version}


class CareGoal(Base):
    __tablename__ = "care_goals"

    id: Mapped[int] = mapped_column(primary_key=True)
    care_plan_id: Mapped[int] = _fk("care_plans.id", nullable=False, index=True)
    description: Mapped[str] = mapped_column(String(300))
    target: Mapped[str | None] = mapped_column(String(200))  # e.g. "A1c below 7%"
    target_date: Mapped[date | None]
    status: Mapped[str] = mapped_column(String(16), default="open")
    position: Mapped[int] = mapped_column(Integer, default=0)


class CareIntervention(Base):
    __tablename__ = "care_interventions"

    id: Mapped[int] = mapped_column(primary_key=True)
    care_plan_id: Mapped[int] = _fk("care_plans.id", nullable=False, index=True)
    goal_id: Mapped[int | None] = _fk("care_goals.id")
    title: Mapped[str] = mapped_column(String(200))
    # RRULE subset, see practiceboard.domain.recurrence.
    cadence: Mapped[str] = mapped_column(String(120))
    role_id: Mapped[int | None] = _fk("roles.id")
    owner_id: Mapped[int | None] = _fk("users.id")
    # The task workflow its tasks go to; None: the care task workflow.
    workflow_id: Mapped[int | None] = _fk("workflows.id")
    start_date: Mapped[date]
    next_due: Mapped[date | None] = mapped_column(Date, index=True)
    last_generated_due: Mapped[date | None]
    active: Mapped[bool] = mapped_column(Boolean, default=True)


# ---------------------------------------------------------------- tasks


class Task(Base):
    __tablename__ = "tasks"
    __table_args__ = (
        CheckConstraint("length(title) > 0", name="title_not_empty"),
        CheckConstraint("priority BETWEEN 0 AND 3", name="priority"),
        # The board, queues and dashboard all read open work by these columns.
        Index("ix_tasks_open_board", "closed_at", "workflow_id", "status_id", "owner_id"),
        # The dashboard's counts: aging and "needs attention" read from the index alone.
        Index(
            "ix_tasks_open_aging",
            "closed_at",
            "workflow_id",
            "status_id",
            "owner_id",
            "status_since",
            "due_date",
            "last_touched_at",
            "reason_code_id",
            "reason_note",
            "last_note_at",
            # The attention test asks whether the task waits on another by its id: in
            # every SQLite index already, on PostgreSQL only when included (0016).
            postgresql_include=["id"],
        ),  # fmt: skip
        # Created per week (dashboard) and "new this week" (weekly report).
        Index("ix_tasks_created", "created_at", "workflow_id"),
        Index("ix_tasks_owner_open_due", "owner_id", "closed_at", "due_date"),
        Index("ix_tasks_status_since", "status_id", "status_since"),
        # Urgency pages read open tasks oldest-in-status first and stop at the page's end.
        Index("ix_tasks_open_since", "closed_at", "status_since", "id"),
        # Recurring care tasks are generated once per intervention and due date.
        UniqueConstraint("intervention_id", "due_date"),
        # A patient's and a care plan's open tasks (the patient page, the Patients list,
        # plan counts) without walking every open task of the practice.
        Index("ix_tasks_patient_open", "patient_id", "closed_at", "due_date"),
        Index("ix_tasks_plan_open", "care_plan_id", "closed_at", "due_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    ref: Mapped[str] = mapped_column(String(20), unique=True)
    workflow_id: Mapped[int] = _fk("workflows.id", nullable=False)
    status_id: Mapped[int] = _fk("statuses.id", nullable=False)
    title: Mapped[str] = mapped_column(String(200))
    details: Mapped[str] = mapped_column(Text, default="")
    search_text: Mapped[str] = mapped_column(String(400), default="")
    # Exactly one accountable owner, always (never null, open or closed).
    owner_id: Mapped[int] = _fk("users.id", nullable=False)
    requester_id: Mapped[int] = _fk("users.id", nullable=False)
    location_id: Mapped[int | None] = _fk("locations.id")
    payer: Mapped[str | None] = mapped_column(String(80), index=True)
    provider_id: Mapped[int | None] = _fk("users.id", index=True)
    patient_id: Mapped[int | None] = _fk("patients.id", index=True)
    care_plan_id: Mapped[int | None] = _fk("care_plans.id", index=True)
    intervention_id: Mapped[int | None] = _fk("care_interventions.id")
    template_id: Mapped[int | None] = _fk("templates.id")
    priority: Mapped[int] = mapped_column(Integer, default=1)
    due_date: Mapped[date | None]
    created_at: Mapped[datetime]
    status_since: Mapped[datetime]
    last_touched_at: Mapped[datetime]
    last_note_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    reason_code_id: Mapped[int | None] = _fk("reason_codes.id")
    reason_note: Mapped[str | None] = mapped_column(String(500))
    reopen_count: Mapped[int] = mapped_column(Integer, default=0)
    decision: Mapped[str | None] = mapped_column(String(16))
    decided_by_id: Mapped[int | None] = _fk("users.id")
    decided_at: Mapped[datetime | None]
    decision_reason_id: Mapped[int | None] = _fk("reason_codes.id")
    decision_note: Mapped[str | None] = mapped_column(String(500))
    extra: Mapped[dict] = mapped_column(JSON, default=dict)
    checklist: Mapped[list] = mapped_column(JSON, default=list)
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[datetime]
    updated_by_id: Mapped[int] = _fk("users.id", nullable=False)
    # Counters kept by services/documents.py and services/dependencies.py, so a card
    # shows its paper clip and its "blocks N" from the board's own row (no subquery).
    document_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    blocking_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # The one open task this one waits on (cleared when that task closes).
    blocked_by_id: Mapped[int | None] = mapped_column(ForeignKey("tasks.id"), index=True)

    __mapper_args__ = {"version_id_col": version}


class TaskWatcher(Base):
    __tablename__ = "task_watchers"

    task_id: Mapped[int] = mapped_column(
        ForeignKey("tasks.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class TaskEvent(Base):
    """The history: creation, status change, handoff, decision, note, reopen, edit."""

    __tablename__ = "task_events"
    __table_args__ = (
        Index("ix_task_events_task_at", "task_id", "at"),
        # Metrics (reopen rate, approval turnaround, rework) read events by kind and period.
        Index("ix_task_events_kind_at", "kind", "at"),
        # Moves into some statuses within a time range (the weekly report's breaches and
        # closings).
        Index("ix_task_events_status_at", "to_status_id", "at"),
        CheckConstraint(
            "kind IN ('created', 'status', 'handoff', 'decision', 'note', 'reopen', 'edit',"
            " 'watch', 'unwatch')",
            name="kind",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = _fk("tasks.id", nullable=False)
    at: Mapped[datetime]
    actor_id: Mapped[int] = _fk("users.id", nullable=False)
    kind: Mapped[str] = mapped_column(String(16))
    from_status_id: Mapped[int | None] = _fk("statuses.id")
    to_status_id: Mapped[int | None] = _fk("statuses.id")
    from_owner_id: Mapped[int | None] = _fk("users.id")
    to_owner_id: Mapped[int | None] = _fk("users.id")
    reason_code_id: Mapped[int | None] = _fk("reason_codes.id")
    # True when a handoff was chosen by a person, not caused by a transition rule.
    manual: Mapped[bool] = mapped_column(Boolean, default=False)
    note: Mapped[str | None] = mapped_column(String(2000))
    data: Mapped[dict | None] = mapped_column(JSON)


class Note(Base):
    """Short operational notes on a task, plan or patient (clinical narrative stays in the EHR)."""

    __tablename__ = "notes"
    __table_args__ = (
        CheckConstraint(
            "(task_id IS NOT NULL) OR (care_plan_id IS NOT NULL) OR (patient_id IS NOT NULL)",
            name="has_subject",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int | None] = _fk("tasks.id", index=True)
    care_plan_id: Mapped[int | None] = _fk("care_plans.id", index=True)
    patient_id: Mapped[int | None] = _fk("patients.id", index=True)
    author_id: Mapped[int] = _fk("users.id", nullable=False)
    at: Mapped[datetime]
    body: Mapped[str] = mapped_column(String(2000))


class Notification(Base):
    __tablename__ = "notifications"
    __table_args__ = (
        UniqueConstraint("user_id", "dedupe_key"),
        Index("ix_notifications_user_unread", "user_id", "read_at"),
        # The alert scan reads the keys already raised for its candidate tasks.
        Index("ix_notifications_task", "task_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = _fk("users.id", nullable=False)
    task_id: Mapped[int | None] = _fk("tasks.id")
    kind: Mapped[str] = mapped_column(String(30))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(String(1000), default="")
    dedupe_key: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime]
    delivered_at: Mapped[datetime | None]
    read_at: Mapped[datetime | None]


class AlertSnooze(Base):
    """A person's alerts about one task held back until ``until`` (audited with its reason)."""

    __tablename__ = "alert_snoozes"
    __table_args__ = (UniqueConstraint("user_id", "task_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = _fk("users.id", nullable=False)
    task_id: Mapped[int] = _fk("tasks.id", nullable=False)
    until: Mapped[datetime]
    reason: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime]


class AlertPreference(Base):
    """One person's alert choices; no row means the defaults (every kind, sound on)."""

    __tablename__ = "alert_preferences"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    muted_kinds: Mapped[list] = mapped_column(JSON, default=list)
    sound: Mapped[bool] = mapped_column(Boolean, default=True)
    digest_time: Mapped[str] = mapped_column(String(5), default="08:00")  # HH:MM, practice time
    updated_at: Mapped[datetime]


class SavedFilter(Base):
    __tablename__ = "saved_filters"
    __table_args__ = (UniqueConstraint("user_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = _fk("users.id", nullable=False)
    name: Mapped[str] = mapped_column(String(80))
    filters: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime]


# ---------------------------------------------------------------- audit, settings, leases


class AuditEntry(Base):
    """Append-only; each row's HMAC is chained to the previous row's (see db.audit)."""

    __tablename__ = "audit_log"
    __table_args__ = (
        Index("ix_audit_log_at", "at"),
        Index("ix_audit_log_user_at", "user_id", "at"),
        Index("ix_audit_log_patient", "patient_id"),
        CheckConstraint("outcome IN ('success', 'denied', 'failure')", name="outcome"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime]
    user_id: Mapped[int | None] = _fk("users.id")
    username: Mapped[str] = mapped_column(String(64))
    workstation: Mapped[str] = mapped_column(String(120))
    action: Mapped[str] = mapped_column(String(60))
    entity: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[str | None] = mapped_column(String(40))
    patient_id: Mapped[int | None]
    category: Mapped[str] = mapped_column(String(30))
    outcome: Mapped[str] = mapped_column(String(10))
    old_values: Mapped[str | None] = mapped_column(Text)
    new_values: Mapped[str | None] = mapped_column(Text)
    detail: Mapped[str | None] = mapped_column(String(500))
    prev_hash: Mapped[str] = mapped_column(String(64))
    row_hash: Mapped[str] = mapped_column(String(64))


class Setting(Base):
    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[dict | list | str | int | float | bool | None] = mapped_column(JSON)
    updated_at: Mapped[datetime]


class SchedulerLease(Base):
    """So only one PC runs a shared scheduled job at a time."""

    __tablename__ = "scheduler_leases"

    name: Mapped[str] = mapped_column(String(60), primary_key=True)
    holder: Mapped[str] = mapped_column(String(120))
    expires_at: Mapped[datetime]
    last_run_at: Mapped[datetime | None]


class ChangeStamp(Base):
    """One row whose ``value`` changes whenever a definitions table changes (workflows,
    statuses, roles, people's names and active flags, settings …): database triggers
    (migration 0003) set a new random number, so every writer on every PC, raw SQL
    included, invalidates the caches of core.cache. Random rather than counted: a
    restored backup or a copied file never brings back a value some cache holds for
    different contents."""

    __tablename__ = "change_stamp"

    id: Mapped[int] = mapped_column(primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger)


# ---------------------------------------------------------------- spreadsheet imports


class ImportBatch(Base):
    """One import of a spreadsheet (tasks or patients): who, when, what came of each row,
    and whether it was undone. Its rows (``import_rows``) hold each row's fingerprint,
    so the same file imported again creates nothing twice."""

    __tablename__ = "import_batches"
    __table_args__ = (CheckConstraint("kind IN ('tasks', 'patients')", name="kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    file_name: Mapped[str] = mapped_column(String(260))
    layout: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime]
    created_by_id: Mapped[int] = _fk("users.id", nullable=False)
    created_count: Mapped[int] = mapped_column(Integer, default=0)
    updated_count: Mapped[int] = mapped_column(Integer, default=0)
    skipped_count: Mapped[int] = mapped_column(Integer, default=0)
    error_count: Mapped[int] = mapped_column(Integer, default=0)
    undone_at: Mapped[datetime | None]
    undone_by_id: Mapped[int | None] = _fk("users.id")


class ImportRow(Base):
    """A spreadsheet row that created or updated something; ``old`` keeps an updated
    patient's previous values so an undo can put them back."""

    __tablename__ = "import_rows"

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = _fk("import_batches.id", nullable=False, index=True)
    row_number: Mapped[int] = mapped_column(Integer)
    fingerprint: Mapped[str] = mapped_column(String(64), index=True)
    action: Mapped[str] = mapped_column(String(16))  # created | updated
    task_id: Mapped[int | None] = _fk("tasks.id")
    patient_id: Mapped[int | None] = _fk("patients.id")
    old: Mapped[dict | None] = mapped_column(JSON)


class ImportLayout(Base):
    """The column and value mapping a person chose for one file layout (its header
    row), proposed again the next time a file with the same header comes in."""

    __tablename__ = "import_layouts"
    __table_args__ = (UniqueConstraint("kind", "layout"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    layout: Mapped[str] = mapped_column(String(32))
    mapping: Mapped[dict] = mapped_column(JSON)
    updated_at: Mapped[datetime]
    updated_by_id: Mapped[int] = _fk("users.id", nullable=False)


class BreakGlassGrant(Base):
    """Emergency ("break-glass") access, security.md item 6: an admin lets one person see
    patient data for a short time, with a reason; audited, and over by itself at
    ``ends_at`` (or earlier, ``revoked_at``)."""

    __tablename__ = "break_glass_grants"
    __table_args__ = (Index("ix_break_glass_grants_user_ends", "user_id", "ends_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = _fk("users.id", nullable=False)
    granted_by_id: Mapped[int] = _fk("users.id", nullable=False)
    reason: Mapped[str] = mapped_column(String(500))
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    revoked_by_id: Mapped[int | None] = _fk("users.id")


class HandoffNotice(Base):
    """A task handed to someone who has not opened it since: the "new to you" badge in
    their queue. Written by the hand-off, removed when the new owner opens the task
    (or when it is handed on again)."""

    __tablename__ = "handoff_notices"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    task_id: Mapped[int] = mapped_column(
        ForeignKey("tasks.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    from_user_id: Mapped[int] = _fk("users.id", nullable=False)
    at: Mapped[datetime]
    note: Mapped[str | None] = mapped_column(Text)


# ---------------------------------------------------------------- documents


class TaskDocument(Base):
    """A file attached to a task (its bytes in ``document_chunks``) or a reference to a
    document kept elsewhere (a path on the file share, an EHR document id). Removal is
    soft: the row stays for the audit, hidden from the task."""

    __tablename__ = "task_documents"
    __table_args__ = (
        CheckConstraint("kind IN ('file', 'reference')", name="kind"),
        Index("ix_task_documents_task", "task_id", "removed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = _fk("tasks.id", nullable=False)
    kind: Mapped[str] = mapped_column(String(10))
    label: Mapped[str] = mapped_column(String(200))
    filename: Mapped[str | None] = mapped_column(String(255))
    content_type: Mapped[str | None] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(BigInteger, default=0)
    sha256: Mapped[str | None] = mapped_column(String(64))
    reference: Mapped[str | None] = mapped_column(String(1000))
    added_by_id: Mapped[int] = _fk("users.id", nullable=False)
    added_at: Mapped[datetime]
    removed_at: Mapped[datetime | None]
    removed_by_id: Mapped[int | None] = _fk("users.id")


class DocumentChunk(Base):
    """One piece of a document's bytes, in order: files are written and read a chunk
    at a time, never whole, and no list query touches this table."""

    __tablename__ = "document_chunks"

    document_id: Mapped[int] = mapped_column(
        ForeignKey("task_documents.id", ondelete="CASCADE"), primary_key=True
    )
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    data: Mapped[bytes] = mapped_column(LargeBinary)
