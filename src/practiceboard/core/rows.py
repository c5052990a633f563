"""Plain, immutable rows the read side returns (never ORM objects).

Views, reports and the CLI read only these. Filters and sorting are computed in
SQL with bound parameters; sort keys come from ``SORTS`` only.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from datetime import date, datetime
from typing import NamedTuple

# Sort keys a caller may ask for (anything else is refused before SQL is built).
SORTS = ("urgency", "due", "age_in_status", "created", "ref", "title", "owner", "priority")

PRIORITY_LABELS = ("Low", "Normal", "High", "Urgent")


class Card(NamedTuple):
    """One task on a board, a queue or a list.

    A NamedTuple, not a frozen dataclass: just as immutable, and built about ten
    times faster, which is most of a 5,000-card board's Python time.
    """

    id: int
    ref: str
    version: int
    workflow_id: int
    workflow_name: str
    status_id: int
    status_name: str
    category: str
    title: str
    owner_id: int
    owner_name: str
    requester_id: int
    due_date: date | None
    priority: int
    created_at: datetime
    status_since: datetime
    last_touched_at: datetime
    patient_ref: str | None  # MRN; None when there is none or the role may not see it
    payer: str | None
    provider_id: int | None
    provider_name: str | None
    location_name: str | None
    reason_label: str | None
    reason_kind: str | None
    sla: str  # domain.aging.SlaState value: ok | warn | breach | paused
    attention: tuple[str, ...]  # domain.aging.AttentionReason values; empty = fine
    overdue: bool
    watched: bool
    age_seconds: float
    age_in_status_seconds: float
    new_to_you: bool = False  # handed to the viewer, who has not opened it since
    # Documents and dependencies (issue 17), from the task's own counters.
    documents: int = 0  # live documents attached or referenced (the paper clip)
    blocked_by_id: int | None = None  # the open task this one waits on
    blocked_by_ref: str | None = None
    blocker_late: bool = False  # that task is overdue or past its time limit
    blocking: int = 0  # open tasks waiting on this one

    @property
    def needs_attention(self) -> bool:
        return bool(self.attention)


@dataclass(frozen=True, slots=True)
class BoardColumn:
    status_id: int
    key: str
    name: str
    category: str
    position: int
    count: int
    attention_count: int
    definition_of_done: str = ""


@dataclass(frozen=True, slots=True)
class Board:
    workflow_id: int | None  # None: "all my workflows", columns are status categories
    columns: tuple[BoardColumn, ...]
    cards: tuple[Card, ...]
    total: int
    truncated: bool  # more matched than the limit; the view says so


@dataclass(frozen=True)
class TaskFilter:
    """Every filter the board, queues and search offer. Empty means 'any'."""

    workflow_ids: tuple[int, ...] = ()
    status_ids: tuple[int, ...] = ()
    categories: tuple[str, ...] = ()
    owner_ids: tuple[int, ...] = ()
    role_keys: tuple[str, ...] = ()  # owner holds one of these roles
    location_ids: tuple[int, ...] = ()
    payers: tuple[str, ...] = ()
    provider_ids: tuple[int, ...] = ()
    due_from: date | None = None
    due_to: date | None = None
    needs_attention: bool = False
    text: str = ""  # reference, title, patient reference (MRN)
    include_closed: bool = False
    # whole days in the current status, inclusive (the dashboard's aging buckets)
    min_days_in_status: int | None = None
    max_days_in_status: int | None = None
    task_ids: tuple[int, ...] = ()  # exactly these (a dashboard number's tasks)

    def is_empty(self) -> bool:
        return self == TaskFilter()

    def to_dict(self) -> dict:
        out = {}
        for k, v in asdict(self).items():
            if isinstance(v, date):
                v = v.isoformat()
            if isinstance(v, tuple):
                v = list(v)
            out[k] = v
        return out

    @classmethod
    def from_dict(cls, data: dict) -> TaskFilter:
        known = {f.name for f in fields(cls)}
        kw = {}
        for k, v in data.items():
            if k not in known:
                continue
            if k in ("due_from", "due_to") and v:
                v = date.fromisoformat(v)
            elif isinstance(v, list):
                v = tuple(v)
            kw[k] = v
        return cls(**kw)


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    at: datetime
    actor_name: str
    kind: str  # created | status | handoff | decision | note | reopen | edit | watch | unwatch
    summary: str  # a sentence: "Moved from New to Waiting on records"
    reason_label: str | None = None
    note: str | None = None
    task_ref: str | None = None  # set on a patient timeline
    # On a patient timeline, what the entry is about (its filter): task | decision |
    # generated | plan | note. Empty on a task's own history.
    group: str = ""


# ---------------------------------------------------------------- approvals (queries.approvals)


@dataclass(frozen=True, slots=True)
class ApprovalItem:
    """One request for a decision, as the inbox and the requester's lists show it."""

    card: Card
    question: str | None  # what the approver is asked this round (plain text)
    asked_by_name: str  # who asked this round
    waiting_hours: float  # business hours on the SLA clock (paused while sent back)
    rounds: int  # times this request was sent back so far (its rework)
    # Sent back: the approver's reason, note, name and when (None otherwise).
    back_reason: str | None = None
    back_note: str | None = None
    back_by_name: str | None = None
    back_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class ApprovalInbox:
    """What waits on one approver, most urgent first, and the header's figures."""

    items: tuple[ApprovalItem, ...]
    waiting: int  # all that wait on them (items may be fewer: the page)
    oldest_hours: float | None  # business hours of the longest-waiting one
    decided_today: int  # decisions they made today (practice day)


