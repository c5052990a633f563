"""A person's saved filters on the filter bar: pick one, save the current filter
under a name, delete one. Stored through services.saved_filters; read through
queries.lookups.saved_filters."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QPushButton,
    QWidget,
)

from practiceboard.core.rows import SavedFilterRow, TaskFilter
from practiceboard.domain.errors import ValidationError
from practiceboard.gui.kit.change import Change, Kind
from practiceboard.gui.kit.context import AppContext
from practiceboard.gui.kit.errors import SOMETHING_WRONG
from practiceboard.gui.kit.ops import Op
from practiceboard.queries import lookups
from practiceboard.services import saved_filters

PROMPT = "Saved filters…"


class SavedFilterBox(QWidget):
    """``picked(TaskFilter)`` when the person picks a saved filter."""

    picked = Signal(object)
    changed = Signal()  # the list of saved filters changed

    def __init__(
        self, ctx: AppContext, current: Callable[[], TaskFilter], parent: QWidget | None = None
    ):
        super().__init__(parent)
        self.ctx, self.current = ctx, current
        self.rows: tuple[SavedFilterRow, ...] = ()
        self._pick_after: int | None = None
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        self.combo = QComboBox(self, objectName="savedFilters")
        self.combo.setMinimumWidth(180)
        self.combo.setToolTip("Your saved filters")
        self.combo.activated.connect(self._picked)
        self.save_button = QPushButton("Save &filter…", self, objectName="saveFilter")
        self.save_button.clicked.connect(lambda: self.ask_name())
        self.delete_button = QPushButton("Dele&te", self, objectName="deleteFilter")
        self.delete_button.setToolTip("Delete the saved filter picked on the left")
        self.delete_button.clicked.connect(self.delete_current)
        for w in (self.combo, self.save_button, self.delete_button):
            layout.addWidget(w)
        self.show_rows(())
        ctx.signals.data_changed.connect(self._data_changed)

    # ---------------------------------------------------------------- the list

    def show_rows(self, rows: Sequence[SavedFilterRow], pick: int | None = None) -> None:
        self.rows = tuple(rows)
        self.combo.blockSignals(True)
        self.combo.clear()
        self.combo.addItem(PROMPT, None)
        for row in self.rows:
            self.combo.addItem(row.name, row.id)
        self.combo.setCurrentIndex(max(self.combo.findData(pick), 0) if pick is not None else 0)
        self.combo.blockSignals(False)
        self.combo.setEnabled(bool(self.rows))
        self.sync()

    def sync(self) -> None:
        """Save needs a real filter; Delete needs a saved one picked."""
        self.delete_button.setEnabled(self.current_id() is not None)
        self.save_button.setEnabled(not self.current().is_empty())

    def current_id(self) -> int | None:
        return self.combo.currentData()

    def _picked(self, index: int) -> None:
        fid = self.combo.itemData(index)
        row = next((r for r in self.rows if r.id == fid), None)
        if row is not None:
            self.picked.emit(row.filter)
        self.sync()

    def pick(self, name: str) -> None:
        """Apply the saved filter called ``name``, as picking it in the list does."""
        index = self.combo.findText(name)
        if index < 0:
            raise LookupError(name)
        self.combo.setCurrentIndex(index)
        self._picked(index)

    def reload(self, pick: int | None = None) -> None:
        def done(rows) -> None:
            self.show_rows(rows, pick)
            self.changed.emit()

        Op(self.ctx, lookups.saved_filters).success(done).failure(
            partial(self._failed, "Saved filters")
        ).fallback(SOMETHING_WRONG).run()

    def _data_changed(self, change: Change) -> None:
        """Saved filters changed on this PC (here or in another view's filter bar): reload,
        keeping the pick (or picking the filter just saved here). Another PC's change
        (``everything``) leaves the list alone: it is only ever this person's own."""
        if Kind.SAVED_FILTER in change.kinds and not change.everything_changed:
            pick, self._pick_after = self._pick_after, None
            self.reload(pick if pick is not None else self.current_id())

    # ---------------------------------------------------------------- save and delete

    def ask_name(self, typed: str = "", problem: str = "") -> QInputDialog:
        """The non-modal name prompt; a refused name comes back with what was typed."""
        dialog = QInputDialog(self)
        dialog.setWindowTitle("Save filter")
        dialog.setLabelText((problem + "\n\n" if problem else "") + "Name for this filter:")
        dialog.setTextValue(typed)
        for label in dialog.findChildren(QLabel):  # the name typed may look like markup
            label.setTextFormat(Qt.TextFormat.PlainText)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.textValueSelected.connect(self.save_as)
        dialog.open()
        return dialog

    def save_as(self, name: str) -> None:
        Op(self.ctx, saved_filters.save_filter, name, self.current()).changes(
            lambda filter_id: Change.of(Kind.SAVED_FILTER, filter_id)
        ).success(self._saved).failure(partial(self._save_failed, name)).fallback(
            SOMETHING_WRONG
        ).run()

    def _saved(self, filter_id: int) -> None:
        self.ctx.signals.status_message.emit("Filter saved.")
        self._pick_after = filter_id  # the Op's change reloads the list (_data_changed)

    def _save_failed(self, name: str, exc: Exception, text: str) -> None:
        if isinstance(exc, ValidationError):
            self.ask_name(name, text)  # the name typed comes back with the problem
        else:
            self._failed("Save filter", exc, text)

    def delete_current(self) -> None:
        fid = self.current_id()
        if fid is None:
            return
        question = f"Delete the saved filter “{self.combo.currentText()}”?"
        if not self.ctx.messages.confirm(self, "Delete filter", question):
            return
        Op(self.ctx, saved_filters.delete_filter, fid).changes(
            Change.of(Kind.SAVED_FILTER, fid)
        ).failure(partial(self._failed, "Delete filter")).fallback(SOMETHING_WRONG).run()

    def _failed(self, title: str, _exc: Exception, text: str) -> None:
        self.ctx.messages.error(self, title, text)
