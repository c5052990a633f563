"""TaskFilter and sort keys as SQL conditions, all with bound parameters.

The "needs attention" and SLA conditions compare task timestamps with cutoffs
computed once per call from the practice calendar (see cards.Snapshot), so the
database does the filtering and the same cutoffs decide the flags on each card.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import and_, case, exists, false, func, literal, or_, select
from sqlalchemy.orm import aliased
from sqlalchemy.sql.elements import ColumnElement

from practiceboard.core.like import contains
from practiceboard.core.rows import SORTS, TaskFilter
from practiceboard.db.models import Role, Task, User, UserRole
from practiceboard.domain.errors import ValidationError
from practiceboard.domain.policy import Cap
from practiceboard.queries.cards import Snapshot

SORT_REFUSED = "That sort order is not available."


def workflow_scope(snap: Snapshot, requested: tuple[int, ...] = ()) -> ColumnElement:
    """Only workflows the actor works on (and, when asked, only some of them)."""
    ids = set(snap.visible)
    if requested:
        ids &= set(requested)
    return Task.workflow_id.in_(sorted(ids)) if ids else false()


def text_condition(snap: Snapshot, text: str) -> ColumnElement:
    needle = " ".join(text.split()).lower()
    if snap.policy.can(Cap.PATIENT_VIEW):
        # search_text = "ref title mrn", already lower-cased by the writers.
        return contains(Task.search_text, needle)
    # Without patient.view, the MRN inside search_text must not be searchable.
    return or_(contains(func.lower(Task.ref), needle), contains(func.lower(Task.title), needle))


def conditions(snap: Snapshot, filt: TaskFilter) -> list[ColumnElement]:
    """Every filter as a list of AND-ed conditions (visibility included)."""
    out = [workflow_scope(snap, filt.workflow_ids)]
    status_ids = set(filt.status_ids)
    if filt.categories:
        wanted = set(filt.categories)
        in_cats = {sid for sid, s in snap.statuses.items() if s.category in wanted}
        status_ids = (status_ids & in_cats) if status_ids else in_cats
        if not status_ids:
            return [false()]
    if status_ids:
        out.append(Task.status_id.in_(sorted(status_ids)))
    if filt.owner_ids:
        out.append(Task.owner_id.in_(sorted(set(filt.owner_ids))))
    if filt.role_keys:
        # The owner holds one of these roles (role keys are bound values too).
        out.append(
            exists(
                select(literal(1))
                .select_from(UserRole)
                .join(Role, Role.id == UserRole.role_id)
                .where(UserRole.user_id == Task.owner_id, Role.key.in_(sorted(set(filt.role_keys))))
            )
        )
    if filt.location_ids:
        out.append(Task.location_id.in_(sorted(set(filt.location_ids))))
    if filt.payers:
        out.append(Task.payer.in_(sorted(set(filt.payers))))
    if filt.provider_ids:
        out.append(Task.provider_id.in_(sorted(set(filt.provider_ids))))
    if filt.due_from is not None:
        out.append(Task.due_date >= filt.due_from)
    if filt.due_to is not None:
        out.append(Task.due_date <= filt.due_to)
    if filt.text.strip():
        out.append(text_condition(snap, filt.text))
    if filt.needs_attention:
        out.append(attention_condition(snap))
    # Whole days in status as aging.whole_days counts them (the dashboard's buckets):
    # at least n days <=> entered at or before now - n days.
    if filt.min_days_in_status is not None:
        out.append(Task.status_since <= snap.now - timedelta(days=filt.min_days_in_status))
    if filt.max_days_in_status is not None:
        out.append(Task.status_since > snap.now - timedelta(days=filt.max_days_in_status + 1))
    if filt.task_ids:
        out.append(Task.id.in_(sorted(set(filt.task_ids))))
    return out


# ---------------------------------------------------------------- SLA and attention


def breach_condition(snap: Snapshot, t=Task) -> ColumnElement:
    """Open and at or past the breach threshold of its status: entered it at or
    before the status's cutoff (statuses sharing a threshold share one cutoff).
    ``t``: the tasks table or an alias of it (a blocker)."""
    groups: dict = {}
    for sid, cutoff in snap.breach_cutoffs.items():
        groups.setdefault(cutoff, []).append(sid)
    parts = [
        and_(t.status_id.in_(sorted(sids)), t.status_since <= cutoff)
        for cutoff, sids in sorted(groups.items())
    ]
    if not parts:
        return false()
    return and_(t.closed_at.is_(None), or_(*parts))


def overdue_condition(snap: Snapshot) -> ColumnElement:
    return and_(Task.closed_at.is_(None), Task.due_date < snap.today)


def untouched_condition(snap: Snapshot) -> ColumnElement:
    return and_(Task.closed_at.is_(None), Task.last_touched_at < snap.untouched_cutoff)


def unexplained_condition(snap: Snapshot) -> ColumnElement:
    """Reason 'other' with no note on the move and no note added since."""
    if not snap.other_reason_ids:
        return false()
    return and_(
        Task.closed_at.is_(None),
        Task.reason_code_id.in_(snap.other_reason_ids),
        func.trim(func.coalesce(Task.reason_note, "")) == "",
        or_(Task.last_note_at.is_(None), Task.last_note_at < Task.status_since),
    )


# Made once: an alias built per call costs more than the rest of the condition.
_BLOCKER = aliased(Task, name="blocker")
_WAITING = aliased(Task, name="waiting")
_WAITING_TOO = aliased(Task, name="waiting_too")


def late_blockers(snap: Snapshot):
    """Ids of open tasks others wait on that are overdue or past their time limit (the
    SQL twin of cards.blocker_is_late). Found from the blocked tasks' index
    (ix_tasks_blocked_by_id), so its cost follows the number of blocks, not of open
    tasks: the database evaluates it once per statement as soon as one blocked task is
    among the candidates."""
    b, waiting = _BLOCKER, _WAITING
    blockers = select(waiting.blocked_by_id).where(waiting.blocked_by_id.is_not(None))
    return select(b.id).where(
        b.id.in_(blockers),
        b.closed_at.is_(None),
        or_(b.due_date < snap.today, breach_condition(snap, b)),
    )


def attention_condition(snap: Snapshot) -> ColumnElement:
    """Stuck: overdue, past breach, untouched or unexplained — except a task waiting on
    another, which is stuck only when the task it waits on is late."""
    own = or_(
        overdue_condition(snap),
        breach_condition(snap),
        untouched_condition(snap),
        unexplained_condition(snap),
    )
    # By task id, not by blocked_by_id: the id is in every SQLite index, so the board's
    # counts and the dashboard still read open work from ix_tasks_open_aging alone; the
    # two short lists come from ix_tasks_blocked_by_id, once per statement.
    waiting = _WAITING_TOO
    blocked = select(waiting.id).where(waiting.blocked_by_id.is_not(None))
    through_late = select(waiting.id).where(waiting.blocked_by_id.in_(late_blockers(snap)))
    return or_(
        and_(own, Task.id.not_in(blocked)),
        and_(Task.closed_at.is_(None), Task.id.in_(through_late)),
    )


# ---------------------------------------------------------------- sorting


URGENCY_RANKS = 4


def urgency_rank(snap: Snapshot) -> ColumnElement:
    """0 past breach, 1 overdue, 2 due today, 3 the rest (URGENCY_RANKS of them)."""
    return case(
        (breach_condition(snap), 0),
        (overdue_condition(snap), 1),
        (and_(Task.closed_at.is_(None), Task.due_date == snap.today), 2),
        else_=3,
    )


def check_sort(sort: str) -> None:
    if sort not in SORTS:
        raise ValidationError(SORT_REFUSED, "sort")


def order_by(snap: Snapshot, sort: str, descending: bool = False) -> tuple[list, bool]:
    """ORDER BY terms for an allowed sort key, and whether the owner's name is needed
    (the caller then joins users). Tasks without a due date sort last; ties break
    on the task id."""
    check_sort(sort)
    if sort == "age_in_status":
        # The smallest age is the latest timestamp.
        terms, descending = [Task.status_since], not descending
    else:
        terms = {
            "urgency": [urgency_rank(snap), Task.status_since],
            "due": [Task.due_date],
            "created": [Task.created_at],
            "ref": [Task.ref],
            "title": [func.lower(Task.title)],
            "owner": [User.display_name],
            "priority": [Task.priority],
        }[sort]
    if descending:
        terms = [t.desc() for t in terms]
    if sort == "due":
        terms = [Task.due_date.is_(None), *terms]
    return [*terms, Task.id], sort == "owner"
