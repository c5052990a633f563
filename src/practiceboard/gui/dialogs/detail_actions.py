"""What a person does from the task detail besides editing fields: move it (the
allowed moves as buttons), close and reopen it, decide an approval, hand it off,
watch it and note on it.

Moves that need a reason ask through the board's ReasonDialog (one reason dialog
for the whole app). Every action carries the version the dialog shows, so a
change made elsewhere meanwhile comes back as the conflict banner.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from PySide6.QtWidgets import QGridLayout, QPushButton, QWidget

from practiceboard.core.rows import MoveOption, ReasonRow
from practiceboard.domain import decisions, validation
from practiceboard.domain.dates import moment_label
from practiceboard.domain.decisions import Decision
from practiceboard.domain.errors import ValidationError
from practiceboard.domain.policy import Cap
from practiceboard.gui.dialogs.close_dialog import ClosingDialog, HandoffDialog
from practiceboard.gui.dialogs.reason_dialog import ReasonDialog
from practiceboard.gui.dialogs.request_dialog import RequestApprovalDialog
from practiceboard.gui.kit import theme
from practiceboard.gui.kit.ops import Op
from practiceboard.gui.kit.tooltips import plain_tip
from practiceboard.gui.kit.why_disabled import explain_disabled
from practiceboard.gui.kit.wording import now_owns
from practiceboard.gui.views.lists.filter_bar import amp
from practiceboard.queries import lookups
from practiceboard.services import approvals, task_actions, tasks

MOVE_COLUMNS = 2


class DetailActions:
    """Mixed into TaskDetailDialog (which provides ctx, data, version, task_id,
    the widgets, task_op, action_done and action_failed)."""

    reason_dialog: ReasonDialog | None = None

    def prepare_actions(self) -> None:
        self.move_buttons: dict[int, QPushButton] = {}
        self.watch_button.clicked.connect(self.toggle_watch)
        self.handoff_button.clicked.connect(self.hand_off)
        self.add_note_button.clicked.connect(self.add_note)
        self.note_edit.textChanged.connect(self.note_message.hide)
        self.close_task_button.clicked.connect(self.close_task)
        self.reopen_button.clicked.connect(self.reopen)
        self.approve_button.clicked.connect(self.approve)
        self.reject_button.clicked.connect(partial(self.decide_with_reason, Decision.REJECTED))
        self.send_back_button.clicked.connect(partial(self.decide_with_reason, Decision.SENT_BACK))
        self.close_task_button.setIcon(theme.icon("done"))
        self.reopen_button.setIcon(theme.icon("refresh"))
        self.approve_button.setIcon(theme.icon("done"))
        # Request approval (or answer and resubmit): the approvals dialog, with its question.
        self.request_button = QPushButton(
            "&Request approval…", self.send_back_button.parentWidget()
        )
        self.request_button.setObjectName("requestApprovalButton")
        self.request_button.setIcon(theme.icon("review"))
        self.request_button.clicked.connect(self.request_approval)
        self.send_back_button.parentWidget().layout().addWidget(self.request_button)
        self.request_dialog = None
        self.closing_dialog = None
        self.handoff_dialog = None
        say = self.ctx.signals.status_message.emit
        for widget in (self.handoff_combo, self.handoff_button, self.close_task_button,
                       self.reopen_button, self.approve_button, self.reject_button,
                       self.send_back_button, self.request_button):  # fmt: skip
            explain_disabled(widget, say)

    # ---------------------------------------------------------------- showing

    def decision_of(self, status_id: int) -> str | None:
        wf = self.data.workflow
        found = next((s for s in wf.statuses if s.id == status_id), None) if wf else None
        return found.decision if found else None

    def show_actions(self) -> None:
        card = self.data.detail.card
        is_open = self.is_open_task()
        plain = [
            o for o in self.data.moves if not o.is_reopen and not self.decision_of(o.to_status_id)
        ]
        # A closed task offers Reopen only: changing it starts with reopening it.
        self._show_moves(plain if is_open else [])
        self._show_close_reopen(is_open)
        self._show_decision()
        me = self.ctx.actor.user_id
        self.owner_text.setText(card.owner_name + (" (you)" if card.owner_id == me else ""))
        self.handoff_combo.clear()
        self.handoff_combo.setPlaceholderText("Hand off to…")
        for person in self.data.owners:
            if person.id != card.owner_id:
                self.handoff_combo.addItem(person.label + (" (you)" if person.id == me else ""),
                                           person.id)  # fmt: skip
        self.handoff_combo.setCurrentIndex(-1)
        may = card.owner_id == me or self.ctx.can(Cap.TASK_REASSIGN)
        self.handoff_combo.setEnabled(is_open and may and self.handoff_combo.count() > 0)
        self.handoff_button.setEnabled(self.handoff_combo.isEnabled())
        if not is_open:
            why = f"{card.ref} is closed. Reopen it before handing it over."
        elif not may:
            why = "Only its owner or a manager can hand this task to someone else."
        elif self.handoff_combo.count() == 0:
            why = "Nobody else works on this workflow."
        else:
            why = ""
        self.handoff_button.setToolTip(why or "Give the task to the person picked, with a note")
        self.handoff_combo.setToolTip(why)
        watchers = self.data.detail.watchers
        self.watchers_text.setText(
            ", ".join(watchers) if watchers else "Nobody is watching this task."
        )
        self.watch_button.setChecked(card.watched)
        self.watch_button.setText("Stop &watching" if card.watched else "&Watch")
        self.watch_button.setIcon(theme.icon("watched"))

    def _show_moves(self, options: list[MoveOption]) -> None:
        layout: QGridLayout = self.moves_box.layout()
        for button in self.move_buttons.values():
            layout.removeWidget(button)
            button.deleteLater()
        self.move_buttons = {}
        card = self.data.detail.card
        handoffs = []
        previous: QWidget = self.add_note_button
        for i, option in enumerate(options):
            text = amp(option.to_status_name) + ("…" if option.reason_kind else "")
            button = QPushButton(theme.category_icon(option.category), text, self.moves_box)
            button.setObjectName(f"move_{option.to_status_id}")
            button.setEnabled(option.allowed)
            button.setToolTip(plain_tip(self._move_tip(option)))
            explain_disabled(button, self.ctx.signals.status_message.emit)
            button.clicked.connect(partial(self.move, option))
            layout.addWidget(button, i // MOVE_COLUMNS, i % MOVE_COLUMNS)
            self.move_buttons[option.to_status_id] = button
            QWidget.setTabOrder(previous, button)
            previous = button
            name = self._new_owner(option)
            if option.allowed and name:
                handoffs.append(f"“{option.to_status_name}” will go to {name}.")
        if not options:
            self.handoff_line.setText(
                f"{card.ref} is closed. Reopen it to move it again." if not self.is_open_task()
                else "There are no moves from this status."
            )  # fmt: skip
        else:
            self.handoff_line.setText("\n".join(handoffs))
        self.handoff_line.setVisible(bool(self.handoff_line.text()))
        self.status_group.setTitle(f"Move from “{card.status_name}” to" if options else "Moves")

    def _new_owner(self, option: MoveOption) -> str | None:
        return option.new_owner_name(self.data.detail.card.owner_id, self.ctx.actor.user_id)

    def _move_tip(self, option: MoveOption) -> str:
        if not option.allowed:
            return option.blocker or "This move is not allowed."
        parts = [f"Move to “{option.to_status_name}”"]
        if option.reason_kind:
            parts.append("asks for a reason")
        if name := self._new_owner(option):
            parts.append(f"will go to {name}")
        return " · ".join(parts)

    def closing_options(self) -> list[MoveOption]:
        """Where Close task may go: the workflow's done and cancelled steps from here
        (decisions have their own buttons)."""
        return [
            o for o in self.data.moves
            if o.category in ("done", "cancelled") and not o.is_reopen
            and not self.decision_of(o.to_status_id)
        ]  # fmt: skip

    def reopen_option(self) -> MoveOption | None:
        return next((o for o in self.data.moves if o.is_reopen), None)

    def _show_close_reopen(self, is_open: bool) -> None:
        card = self.data.detail.card
        closing = self.closing_options() if is_open else []
        allowed = [o for o in closing if o.allowed]
        self.close_task_button.setVisible(is_open)
        self.close_task_button.setEnabled(bool(allowed))
        if not closing:
            tip = f"{card.ref} cannot be closed from “{card.status_name}”. Move it on first."
        elif allowed:
            tip = "Asks how it ends: " + ", ".join(f"“{o.to_status_name}”" for o in allowed)
        else:
            tip = closing[0].blocker or "You may not close this task."
        self.close_task_button.setToolTip(plain_tip(tip))  # status names: the practice's words
        reopen = self.reopen_option() if not is_open else None
        self.reopen_button.setVisible(not is_open)
        self.reopen_button.setEnabled(reopen is not None and reopen.allowed)
        self.reopen_button.setToolTip(plain_tip(
            "This workflow's closed tasks cannot be reopened." if reopen is None
            else (f"Back to “{reopen.to_status_name}”; asks for a reason" if reopen.allowed
                  else reopen.blocker or "You may not reopen this task.")
        ))  # fmt: skip

    def _show_decision(self) -> None:
        d = self.data.detail
        wf = self.data.workflow
        approval = wf is not None and wf.kind == "approval"
        self.decision_group.setVisible(approval)
        if not approval:
            return
        in_review = d.card.category == "review"
        if d.decision:
            said = decisions.words(d.decision)
            word = said.label if said else d.decision
            text = f"{word} by {d.decided_by_name or 'someone'}"
            if d.decided_at:
                text += f" on {moment_label(d.decided_at, self.data.zone)}"
            if d.decision_note:
                text += f"\nNote: {d.decision_note}"
        else:
            text = "Waiting for a decision." if in_review else "Not sent for a decision yet."
        self.decision_text.setText(text)
        decider = self.ctx.can(Cap.APPROVAL_DECIDE) and in_review
        asking = next((o for o in self.data.moves if o.allowed and o.category == "review"), None)
        show_request = bool(
            asking and not in_review and d.closed_at is None
            and self.ctx.can(Cap.APPROVAL_REQUEST)
        )  # fmt: skip
        self.request_button.setVisible(show_request)
        self.request_button.setText(
            "&Resubmit…" if d.decision == Decision.SENT_BACK else "&Request approval…"
        )
        for button, decision in ((self.approve_button, Decision.APPROVED),
                                 (self.reject_button, Decision.REJECTED),
                                 (self.send_back_button, Decision.SENT_BACK)):  # fmt: skip
            option = self.decision_option(decision)
            button.setVisible(decider and option is not None)
            button.setEnabled(option is not None and option.allowed)
            button.setToolTip(plain_tip(self._move_tip(option)) if option else "")

    def request_approval(self) -> None:
        dialog = RequestApprovalDialog(self.ctx, self.task_id, self)
        self.request_dialog = dialog
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()

    def decision_option(self, decision: str) -> MoveOption | None:
        return next(
            (o for o in self.data.moves if self.decision_of(o.to_status_id) == decision), None
        )

    # ---------------------------------------------------------------- reasons

    def ask_reason(self, option: MoveOption, then: Callable[[int, str | None], None]) -> None:
        """The board's reason dialog for ``option``; ``then(reason_id, note)`` on OK."""

        def show(reasons: list[ReasonRow]) -> None:
            dialog = ReasonDialog(
                self.data.detail.card, option, reasons, self, actor_id=self.ctx.actor.user_id
            )
            self.reason_dialog = dialog
            dialog.accepted.connect(lambda: then(dialog.reason_id(), dialog.note()))
            dialog.rejected.connect(partial(self._reason_cancelled, option))
            dialog.finished.connect(dialog.deleteLater)
            dialog.open()

        Op(self.ctx, lookups.reason_codes, option.reason_kind).success(show).failure(
            self.action_failed
        ).run()

    def _reason_cancelled(self, option: MoveOption) -> None:
        card = self.data.detail.card
        self.ctx.signals.status_message.emit(f"{card.ref} stays in “{card.status_name}”.")

    def _with_reason(self, option: MoveOption, do: Callable[[int | None, str | None], None]):
        if option.reason_kind:
            self.ask_reason(option, do)
        else:
            do(None, None)

    def _submit(self, op: Op, message: Callable) -> None:
        op.success(lambda saved: self.action_done(saved, message(saved))).run()

    # ---------------------------------------------------------------- moves

    def move(self, option: MoveOption) -> None:
        if not option.allowed:
            return
        version = self.version

        def do(reason_id, note) -> None:
            op = self.task_op(tasks.move_task, option.to_status_id, expected_version=version,
                              reason_id=reason_id, note=note)  # fmt: skip
            self._submit(op, lambda s: self._moved_text(s, option))

        self._with_reason(option, do)

    def _moved_text(self, saved, option: MoveOption) -> str:
        text = f"{saved.ref} moved to “{option.to_status_name}”."
        name = self._new_owner(option)
        if name and saved.owner_id != self.data.detail.card.owner_id:
            text += " " + now_owns(name)
        return text

    def close_task(self) -> None:
        """Ask how the task ends (and, where that needs one, why); Esc changes nothing."""
        options = self.closing_options()
        if not any(o.allowed for o in options):
            return
        version = self.version
        dialog = ClosingDialog(self.data.detail.card, options, self)
        self.closing_dialog = dialog

        def picked() -> None:
            option = dialog.choice()

            def do(reason_id, note) -> None:
                op = self.task_op(task_actions.close_task, option.to_status_id,
                                  expected_version=version, reason_id=reason_id,
                                  note=note)  # fmt: skip
                self._submit(op, lambda s: f"{s.ref} closed as “{option.to_status_name}”.")

            self._with_reason(option, do)

        dialog.accepted.connect(picked)
        dialog.rejected.connect(
            lambda: self.ctx.signals.status_message.emit(f"{self.data.detail.card.ref} stays open.")
        )
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()

    def reopen(self) -> None:
        option = self.reopen_option()
        if option is None or not option.allowed:
            return
        version = self.version

        def do(reason_id, note) -> None:
            op = self.task_op(task_actions.reopen_task, expected_version=version,
                              reason_id=reason_id, note=note)  # fmt: skip
            self._submit(op, lambda s: f"{s.ref} reopened in “{option.to_status_name}”.")

        self.ask_reason(option, do)

    def approve(self) -> None:
        op = self.task_op(approvals.approve, expected_version=self.version)
        self._submit(op, lambda s: f"{s.ref} approved.")

    def decide_with_reason(self, decision: str) -> None:
        option = self.decision_option(decision)
        if option is None or not option.allowed:
            return
        service = approvals.reject if decision == Decision.REJECTED else approvals.send_back
        version = self.version
        word = decisions.words(decision).past

        def do(reason_id, note) -> None:
            op = self.task_op(service, expected_version=version, reason_id=reason_id, note=note)
            self._submit(op, lambda s: f"{s.ref} {word}.")

        self.ask_reason(option, do)

    # ---------------------------------------------------------------- owner, watching, notes

    def hand_off(self) -> None:
        person = self.handoff_combo.currentData()
        if person is None:
            self.errors.show(None, "Pick who should own the task, then press Hand off.")
            self.handoff_combo.setFocus()
            return
        name = self.handoff_combo.currentText()
        version = self.version
        dialog = HandoffDialog(self.data.detail.card, name, self)
        self.handoff_dialog = dialog

        def confirmed() -> None:
            op = self.task_op(task_actions.hand_off, person, expected_version=version,
                              note=dialog.note())  # fmt: skip
            self._submit(op, lambda s: f"{s.ref} handed to {name}.")

        dialog.accepted.connect(confirmed)
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()

    def toggle_watch(self) -> None:
        card = self.data.detail.card
        on = not card.watched
        service = task_actions.watch if on else task_actions.unwatch
        self.task_op(service).success(
            lambda _changed: self.action_done(
                None, f"Watching {card.ref}." if on else f"Stopped watching {card.ref}."
            )
        ).run()

    def add_note(self) -> None:
        text = self.note_edit.toPlainText()
        try:
            validation.note(text)
        except ValidationError as err:
            self.note_message.setText(err.message)
            self.note_message.show()
            self.note_edit.setFocus()
            return
        ref = self.data.detail.card.ref

        def added(_note_id) -> None:
            self.note_edit.clear()
            self.action_done(None, f"Note added to {ref}.")

        self.task_op(task_actions.add_note, text).success(added).failure(self._note_failed).run()

    def _note_failed(self, exc: Exception, text: str) -> None:
        """The note stays in its box, with the problem under it."""
        if isinstance(exc, ValidationError):
            self.note_message.setText(text)
            self.note_message.show()
        else:
            self.action_failed(exc, text)
