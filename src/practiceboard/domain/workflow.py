"""Workflow rules: which moves exist, which need a reason, who owns the task afterwards.

Definitions are plain frozen dataclasses loaded from the database (statuses,
transitions, reason codes are configurable); the GUI asks the same functions
before a drop that the services enforce after it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum

from practiceboard.domain.errors import InvalidTransition, PermissionDenied, ValidationError
from practiceboard.domain.policy import Cap, denial_message


class Category(StrEnum):
    NEW = "new"
    ACTIVE = "active"
    WAITING = "waiting"
    REVIEW = "review"
    DONE = "done"
    CANCELLED = "cancelled"


CLOSED_CATEGORIES = frozenset({Category.DONE, Category.CANCELLED})


class Handoff(StrEnum):
    KEEP = "keep"
    APPROVER = "approver"
    REQUESTER = "requester"


class ReasonKind(StrEnum):
    WAITING = "waiting"
    NEEDS_INFO = "needs_info"
    REJECTION = "rejection"
    REOPEN = "reopen"
    EXCEPTION = "exception"


REASON_KIND_LABELS = {
    ReasonKind.WAITING: "Why is it waiting?",
    ReasonKind.NEEDS_INFO: "What information is needed?",
    ReasonKind.REJECTION: "Why is it rejected?",
    ReasonKind.REOPEN: "Why reopen it?",
    ReasonKind.EXCEPTION: "Why is it being closed this way?",
}


@dataclass(frozen=True)
class StatusDef:
    id: int
    key: str
    name: str
    category: Category
    position: int
    definition_of_done: str = ""
    warn_hours: float | None = None
    breach_hours: float | None = None
    pauses_sla: bool = False
    decision: str | None = None
    retired: bool = False  # kept for its tasks and history; nothing moves into it

    @property
    def is_open(self) -> bool:
        return self.category not in CLOSED_CATEGORIES


@dataclass(frozen=True)
class TransitionDef:
    id: int
    from_status_id: int
    to_status_id: int
    capability: str = Cap.TASK_EDIT_OWN
    label: str = ""
    reason_kind: ReasonKind | None = None
    handoff: Handoff = Handoff.KEEP
    is_reopen: bool = False


@dataclass(frozen=True)
class ReasonDef:
    id: int
    kind: ReasonKind
    key: str
    label: str
    note_required: bool = False


@dataclass(frozen=True)
class WorkflowDef:
    id: int
    key: str
    name: str
    kind: str
    ref_prefix: str
    statuses: tuple[StatusDef, ...]
    transitions: tuple[TransitionDef, ...]
    approver_role_id: int | None = None
    intake_role_id: int | None = None
    _by_id: dict[int, StatusDef] = field(init=False, repr=False, compare=False)
    _moves: dict[tuple[int, int], TransitionDef] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_id", {s.id: s for s in self.statuses})
        moves = {(t.from_status_id, t.to_status_id): t for t in self.transitions}
        object.__setattr__(self, "_moves", moves)

    def status(self, status_id: int) -> StatusDef:
        return self._by_id[status_id]

    def has_status(self, status_id: int) -> bool:
        return status_id in self._by_id

    def status_by_key(self, key: str) -> StatusDef:
        for s in self.statuses:
            if s.key == key:
                return s
        raise ValidationError(f"The {self.name} workflow has no status called “{key}”.", "status")

    @property
    def first_status(self) -> StatusDef:
        current = [s for s in self.statuses if not s.retired] or list(self.statuses)
        return min(current, key=lambda s: s.position)

    def transition(self, from_id: int, to_id: int) -> TransitionDef | None:
        return self._moves.get((from_id, to_id))

    def moves_from(self, from_id: int) -> list[TransitionDef]:
        order = {s.id: s.position for s in self.statuses}
        found = [t for (f, to), t in self._moves.items()
                 if f == from_id and not self._by_id[to].retired]  # fmt: skip
        return sorted(found, key=lambda t: order[t.to_status_id])


def move_blocker(
    wf: WorkflowDef, from_id: int, to_id: int, can: Callable[[str], bool]
) -> str | None:
    """Why this move is not allowed, as a sentence; None when it is allowed."""
    if from_id == to_id:
        return "The task is already in that status."
    src, dst = wf.status(from_id), wf.status(to_id)
    t = wf.transition(from_id, to_id)
    if dst.retired:
        return f"“{dst.name}” is retired: tasks no longer move into it."
    if t is None:
        if not src.is_open:
            return f"“{src.name}” is closed. Reopen the task first (with a reason)."
        return f"{wf.name}: a task cannot go from “{src.name}” straight to “{dst.name}”."
    if not can(t.capability):
        return denial_message(t.capability)
    return None


def check_move(
    wf: WorkflowDef,
    from_id: int,
    to_id: int,
    can: Callable[[str], bool],
    reason: ReasonDef | None,
    note: str | None,
) -> TransitionDef:
    """The transition for this move, or a typed error saying what is wrong."""
    blocker = move_blocker(wf, from_id, to_id, can)
    if blocker is not None:
        t = wf.transition(from_id, to_id)
        if t is not None and not can(t.capability):
            raise PermissionDenied(blocker)
        raise InvalidTransition(blocker)
    t = wf.transition(from_id, to_id)
    assert t is not None
    dst = wf.status(to_id)
    if t.reason_kind is not None:
        if reason is None:
            raise InvalidTransition(
                f"Moving to “{dst.name}” needs a reason. {REASON_KIND_LABELS[t.reason_kind]}"
            )
        if reason.kind != t.reason_kind:
            raise InvalidTransition(f"“{reason.label}” is not a reason for moving to “{dst.name}”.")
        if (reason.note_required or reason.key == "other") and not (note or "").strip():
            raise InvalidTransition(f"Please add a short note explaining “{reason.label}”.")
    return t


def new_owner(
    handoff: Handoff,
    *,
    current_owner: int,
    requester: int,
    provider: int | None,
    approver_from_role: Callable[[], int | None],
    picked: int | None = None,
) -> tuple[int, bool]:
    """(owner after the move, whether a person chose it rather than the rule).

    Into review: the task's provider, else someone from the workflow's approver
    role. Back to needs-info or rejected: the requester. Otherwise it stays,
    unless the user picked someone. A task never has none or two owners.
    """
    if picked is not None:
        return picked, picked != _rule_owner(
            handoff, current_owner, requester, provider, approver_from_role
        )
    return _rule_owner(handoff, current_owner, requester, provider, approver_from_role), False


def _rule_owner(handoff, current_owner, requester, provider, approver_from_role) -> int:
    if handoff is Handoff.REQUESTER:
        return requester
    if handoff is Handoff.APPROVER:
        if provider is not None:
            return provider
        approver = approver_from_role()
        return approver if approver is not None else current_owner
    return current_owner