@dataclass(frozen=True, slots=True)
class RequesterQueue:
    """A requester's side: what came back to them (newest first), what waits on others."""

    sent_back: tuple[ApprovalItem, ...]
    waiting: tuple[ApprovalItem, ...]


@dataclass(frozen=True, slots=True)
class ApproverLoad:
    """The manager's view: one approver's pending requests."""

    approver_id: int
    approver_name: str
    items: tuple[ApprovalItem, ...]  # oldest first
    breaches: int
    warnings: int


@dataclass(frozen=True, slots=True)
class ApprovalRound:
    """One round of a request's history: asked, then decided (or still open)."""

    number: int
    asked_at: datetime
    asked_by_name: str
    question: str | None
    decision: str | None  # approved | rejected | sent_back | None (open, or withdrawn)
    decided_by_name: str | None
    decided_at: datetime | None
    reason_label: str | None
    note: str | None


@dataclass(frozen=True, slots=True)
class MoveOption:
    """A move the user may be offered from the task's current status."""

    to_status_id: int
    to_status_name: str
    category: str
    allowed: bool
    blocker: str | None  # why not, as a sentence
    reason_kind: str | None  # a reason of this kind is needed
    owner_after_id: int | None  # who will own the task after the move
    owner_after_name: str | None
    is_reopen: bool = False

    def new_owner_name(self, current_owner_id: int | None, actor_id: int | None) -> str | None:
        """Who this move hands the task to: "you", their name, or "someone else";
        None when the task stays with its current owner."""
        if self.owner_after_id is None or self.owner_after_id == current_owner_id:
            return None
        if self.owner_after_id == actor_id:
            return "you"
        return self.owner_after_name or "someone else"


@dataclass(frozen=True)
class TaskDetail:
    card: Card
    details: str
    requester_name: str
    patient_id: int | None
    patient_name: str | None  # only when the role may see patient data
    patient_dob: date | None
    extra: dict
    extra_labels: dict
    checklist: list
    watchers: tuple[str, ...]
    decision: str | None
    decided_by_name: str | None
    decided_at: datetime | None
    decision_note: str | None
    reopen_count: int
    closed_at: datetime | None
    timeline: tuple[TimelineEntry, ...]


@dataclass(frozen=True, slots=True)
class CountRow:
    key: str
    label: str
    count: int
    attention: int = 0


