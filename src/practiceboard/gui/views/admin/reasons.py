"""Reason codes: the answers staff pick when a move needs a reason (why it waits, why it
was rejected, why it reopens…). Relabel one, ask for a note with it, switch it off (it
stays on the tasks that used it), or add one."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from practiceboard.core.rows import ReasonAdminRow
from practiceboard.domain.workflow import ReasonKind
from practiceboard.gui.kit.change import Change
from practiceboard.gui.kit.context import AppContext
from practiceboard.gui.kit.ops import Op
from practiceboard.gui.views.admin.common import Notice, fill, rows_table, select_id, selected_id
from practiceboard.queries import admin as q
from practiceboard.services import workflows as wf_service

KIND_WORDS = {
    ReasonKind.WAITING: "Waiting",
    ReasonKind.NEEDS_INFO: "Needs information",
    ReasonKind.REJECTION: "Rejected",
    ReasonKind.REOPEN: "Reopened",
    ReasonKind.EXCEPTION: "Closed early",
}


class ReasonsPanel(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.rows: list[ReasonAdminRow] = []
        self.table = rows_table(("For", "Reason", "Note needed", "Used", "State"),
                                (18, None, 12, 8, 10), self)  # fmt: skip
        self.kind = QComboBox(self)
        for kind, word in KIND_WORDS.items():
            self.kind.addItem(word, kind.value)
        self.label = QLineEdit(self)
        self.label.setMaxLength(120)
        self.label.setPlaceholderText("Reason, as staff see it")
        self.note = QCheckBox("Ask for a &note", self)
        self.offered = QCheckBox("&Offered", self)
        self.save_button = QPushButton("&Save changes", self)
        self.add_button = QPushButton("&Add as new reason", self)
        self.notice = Notice(self)
        edit = QHBoxLayout()
        edit.addWidget(self.kind)
        edit.addWidget(self.label, 1)
        edit.addWidget(self.note)
        edit.addWidget(self.offered)
        edit.addWidget(self.save_button)
        edit.addWidget(self.add_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addLayout(edit)
        layout.addWidget(self.notice)
        self.table.itemSelectionChanged.connect(self._selected)
        self.save_button.clicked.connect(self.save)
        self.add_button.clicked.connect(self.add)
        self._selected()

    def refresh(self) -> None:
        Op(self.ctx, q.reasons).success(self._show).failure(
            lambda _e, text: self.notice.failed(text)
        ).run()

    def _show(self, rows: list[ReasonAdminRow]) -> None:
        self.rows = rows
        fill(self.table, [
            (KIND_WORDS.get(ReasonKind(r.kind), r.kind), r.label, "yes" if r.note_required else "",
             str(r.uses), "Offered" if r.active else "Off")
            for r in rows
        ], [r.id for r in rows])  # fmt: skip

    def current(self) -> ReasonAdminRow | None:
        ident = selected_id(self.table)
        return next((r for r in self.rows if r.id == ident), None)

    def _selected(self) -> None:
        r = self.current()
        self.save_button.setEnabled(r is not None)
        self.kind.setEnabled(r is None)  # a reason keeps its kind; pick one for a new reason
        if r is not None:
            self.kind.setCurrentIndex(self.kind.findData(r.kind))
            self.label.setText(r.label)
            self.note.setChecked(r.note_required)
            self.offered.setChecked(r.active)

    def save(self) -> None:
        r = self.current()
        if r is None:
            return
        Op(self.ctx, wf_service.edit_reason, r.id, label=self.label.text(),
           note_required=self.note.isChecked(), active=self.offered.isChecked()).changes(
            Change.everything()
        ).success(self._done("The reason was saved.")).failure(
            lambda _e, text: self.notice.failed(text)
        ).run()  # fmt: skip

    def add(self) -> None:
        Op(self.ctx, wf_service.add_reason, self.kind.currentData(), self.label.text(),
           self.note.isChecked()).changes(Change.everything()).success(
            self._done("The reason was added.", select=True)
        ).failure(lambda _e, text: self.notice.failed(text)).run()  # fmt: skip

    def _done(self, text: str, *, select: bool = False):
        def done(result) -> None:
            self.notice.done(text)

            def shown(rows) -> None:
                self._show(rows)
                if select and isinstance(result, int):
                    select_id(self.table, result)

            Op(self.ctx, q.reasons).success(shown).run()

        return done
