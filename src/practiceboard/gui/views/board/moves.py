"""Moving a card: what a drop onto a column would do, and doing it.

The allowed moves of a card are fetched once (services.task_actions.allowed_moves,
through the runner) when it is picked up; while the card is dragged, each column
is judged from them with ``plan_drop`` — refused moves are refused before the
drop, with the reason. ``perform_move`` is the one path a drop, the "Move to…"
menu and the tests take: ask for a reason if the move needs one, then
services.tasks.move_task with the version the user saw.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from PySide6.QtCore import QByteArray, QMimeData
from PySide6.QtWidgets import QWidget

from practiceboard.core.rows import BoardColumn, Card, MoveOption, ReasonRow
from practiceboard.domain.errors import ConflictError, NotFound, PracticeBoardError
from practiceboard.gui.dialogs.reason_dialog import ReasonDialog
from practiceboard.gui.kit.change import Change, Kind
from practiceboard.gui.kit.context import AppContext
from practiceboard.gui.kit.errors import sentence
from practiceboard.gui.kit.ops import Op
from practiceboard.gui.kit.wording import now_owns
from practiceboard.queries import lookups
from practiceboard.queries.board import COLUMN_OF_CATEGORY
from practiceboard.services import task_actions, tasks

MIME_TYPE = "application/x-practiceboard-task"


# ---------------------------------------------------------------- drag payload


def card_mime(card: Card) -> QMimeData:
    """The drag payload: task id and the version the user saw."""
    mime = QMimeData()
    mime.setData(MIME_TYPE, QByteArray(f"{card.id}:{card.version}".encode("ascii")))
    mime.setText(f"{card.ref} {card.title}")  # dropping into a text field gives something useful
    return mime


def read_mime(mime: QMimeData | None) -> tuple[int, int] | None:
    """(task id, version) from a drag payload, or None when it is not one of ours."""
    if mime is None or not mime.hasFormat(MIME_TYPE):
        return None
    try:
        task_id, version = bytes(mime.data(MIME_TYPE).data()).decode("ascii").split(":")
        return int(task_id), int(version)
    except (ValueError, UnicodeDecodeError):
        return None


# ---------------------------------------------------------------- judging a move


def fetch_moves(
    ctx: AppContext,
    card: Card,
    on_done: Callable[[list[MoveOption]], None],
    on_error: Callable[[Exception], None] | None = None,
) -> None:
    """Ask, off the GUI thread, where this card may go."""
    Op(ctx, task_actions.allowed_moves, card.id).success(on_done).failure(
        lambda exc, _text: on_error(exc) if on_error is not None else None
    ).run()


def option_for(card: Card, options: Sequence[MoveOption], to_status_id: int) -> MoveOption:
    """The option for one target status (refused when it is the card's own status)."""
    for option in options:
        if option.to_status_id == to_status_id:
            return option
    return MoveOption(
        to_status_id=to_status_id, to_status_name=card.status_name, category=card.category,
        allowed=False, blocker="The task is already in that status.", reason_kind=None,
        owner_after_id=None, owner_after_name=None,
    )  # fmt: skip


def plan_move(ctx: AppContext, card: Card, to_status_id: int) -> MoveOption:
    """What moving ``card`` to ``to_status_id`` would do. Synchronous: for scripts and
    tests; the board gets the same answer through fetch_moves."""
    return option_for(card, task_actions.allowed_moves(ctx.db, ctx.actor, card.id), to_status_id)


@dataclass(frozen=True)
class DropPlan:
    """What dropping a card on one column would do: the allowed targets in the column
    (several on the all-workflows board, where a column is a category), or why not."""

    choices: tuple[MoveOption, ...]
    blocker: str | None
    same_column: bool = False

    @property
    def allowed(self) -> bool:
        return bool(self.choices)


def column_category(category: str) -> str:
    return COLUMN_OF_CATEGORY.get(category, category)


def in_column(card: Card, column: BoardColumn, workflow_id: int | None) -> bool:
    """Whether the card already sits in this column (dropping it there does nothing)."""
    if workflow_id is not None:
        return column.status_id == card.status_id
    return column_category(card.category) == column.key


def plan_drop(
    card: Card, options: Sequence[MoveOption], column: BoardColumn, workflow_id: int | None
) -> DropPlan:
    """Judge dropping ``card`` on ``column`` from the card's allowed moves."""
    if in_column(card, column, workflow_id):
        return DropPlan((), None, same_column=True)
    if workflow_id is not None:
        option = option_for(card, options, column.status_id)
        return DropPlan((option,) if option.allowed else (), option.blocker)
    targets = [o for o in options if column_category(o.category) == column.key]
    allowed = tuple(o for o in targets if o.allowed)
    if allowed:
        return DropPlan(allowed, None)
    if targets:
        return DropPlan((), targets[0].blocker)
    return DropPlan((), f"{card.workflow_name} tasks have no “{column.name}” step.")


def handoff_line(card: Card, option: MoveOption, actor_id: int | None = None) -> str:
    """'Will be handed to Dr. Pat Provider' (or '' when the owner stays)."""
    name = option.new_owner_name(card.owner_id, actor_id)
    return f"Will be handed to {name}" if name else ""


def option_label(card: Card, option: MoveOption, actor_id: int | None = None) -> str:
    """A menu entry: 'Waiting on payer…' (a reason will be asked), '→ new owner'."""
    label = option.to_status_name + ("…" if option.reason_kind else "")
    name = option.new_owner_name(card.owner_id, actor_id)
    return f"{label}  (handed to {name})" if name else label


def drop_hint(card: Card, plan: DropPlan, actor_id: int | None = None) -> str:
    """What the target column says while the card hovers over it."""
    if plan.same_column:
        return ""
    if not plan.allowed:
        return f"Can't move here: {plan.blocker}" if plan.blocker else "Can't move here."
    if len(plan.choices) > 1:
        names = " or ".join(f"“{o.to_status_name}”" for o in plan.choices)
        return f"Drop to choose: {names}"
    option = plan.choices[0]
    parts = [f"Drop to move to “{option.to_status_name}”"]
    if option.reason_kind:
        parts.append("a reason will be asked")
    handoff = handoff_line(card, option, actor_id)
    if handoff:
        parts.append(handoff)
    return " · ".join(parts)


# ---------------------------------------------------------------- doing a move


class MoveFlow:
    """One move from request to saved (or cancelled): optional reason dialog, then the
    service call in the runner. ``state`` ends as moved | cancelled | refused |
    conflict | failed; ``on_finished(flow)`` is called once at the end."""

    def __init__(
        self,
        ctx: AppContext,
        card: Card,
        option: MoveOption,
        parent: QWidget | None,
        on_finished: Callable[[MoveFlow], None] | None = None,
    ):
        self.ctx, self.card, self.option, self.parent = ctx, card, option, parent
        self.on_finished = on_finished
        self.dialog: ReasonDialog | None = None
        self.state = "asking"
        self.message = ""

    @property
    def done(self) -> bool:
        return self.state not in ("asking", "saving")

    def start(self) -> None:
        option = self.option
        if not option.allowed:
            self.message = option.blocker or "This move is not allowed."
            self.ctx.messages.warn(self.parent, "Move not allowed", self.message)
            self._finish("refused")
        elif option.reason_kind:
            Op(self.ctx, lookups.reason_codes, option.reason_kind).success(
                self._ask_reason
            ).failure(lambda exc, _text: self._failed(exc)).run()
        else:
            self._save(None, None)

    def _ask_reason(self, reasons: list[ReasonRow]) -> None:
        dialog = ReasonDialog(
            self.card, self.option, reasons, self.parent, actor_id=self.ctx.actor.user_id
        )
        self.dialog = dialog
        dialog.accepted.connect(lambda: self._save(dialog.reason_id(), dialog.note()))
        dialog.rejected.connect(self._cancelled)
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()

    def _cancelled(self) -> None:
        self.message = f"{self.card.ref} stays in “{self.card.status_name}”."
        self.ctx.signals.status_message.emit(self.message)
        self._finish("cancelled")

    def _save(self, reason_id: int | None, note: str | None) -> None:
        self.state = "saving"
        Op(
            self.ctx, tasks.move_task, self.card.id, self.option.to_status_id,
            expected_version=self.card.version, reason_id=reason_id, note=note,
        ).changes(Change.of(Kind.TASK, self.card.id)).success(self._moved).failure(
            lambda exc, _text: self._failed(exc)
        ).run()  # fmt: skip

    def _moved(self, saved: tasks.TaskSaved) -> None:
        text = f"{saved.ref} moved to “{self.option.to_status_name}”."
        name = self.option.new_owner_name(self.card.owner_id, self.ctx.actor.user_id)
        if saved.owner_id != self.card.owner_id and name:
            text += " " + now_owns(name)
        self.message = text
        self.ctx.signals.status_message.emit(text)
        self.ctx.signals.task_saved.emit(saved.id)
        self._finish("moved")  # then the Op announces the change: the board reloads

    def _failed(self, exc: Exception) -> None:
        if isinstance(exc, ConflictError):
            head = exc.message.split(" — ")[0]
            self.message = (
                f"{head}, so your move to “{self.option.to_status_name}” was not saved. "
                "The board now shows their change."
            )
            self.ctx.messages.warn(self.parent, "Someone else changed this task", self.message)
            self.ctx.signals.data_changed.emit(Change.of(Kind.TASK, self.card.id))
            self._finish("conflict")
            return
        if isinstance(exc, PracticeBoardError):
            self.message = exc.message
            self.ctx.messages.warn(self.parent, "Move not saved", exc.message)
            if isinstance(exc, NotFound):
                self.ctx.signals.data_changed.emit(Change.of(Kind.TASK, self.card.id))
        else:
            self.message = sentence(exc, "The move could not be saved: {detail}")
            self.ctx.messages.error(self.parent, "Move not saved", self.message)
        self._finish("failed")

    def _finish(self, state: str) -> None:
        self.state = state
        if self.on_finished is not None:
            self.on_finished(self)


def perform_move(
    ctx: AppContext,
    card: Card,
    option: MoveOption,
    parent: QWidget | None = None,
    *,
    on_finished: Callable[[MoveFlow], None] | None = None,
) -> MoveFlow:
    """Move ``card`` as ``option`` says: a refused option is explained, a reason is
    asked when needed (cancel leaves the task where it is), then the move is saved
    with ``expected_version=card.version``; a conflict names who changed it."""
    flow = MoveFlow(ctx, card, option, parent, on_finished)
    flow.start()
    return flow