@dataclass(frozen=True)
class Dashboard:
    by_status: tuple[CountRow, ...]
    by_owner: tuple[CountRow, ...]
    by_workflow: tuple[CountRow, ...]
    aging: tuple[tuple[str, tuple[int, ...]], ...]  # (status label, counts per AGING_BUCKETS)
    open_total: int
    attention_total: int
    by_role: tuple[CountRow, ...] = ()  # open tasks per role of their owner (load)


# ---------------------------------------------------------------- added for lookups and metrics


@dataclass(frozen=True, slots=True)
class Option:
    """A plain (id, label) pair for a picker."""

    id: int
    label: str


@dataclass(frozen=True, slots=True)
class StatusRow:
    id: int
    key: str
    name: str
    category: str
    position: int
    definition_of_done: str = ""
    decision: str | None = None  # approved | rejected | sent_back


@dataclass(frozen=True, slots=True)
class WorkflowRow:
    id: int
    key: str
    name: str
    kind: str  # task | approval | care
    statuses: tuple[StatusRow, ...]
    fields: tuple[dict, ...] = ()  # the workflow's own intake fields


@dataclass(frozen=True, slots=True)
class UserRow:
    id: int
    display_name: str
    role_keys: tuple[str, ...]
    active: bool = True


@dataclass(frozen=True, slots=True)
class RoleRow:
    id: int
    key: str
    name: str


@dataclass(frozen=True, slots=True)
class ReasonRow:
    id: int
    kind: str
    key: str
    label: str
    note_required: bool


@dataclass(frozen=True, slots=True)
class TemplateRow:
    id: int
    workflow_id: int
    name: str
    title: str
    details: str
    checklist: tuple
    fields: tuple
    priority: int
    due_in_days: int | None


@dataclass(frozen=True, slots=True)
class SavedFilterRow:
    id: int
    name: str
    filter: TaskFilter
    created_at: datetime


@dataclass(frozen=True, slots=True)
class DurationStat:
    """Durations in seconds (wall-clock) for one workflow or status over a period."""

    key: str
    label: str
    count: int
    median_seconds: float | None
    p90_seconds: float | None
    total_seconds: float = 0.0


@dataclass(frozen=True, slots=True)
class RateStat:
    """numerator / denominator for one workflow over a period (rate None when 0 / 0)."""

    key: str
    label: str
    numerator: int
    denominator: int

    @property
    def rate(self) -> float | None:
        return self.numerator / self.denominator if self.denominator else None


# ---------------------------------------------------------------- a care plan's parts


@dataclass(frozen=True, slots=True)
class GoalRow:
    id: int
    care_plan_id: int
    description: str
    target_date: date | None
    status: str  # open (in progress) | met | not_met | dropped
    position: int
    target: str | None = None


@dataclass(frozen=True, slots=True)
class InterventionRow:
    id: int
    care_plan_id: int
    goal_id: int | None
    title: str
    cadence: str  # the stored rule, e.g. FREQ=WEEKLY;BYDAY=MO
    cadence_text: str  # the rule in words, e.g. "Every week on Monday"
    role_id: int | None
    role_name: str | None
    owner_id: int | None
    owner_name: str | None
    start_date: date
    next_due: date | None
    last_generated_due: date | None
    active: bool
    workflow_id: int | None = None  # None: the care task workflow
    workflow_name: str | None = None


@dataclass(frozen=True, slots=True)
class NoteRow:
    id: int
    care_plan_id: int
    author_id: int
    author_name: str
    at: datetime
    body: str


@dataclass(frozen=True)
class PickerOptions:
    """What the intake, task detail and filter forms offer in their pickers, read in
    one session (queries.pickers.picker_options); the last three only when asked
    for one workflow."""

    workflows: tuple[WorkflowRow, ...] = ()
    users: tuple[UserRow, ...] = ()
    roles: tuple[RoleRow, ...] = ()
    locations: tuple[Option, ...] = ()
    payers: tuple[str, ...] = ()
    providers: tuple[Option, ...] = ()
    saved_filters: tuple[SavedFilterRow, ...] = ()
    timezone: str = ""  # empty (like every field) until the pickers are loaded
    today: date | None = None
    templates: tuple[TemplateRow, ...] = ()
    owners: tuple[Option, ...] = ()
    routed_to: Option | None = None


