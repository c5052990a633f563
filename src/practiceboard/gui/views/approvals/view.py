"""The Approvals view: what waits on me (with a reading pane and keyboard decisions),
my requests (what came back, at the top, and what waits on others), and — for
managers — every pending request by approver with the flow's figures.

Keys in the inbox list: A approve, R reject, B send back (each opens a confirmation
with the reason picker; Ctrl+Enter confirms), Enter opens the task. Several selected
requests are decided together, each as its own audited decision; a request someone
else decided first is named with who and when, and leaves the list.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

from PySide6.QtCore import QItemSelectionModel, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from practiceboard.core.rows import ApprovalInbox, ApprovalItem, RequesterQueue
from practiceboard.domain.decisions import Decision
from practiceboard.domain.policy import Cap
from practiceboard.gui.dialogs.decision_dialog import DecisionDialog, decided_text
from practiceboard.gui.dialogs.request_dialog import RequestApprovalDialog
from practiceboard.gui.kit.change import Change, Kind
from practiceboard.gui.kit.context import AppContext
from practiceboard.gui.kit.elided import ElidedLabel
from practiceboard.gui.kit.errors import SOMETHING_WRONG
from practiceboard.gui.kit.ops import Op
from practiceboard.gui.kit.stale import RefreshWhenShown
from practiceboard.gui.kit.tables import set_up_rows_table
from practiceboard.gui.views.approvals.flow import FlowPanel
from practiceboard.gui.views.approvals.model import (
    BACK_COLUMNS,
    INBOX_COLUMNS,
    OTHERS_COLUMNS,
    TASK_ID_ROLE,
    ApprovalTableModel,
    hours_label,
)
from practiceboard.gui.views.approvals.pane import ReadingPane
from practiceboard.queries import approvals as q
from practiceboard.services import approvals

SHOWN = (Kind.TASK, Kind.PATIENT, Kind.USER)
KEYS = {Qt.Key.Key_A: Decision.APPROVED, Qt.Key.Key_R: Decision.REJECTED,
        Qt.Key.Key_B: Decision.SENT_BACK}  # fmt: skip
WIDTHS = {"ref": 11, "asked_by": 15, "holder": 15, "patient": 10, "waiting": 9, "sla": 14,
          "rounds": 11, "back_by": 15}  # fmt: skip


class ApprovalTable(QTableView):
    """A read-only list of requests; A / R / B ask for a decision, Enter opens the task."""

    task_activated = Signal(int)
    decide = Signal(object)  # a Decision

    def __init__(self, columns, parent: QWidget, *, multi: bool, keys: bool):
        super().__init__(parent)
        self.setModel(ApprovalTableModel(columns, self))
        self.keys = keys
        set_up_rows_table(
            self,
            [None if col in ("asked", "back") else WIDTHS.get(col, 14) for col in columns],
            multi=multi,
        )
        self.doubleClicked.connect(lambda index: self.task_activated.emit(index.data(TASK_ID_ROLE)))

    def items(self) -> ApprovalTableModel:
        return self.model()

    def selected(self) -> list[ApprovalItem]:
        model = self.items()
        rows = sorted(i.row() for i in self.selectionModel().selectedRows())
        return [model.items[r] for r in rows if r < len(model.items)]

    def current_task_id(self) -> int | None:
        index = self.currentIndex()
        chosen = self.selected()
        if index.isValid() and any(i.card.id == index.data(TASK_ID_ROLE) for i in chosen):
            return index.data(TASK_ID_ROLE)
        return chosen[0].card.id if chosen else None

    def set_items(self, items) -> None:
        """New rows, keeping the selected requests selected; else the first one (the inbox
        reads top down: the first is the one to decide next)."""
        keep = {i.card.id for i in self.selected()}
        current = self.current_task_id()
        model, selection = self.items(), self.selectionModel()
        model.set_items(items)
        rows = [r for r, item in enumerate(model.items) if item.card.id in keep]
        flags = QItemSelectionModel.SelectionFlag
        for r in rows:
            selection.select(model.index(r, 0), flags.Select | flags.Rows)
        if rows:
            at = model.row_of(current) if current is not None else -1
            selection.setCurrentIndex(model.index(at if at >= 0 else rows[0], 0), flags.NoUpdate)
        elif model.items:
            self.selectRow(0)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        plain = event.modifiers() in (
            Qt.KeyboardModifier.NoModifier, Qt.KeyboardModifier.KeypadModifier,
        )  # fmt: skip
        if self.keys and plain and event.key() in KEYS and self.selected():
            self.decide.emit(KEYS[event.key()])
            event.accept()
            return
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.current_task_id():
            self.task_activated.emit(self.current_task_id())
            event.accept()
            return
        super().keyPressEvent(event)


def _heading(text: str, parent: QWidget, name: str) -> QLabel:
    label = QLabel(text, parent, objectName=name)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setProperty("kind", "heading")
    return label


class _Listed(QStackedWidget):
    """A table, or the sentence that stands in for it."""

    def __init__(self, table: ApprovalTable, empty: str, parent: QWidget):
        super().__init__(parent)
        self.table = table
        self.empty = QLabel(empty, self, objectName="emptyState")
        self.empty.setTextFormat(Qt.TextFormat.PlainText)
        self.empty.setProperty("kind", "muted")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        self.addWidget(table)
        self.addWidget(self.empty)

    def show_items(self, items, empty: str | None = None) -> None:
        self.table.set_items(items)
        if empty:
            self.empty.setText(empty)
        self.setCurrentWidget(self.table if items else self.empty)


@dataclass(frozen=True)
class Loaded:
    inbox: ApprovalInbox | None
    mine: RequesterQueue | None
    choices: q.DecisionChoices


def load(db, actor, decider: bool, requester: bool) -> Loaded:
    return Loaded(
        q.inbox(db, actor) if decider else None,
        q.requester_queue(db, actor) if requester else None,
        q.decision_choices(db, actor),
    )


class ApprovalsView(RefreshWhenShown, QWidget):
    shown_kinds = SHOWN
    task_activated = Signal(int)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("approvalsView")
        self.decider = ctx.can(Cap.APPROVAL_DECIDE)
        self.requester = ctx.can(Cap.APPROVAL_REQUEST)
        self.manager = ctx.can(Cap.REPORTS_VIEW)
        self.choices: q.DecisionChoices | None = None
        self.loaded: Loaded | None = None
        self._ticket = self._reading_ticket = 0
        self._stale = True
        self.loaded_once = False
        self.dialog: QDialog | None = None

        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 12, 12, 12)
        top = QHBoxLayout()
        top.addWidget(_heading("Approvals", self, "sectionHeading"))
        self.figures = ElidedLabel("", self, objectName="inboxFigures")
        self.figures.setProperty("kind", "muted")
        top.addWidget(self.figures, 1)
        layout.addLayout(top)
        self.problem = QLabel(self, objectName="loadProblem")
        self.problem.setProperty("kind", "error")
        self.problem.setTextFormat(Qt.TextFormat.PlainText)
        self.problem.hide()
        layout.addWidget(self.problem)
        self.tabs = QTabWidget(self, objectName="approvalTabs")
        layout.addWidget(self.tabs, 1)

        self.inbox_table = self.back_table = self.others_table = None
        self.inbox_page = self.mine_page = None
        if self.decider:
            self.inbox_page = self._build_inbox()
            self.tabs.addTab(self.inbox_page, "Waiting on me")
        if self.requester:
            self.mine_page = self._build_mine()
            self.tabs.addTab(self.mine_page, "My requests")
        self.flow: FlowPanel | None = None
        if self.manager:
            self.flow = FlowPanel(ctx, self)
            self.flow.task_activated.connect(self.task_activated)
            self.tabs.addTab(self.flow, "By approver")
        self.tabs.setCurrentIndex(0)
        self.tabs.currentChanged.connect(self._tab_changed)
        ctx.signals.data_changed.connect(self._data_changed)

    # ---------------------------------------------------------------- building

    def _build_inbox(self) -> QWidget:
        page = QSplitter(Qt.Orientation.Horizontal, self)
        page.setObjectName("inboxPage")
        left = QWidget(page)
        col = QVBoxLayout(left)
        col.setContentsMargins(0, 0, 0, 0)
        self.inbox_table = ApprovalTable(INBOX_COLUMNS, left, multi=True, keys=True)
        self.inbox_table.setObjectName("inboxTable")
        self.inbox_list = _Listed(self.inbox_table, "Nothing waits on you. Nice.", left)
        col.addWidget(self.inbox_list, 1)
        buttons = QHBoxLayout()
        self.approve_button = QPushButton("&Approve (A)", left, objectName="approveButton")
        self.reject_button = QPushButton("&Reject (R)", left, objectName="rejectButton")
        self.back_button = QPushButton("Send &back (B)", left, objectName="sendBackButton")
        self.pass_button = QPushButton("&Pass on…", left, objectName="passOnButton")
        self.pass_button.setToolTip("Give this request to another approver, with a reason")
        for button, decision in ((self.approve_button, Decision.APPROVED),
                                 (self.reject_button, Decision.REJECTED),
                                 (self.back_button, Decision.SENT_BACK)):  # fmt: skip
            button.clicked.connect(partial(self.ask_decision, decision))
            buttons.addWidget(button)
        self.pass_button.clicked.connect(self.pass_on)
        buttons.addWidget(self.pass_button)
        buttons.addStretch(1)
        col.addLayout(buttons)
        self.inbox_pane = ReadingPane(page)
        page.addWidget(left)
        page.addWidget(self.inbox_pane)
        page.setStretchFactor(0, 3)
        page.setStretchFactor(1, 2)
        page.setSizes([820, 380])
        self.inbox_table.decide.connect(self.ask_decision)
        self.inbox_table.task_activated.connect(self.task_activated)
        self.inbox_table.selectionModel().selectionChanged.connect(
            lambda *_: self._selected(self.inbox_table, self.inbox_pane)
        )
        return page

    def _build_mine(self) -> QWidget:
        page = QSplitter(Qt.Orientation.Horizontal, self)
        page.setObjectName("minePage")
        left = QWidget(page)
        col = QVBoxLayout(left)
        col.setContentsMargins(0, 0, 0, 0)
        self.back_heading = _heading("Came back to you", left, "backHeading")
        col.addWidget(self.back_heading)
        self.back_table = ApprovalTable(BACK_COLUMNS, left, multi=False, keys=False)
        self.back_table.setObjectName("backTable")
        self.back_list = _Listed(self.back_table, "Nothing came back to you.", left)
        col.addWidget(self.back_list, 2)
        row = QHBoxLayout()
        self.resubmit_button = QPushButton(
            "Answer and &resubmit…", left, objectName="resubmitButton"
        )
        self.resubmit_button.clicked.connect(self.resubmit)
        row.addWidget(self.resubmit_button)
        row.addStretch(1)
        col.addLayout(row)
        self.others_heading = _heading("Waiting on others", left, "othersHeading")
        col.addWidget(self.others_heading)
        self.others_table = ApprovalTable(OTHERS_COLUMNS, left, multi=False, keys=False)
        self.others_table.setObjectName("othersTable")
        self.others_list = _Listed(self.others_table, "None of your requests is waiting.", left)
        col.addWidget(self.others_list, 3)
        self.mine_pane = ReadingPane(page)
        page.addWidget(left)
        page.addWidget(self.mine_pane)
        page.setStretchFactor(0, 3)
        page.setStretchFactor(1, 2)
        page.setSizes([820, 380])
        for table, other in ((self.back_table, self.others_table),
                             (self.others_table, self.back_table)):  # fmt: skip
            table.task_activated.connect(self.task_activated)
            table.selectionModel().selectionChanged.connect(
                partial(self._mine_selected, table, other)
            )
        self.back_table.activated.connect(lambda _i: self.resubmit())
        return page

    # ---------------------------------------------------------------- the view contract

    def current_task_id(self) -> int | None:
        page = self.tabs.currentWidget()
        if page is not None and page is self.inbox_page:
            return self.inbox_table.current_task_id()
        if page is not None and page is self.mine_page:
            return self.back_table.current_task_id() or self.others_table.current_task_id()
        return self.flow.current_task_id() if page is not None and page is self.flow else None

    def refresh(self) -> None:
        self._stale = False
        if self.flow is not None and self.tabs.currentWidget() is self.flow:
            self.flow.refresh()
        self._ticket += 1
        ticket = self._ticket
        Op(self.ctx, load, self.decider, self.requester).success(
            partial(self._arrived, ticket)
        ).failure(partial(self._failed, ticket)).fallback(SOMETHING_WRONG).run()

    def _tab_changed(self, _index: int) -> None:
        if self.flow is not None and self.tabs.currentWidget() is self.flow:
            self.flow.refresh()

    # ---------------------------------------------------------------- showing

    def _arrived(self, ticket: int, loaded: Loaded) -> None:
        if ticket != self._ticket:
            return
        self.loaded_once = True
        self.loaded, self.choices = loaded, loaded.choices
        self.problem.hide()
        figures = []
        if loaded.inbox is not None:
            box = loaded.inbox
            figures.append(f"{box.waiting} waiting on you")
            if box.oldest_hours is not None:
                figures.append(f"oldest {hours_label(box.oldest_hours)}")
            figures.append(f"{box.decided_today} decided today")
            self.inbox_list.show_items(list(box.items))
            self.tabs.setTabText(
                self.tabs.indexOf(self.inbox_page),
                f"Waiting on me ({box.waiting})" if box.waiting else "Waiting on me",
            )
            has = bool(box.items)
            for b in (self.approve_button, self.reject_button, self.back_button,
                      self.pass_button):  # fmt: skip
                b.setEnabled(has)
            if not has:
                self.inbox_pane.show_empty("Nothing to read: your inbox is clear.")
        if loaded.mine is not None:
            mine = loaded.mine
            n_back, n_wait = len(mine.sent_back), len(mine.waiting)
            if n_back:
                figures.append(f"{n_back} came back to you")
            figures.append(f"{n_wait} of yours waiting on others")
            self.back_heading.setText(f"Came back to you ({n_back})" if n_back else
                                      "Came back to you")  # fmt: skip
            self.others_heading.setText(
                f"Waiting on others ({n_wait})" if n_wait else "Waiting on others"
            )
            self.back_list.show_items(list(mine.sent_back))
            self.others_list.show_items(list(mine.waiting))
            self.resubmit_button.setEnabled(bool(n_back))
            self.tabs.setTabText(
                self.tabs.indexOf(self.mine_page),
                f"My requests ({n_back} came back)" if n_back else "My requests",
            )
        self.figures.setText(" · ".join(figures))

    def _failed(self, ticket: int, _exc: Exception, text: str) -> None:
        if ticket == self._ticket:
            self.problem.setText(f"Could not load the approvals. {text}")
            self.problem.show()

    def _mine_selected(self, table: ApprovalTable, other: ApprovalTable, *_args) -> None:
        if table.selected():
            other.blockSignals(True)
            other.clearSelection()
            other.blockSignals(False)
            self._selected(table, self.mine_pane)

    def _selected(self, table: ApprovalTable, pane: ReadingPane) -> None:
        task_id = table.current_task_id()
        if task_id is None:
            pane.show_empty("Pick a request to read it here.")
            return
        if pane.task_id == task_id:
            return
        item = next((i for i in table.items().items if i.card.id == task_id), None)
        self._reading_ticket += 1
        ticket = self._reading_ticket
        zone = self.choices.zone if self.choices else "UTC"

        def show(reading) -> None:
            if ticket == self._reading_ticket:
                pane.show_reading(reading, item, zone)

        Op(self.ctx, q.reading, task_id).success(show).failure(
            lambda _e, text: pane.show_empty(text)
        ).run()

    # ---------------------------------------------------------------- deciding

    def ask_decision(self, decision: Decision) -> None:
        if self.inbox_table is None or self.choices is None:
            return
        chosen = self.inbox_table.selected()
        if not chosen:
            return
        reasons = {
            Decision.REJECTED: self.choices.rejection,
            Decision.SENT_BACK: self.choices.needs_info,
        }.get(Decision(decision), ())
        dialog = DecisionDialog(
            decision, [i.card.ref for i in chosen], [i.card.title for i in chosen], reasons,
            self.choices.outcome_notes.get(str(decision), ()), self,
        )  # fmt: skip
        self.dialog = dialog
        items = [(i.card.id, i.card.version) for i in chosen]
        dialog.accepted.connect(
            lambda: self._decide(decision, items, dialog.reason_id(), dialog.note())
        )
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()

    def _decide(self, decision: Decision, items, reason_id, note) -> None:
        Op(
            self.ctx, approvals.decide_many, items, Decision(decision), reason_id=reason_id,
            note=note,
        ).changes(Change.of(Kind.TASK, *(i for i, _v in items))).success(
            partial(self._decided, decision)
        ).report_to(self, "Not decided").run()  # fmt: skip

    def _decided(self, decision: Decision, outcome: approvals.BulkOutcome) -> None:
        # What was decided leaves the list now; the refresh that follows (data_changed)
        # also drops what someone else decided first.
        table, model = self.inbox_table, self.inbox_table.items()
        refs = {i.card.id: i.card.ref for i in model.items}
        rows = sorted(i.row() for i in table.selectionModel().selectedRows())
        model.remove_ids({s.id for s in outcome.decided})
        if outcome.decided and model.rowCount():
            table.selectRow(min(rows[0] if rows else 0, model.rowCount() - 1))  # the next one
        if outcome.decided:
            self.ctx.signals.status_message.emit(decided_text(decision, len(outcome.decided)))
        if outcome.refused:
            lines = [why if refs.get(tid, "") in why else f"{refs.get(tid, '')}: {why}"
                     for tid, why in outcome.refused]  # fmt: skip
            self.ctx.messages.warn(self, "Not decided", "\n".join(lines))

    def pass_on(self) -> None:
        chosen = self.inbox_table.selected() if self.inbox_table else []
        if len(chosen) != 1:
            self.ctx.messages.info(self, "Pass on", "Pick one request to pass on.")
            return
        item = chosen[0]
        dialog = PassOnDialog(self.ctx, item, self)
        self.dialog = dialog
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()

    def resubmit(self) -> None:
        chosen = self.back_table.selected() if self.back_table else []
        if not chosen:
            return
        dialog = RequestApprovalDialog(self.ctx, chosen[0].card.id, self)
        self.dialog = dialog
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()


class PassOnDialog(QDialog):
    """Give a pending request to another approver: one action, with a reason."""

    def __init__(self, ctx: AppContext, item: ApprovalItem, parent: QWidget):
        super().__init__(parent)
        self.ctx, self.item = ctx, item
        self.setObjectName("passOnDialog")
        self.setWindowTitle(f"Pass on {item.card.ref}")
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.approver = QComboBox(self, objectName="approverPicker")
        self.approver.setPlaceholderText("Loading…")
        self.reason = QLineEdit(self, objectName="reasonEdit")
        self.reason.setPlaceholderText("Why (for example: on leave until Monday)")
        form.addRow("Give to", self.approver)
        form.addRow("Reason", self.reason)
        layout.addLayout(form)
        self.message = QLabel(self, objectName="message")
        self.message.setProperty("kind", "error")
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        self.message.setWordWrap(True)
        self.message.hide()
        layout.addWidget(self.message)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Pass on")
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.resize(440, self.sizeHint().height())
        Op(ctx, q.request_choices, item.card.id).success(self._choices).failure(
            lambda _e, text: self._show(text)
        ).run()

    def _choices(self, choices: q.RequestChoices) -> None:
        self.approver.clear()
        for person in choices.approvers:
            if person.id != self.item.card.owner_id:
                self.approver.addItem(person.label, person.id)
        self.approver.setCurrentIndex(-1)
        self.approver.setPlaceholderText("Pick an approver")

    def _show(self, text: str) -> None:
        self.message.setText(text)
        self.message.show()

    def submit(self) -> None:
        if self.approver.currentData() is None:
            self._show("Pick who should decide this request instead.")
            return
        if not self.reason.text().strip():
            self._show("Say why you are passing this request on.")
            return
        Op(
            self.ctx, approvals.reassign_approval, self.item.card.id, self.approver.currentData(),
            expected_version=self.item.card.version, reason=self.reason.text(),
        ).changes(Change.of(Kind.TASK, self.item.card.id)).success(
            lambda saved: (self.ctx.signals.status_message.emit(f"{saved.ref} passed on."),
                           self.accept())
        ).failure(lambda _e, text: self._show(text)).run()  # fmt: skip
