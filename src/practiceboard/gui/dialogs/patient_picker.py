"""Finding the patient on the intake form: type an MRN or a name, pick from the list.

Searches run in a worker after a short pause in typing (each one is audited, so
not on every keystroke); answers to older searches are dropped. Down goes to the
list, Enter picks — never saves the form. Names are shown as plain text.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QLabel, QLineEdit, QListWidget, QListWidgetItem, QPushButton, QWidget

from practiceboard.gui.dialogs.detail_fields import mrn_text
from practiceboard.gui.kit.context import AppContext
from practiceboard.gui.kit.ops import Op
from practiceboard.services import patients
from practiceboard.services.patients import PatientRow

SEARCH_PAUSE_MS = 300
SEARCH_MIN = 2


def patient_line(p: PatientRow) -> str:
    born = f" · born {p.date_of_birth:%m/%d/%Y}" if p.date_of_birth else ""
    return f"{mrn_text(p.mrn)} · {p.display_name}{born}"


class PatientPicker(QObject):
    """Drives the patient widgets of ui/intake.ui. ``problem(str)`` when a search fails;
    ``typing()`` when the user edits the search (the form clears its message)."""

    problem = Signal(str)
    typing = Signal()

    def __init__(
        self,
        ctx: AppContext,
        search: QLineEdit,
        results: QListWidget,
        chosen_row: QWidget,
        chosen: QLabel,
        change: QPushButton,
        hint: QLabel,
        next_field: Callable[[], None],
    ):
        super().__init__(search)
        self.ctx, self.search, self.results = ctx, search, results
        self.chosen_row, self.chosen, self.change, self.hint = chosen_row, chosen, change, hint
        self.next_field = next_field
        self.patient: PatientRow | None = None
        self._ticket = 0
        results.hide()
        chosen_row.hide()
        hint.hide()
        self._timer = QTimer(self, singleShot=True, interval=SEARCH_PAUSE_MS)
        self._timer.timeout.connect(self.run_search)
        search.textEdited.connect(self._typed)
        search.installEventFilter(self)
        results.installEventFilter(self)
        results.itemClicked.connect(self._item_picked)
        change.setAutoDefault(False)  # Enter anywhere else in the form still means Save
        change.clicked.connect(self.clear)

    def pending_text(self) -> str:
        """What was typed in the search without a patient picked ('' when none)."""
        return "" if self.patient is not None else self.search.text().strip()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() != QEvent.Type.KeyPress:
            return super().eventFilter(watched, event)
        enter = event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        if watched is self.search:
            if event.key() == Qt.Key.Key_Down and self.results.count():
                self.results.setFocus()
                self.results.setCurrentRow(0)
                return True
            if enter:
                self._enter()
                return True
        if watched is self.results and enter:
            self._item_picked(self.results.currentItem())
            return True
        return super().eventFilter(watched, event)

    def _typed(self, _text: str) -> None:
        self.typing.emit()
        self._timer.start()

    def _enter(self) -> None:
        self._timer.stop()
        if self.results.count() == 1 and self.results.isVisible():
            self._item_picked(self.results.item(0))
        else:
            self.run_search()

    def run_search(self) -> None:
        text = self.search.text().strip()
        self._ticket += 1
        if len(text) < SEARCH_MIN:
            self.results.hide()
            self.hint.hide()
            return
        Op(self.ctx, patients.search_patients, text).success(
            partial(self._found, self._ticket)
        ).failure(lambda _exc, sentence: self.problem.emit(sentence)).fallback("{detail}").run()

    def _found(self, ticket: int, rows: list[PatientRow]) -> None:
        if ticket != self._ticket or self.patient is not None:
            return  # an older search, or the user already picked someone
        self.results.clear()
        for p in rows:
            item = QListWidgetItem(patient_line(p))
            item.setData(Qt.ItemDataRole.UserRole, p)
            self.results.addItem(item)
        self.results.setVisible(bool(rows))
        self.hint.setText(
            "Press ↓ to go to the list, Enter to pick." if rows
            else "No active patient matches. Check the MRN or the spelling."
        )  # fmt: skip
        self.hint.show()

    def _item_picked(self, item: QListWidgetItem | None) -> None:
        if item is not None:
            self.choose(item.data(Qt.ItemDataRole.UserRole))

    def choose(self, p: PatientRow) -> None:
        self.patient = p
        self.chosen.setText(patient_line(p))
        for w in (self.search, self.results, self.hint):
            w.hide()
        self.chosen_row.show()
        self.typing.emit()
        self.next_field()

    def clear(self) -> None:
        self.patient = None
        self.chosen_row.hide()
        self.search.show()
        self.search.setFocus()
        if self.search.text().strip():
            self.run_search()