# ---------------------------------------------------------------- the weekly report and dashboard


@dataclass(frozen=True, slots=True)
class PeriodCounts:
    """One period [start, end): open at its end, created in it, closed in it (tasks moved
    into a done or cancelled status), and breached in it (tasks whose SLA breach moment
    in one status fell inside it)."""

    open_at_end: int
    created: int
    closed: int
    breached: int


@dataclass(frozen=True, slots=True)
class AgedRow:
    """An open task with its age in its status (the weekly report's oldest items)."""

    task_id: int
    ref: str
    title: str
    workflow: str
    status: str
    owner: str
    status_since: datetime
    days_in_status: int
    reason: str  # the reason it is in this status, "" when none
    mrn: str | None  # only for a reader who may see patients


@dataclass(frozen=True, slots=True)
class ExceptionRow:
    """One SLA breach: a stay in a timed status that passed its breach threshold."""

    task_id: int
    ref: str
    workflow: str
    status: str
    owner: str
    entered: datetime
    # In the status by the end of the period (or when it left); None when the caller
    # did not ask for them (the dashboard shows reasons, not hours).
    business_hours: float | None
    breach_hours: float
    reason: str  # the reason code of the move into the status, "" when none


# ---------------------------------------------------------------- the admin screens


@dataclass(frozen=True, slots=True)
class AccountRow:
    """A staff account as the Users admin lists it."""

    id: int
    username: str
    display_name: str
    role_keys: tuple[str, ...]
    role_names: tuple[str, ...]
    active: bool
    locked: bool
    must_change: bool  # a reset's one-time password not yet replaced
    last_login_at: datetime | None
    emergency_until: datetime | None = None  # a running break-glass grant ends then


@dataclass(frozen=True, slots=True)
class StatusAdminRow:
    id: int
    key: str
    name: str
    category: str
    position: int
    retired: bool
    open_tasks: int  # tasks in it now
    used: bool  # a task is in it or ever was (cannot be deleted)


@dataclass(frozen=True, slots=True)
class TemplateAdminRow:
    id: int
    name: str
    title: str
    details: str
    checklist: tuple[str, ...]
    priority: int
    due_in_days: int | None
    active: bool


@dataclass(frozen=True, slots=True)
class ImportBatchRow:
    """One spreadsheet import in the import history (newest first)."""

    id: int
    kind: str  # tasks | patients
    file_name: str
    created_at: datetime
    created_by: str
    created: int
    updated: int
    skipped: int
    errors: int
    undone_at: datetime | None
    undone_by: str | None


# ---------------------------------------------------------------- FHIR export (queries/fhir.py)


@dataclass(frozen=True, slots=True)
class FhirPerson:
    """A staff member a FHIR export names (a provider becomes a Practitioner)."""

    id: int
    username: str
    name: str
    active: bool
    provider: bool


@dataclass(frozen=True, slots=True)
class FhirPatientRow:
    id: int
    mrn: str
    name: str
    date_of_birth: date | None
    phone: str | None
    primary_provider_id: int | None
    active: bool


@dataclass(frozen=True, slots=True)
class WorkflowAdminRow:
    id: int
    key: str
    name: str
    kind: str
    active: bool
    role_ids: tuple[int, ...]  # roles that work on it (those seeing all see it anyway)
    statuses: tuple[StatusAdminRow, ...]
    templates: tuple[TemplateAdminRow, ...]


@dataclass(frozen=True, slots=True)
class ReasonAdminRow:
    id: int
    kind: str
    key: str
    label: str
    note_required: bool
    active: bool
    uses: int  # moves that gave it


@dataclass(frozen=True, slots=True)
class BackupState:
    folder: str
    nightly_time: str  # HH:MM practice time
    last_at: datetime | None  # the last verified backup (any PC, any way)
    last_file: str
    last_pc: str


# ---------------------------------------------------------------- practice settings


@dataclass(frozen=True, slots=True)
class ThresholdRow:
    """An open status of a workflow with its warn and breach thresholds (business hours)."""

    status_id: int
    workflow: str
    status: str
    warn_hours: float | None
    breach_hours: float | None


@dataclass(frozen=True, slots=True)
class PracticeSettings:
    """What the Practice settings screen shows and saves back."""

    practice_name: str
    calendar: dict  # the calendar setting as stored (timezone filled in)
    idle_lock_minutes: int
    reports_folder: str
    backup_folder: str
    backup_time: str
    thresholds: tuple[ThresholdRow, ...]


@dataclass(frozen=True, slots=True)
class FhirGoalRow:
    id: int
    plan_id: int
    description: str
    target: str | None
    target_date: date | None
    status: str


@dataclass(frozen=True, slots=True)
class FhirPlanRow:
    id: int
    patient_id: int
    program: str
    status: str
    summary: str
    start_date: date
    end_date: date | None
    owner_id: int
    status_reason: str | None
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class FhirTaskRow:
    id: int
    ref: str
    title: str
    patient_id: int
    care_plan_id: int | None
    workflow: str
    status_key: str
    status_name: str
    category: str
    owner_id: int
    requester_id: int
    due_date: date | None
    created_at: datetime
    updated_at: datetime
    reason_key: str | None
    reason_label: str | None
    reason_note: str | None
    notes: tuple[tuple[datetime, str, str], ...]  # (when, author, text)


@dataclass(frozen=True, slots=True)
class FhirSource:
    mrn_system: str
    people: tuple[FhirPerson, ...]
    patients: tuple[FhirPatientRow, ...]
    plans: tuple[FhirPlanRow, ...]
    goals: tuple[FhirGoalRow, ...]
    tasks: tuple[FhirTaskRow, ...]


# ---------------------------------------------------------------- the audit report

AUDIT_FIELDS = (
    "id",
    "at",
    "username",
    "workstation",
    "action",
    "entity",
    "entity_id",
    "patient_id",
    "category",
    "outcome",
    "detail",
)  # fmt: skip  (every field the report shows, filters and sorts by)


@dataclass(frozen=True, slots=True)
class AuditFilter:
    """What the audit report shows: a time range (UTC, end excluded) and, for any other
    field, a value it must hold (text fields: contains, case-insensitive; ids: equal)."""

    start: datetime | None = None
    end: datetime | None = None
    username: str = ""
    workstation: str = ""
    action: str = ""
    entity: str = ""
    entity_id: str = ""
    patient_id: int | None = None
    category: str = ""
    outcome: str = ""
    detail: str = ""
    row_id: int | None = None


@dataclass(frozen=True, slots=True)
class AuditRow:
    id: int
    at: datetime  # UTC
    user_id: int | None
    username: str
    workstation: str
    action: str
    entity: str
    entity_id: str | None
    patient_id: int | None
    category: str
    outcome: str
    detail: str | None
    old_values: str | None
    new_values: str | None


@dataclass(frozen=True, slots=True)
class AuditPage:
    rows: tuple[AuditRow, ...]
    total: int  # rows matching the filter, all pages
    offset: int


@dataclass(frozen=True, slots=True)
class DocumentRow:
    """A document on a task as its list shows it (never its content). ``label`` and
    ``filename`` are withheld (None, ``hidden``) on a patient's task from a role that may
    not see patients."""

    id: int
    task_id: int
    kind: str  # file | reference
    label: str | None
    filename: str | None
    content_type: str | None
    kind_words: str  # "PDF", "Word document", "Reference"
    size: int
    sha256: str | None
    reference: str | None
    added_by: str
    added_at: datetime
    hidden: bool = False


@dataclass(frozen=True, slots=True)
class BlockerRow:
    """A task another one waits on, or that waits on it (the detail's Dependencies)."""

    id: int
    ref: str
    title: str
    status: str
    owner: str
    closed: bool
    late: bool
