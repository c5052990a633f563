"""The task detail dialog (designed in ui/task_detail.ui): the fields, the allowed
moves, the owner, watchers, notes and the whole timeline of one task.

Edits are saved with the version the user loaded. When someone else changed the
task meanwhile, the dialog says who and when and offers Reload: Reload brings in
their values for the fields the user left alone and keeps the user's typing in
the fields they changed, pointing out where the two now differ. Nothing is ever
overwritten silently, and a change noticed from another PC never yanks the
user's typing away.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from PySide6.QtCore import QSize
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import (
    QDialog,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from practiceboard.core.rows import (
    PRIORITY_LABELS,
    MoveOption,
    Option,
    TaskDetail,
    TaskFilter,
    WorkflowRow,
)
from practiceboard.domain.errors import ConflictError, ValidationError
from practiceboard.domain.workflow import CLOSED_CATEGORIES
from practiceboard.gui.dialogs.detail_actions import DetailActions
from practiceboard.gui.dialogs.detail_fields import (
    FIELD_LABELS,
    FIELDS,
    display_value,
    normalized,
    values_of,
)
from practiceboard.gui.dialogs.detail_view import DetailView
from practiceboard.gui.dialogs.field_errors import FieldErrors
from practiceboard.gui.dialogs.task_documents import add_documents_tab
from practiceboard.gui.dialogs.timeline import fill_notes, fill_timeline
from practiceboard.gui.kit import theme
from practiceboard.gui.kit.change import Change, Kind
from practiceboard.gui.kit.context import AppContext
from practiceboard.gui.kit.ops import Op
from practiceboard.gui.kit.uiload import child, load_ui
from practiceboard.queries import tasks as task_queries
from practiceboard.queries.pickers import picker_options
from practiceboard.services import task_actions
from practiceboard.services.tasks import TaskSaved

# Timeline and notes: a little air between entries, which run to several lines.
LIST_STYLE = f"""
QListWidget#timelineList::item, QListWidget#notesList::item {{
    padding: 6px 4px; border-bottom: 1px solid {theme.BORDER};
}}
QWidget#movesBox QPushButton {{ padding: 4px 8px; }}
"""


@dataclass(frozen=True)
class DetailData:
    detail: TaskDetail
    moves: tuple[MoveOption, ...]
    workflow: WorkflowRow | None
    owners: tuple[Option, ...]  # who may own it (the hand-off picker)
    payers: tuple[str, ...]
    providers: tuple[Option, ...]
    zone: str
    today: date


def load_detail(db, actor, task_id: int) -> DetailData:
    """Everything the dialog shows, read in a worker."""
    detail = task_queries.task_detail(db, actor, task_id)
    wf_id = detail.card.workflow_id
    options = picker_options(db, actor, wf_id)
    return DetailData(
        detail=detail,
        moves=tuple(task_actions.allowed_moves(db, actor, task_id)),
        workflow=next((w for w in options.workflows if w.id == wf_id), None),
        owners=options.owners,
        payers=options.payers,
        providers=options.providers,
        zone=options.timezone,
        today=options.today,
    )


def load_stamp(db, actor, task_id: int, ref: str):
    """(version, last touched) of the task now — cheap, and no patient data read —
    to tell whether a change noticed elsewhere was to this task."""
    cards, _ = task_queries.search(db, actor, TaskFilter(text=ref, include_closed=True), limit=20)
    card = next((c for c in cards if c.id == task_id), None)
    return None if card is None else (card.version, card.last_touched_at)


class TaskDetailDialog(DetailView, DetailActions, QDialog):
    """One task; non-modal, so the board stays usable beside it."""

    def __init__(self, ctx: AppContext, task_id: int, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx, self.task_id = ctx, task_id
        self.data: DetailData | None = None
        self.baseline: dict = {}
        self.version: int | None = None
        self.conflicted = False
        self.loading = False
        self._extra_rows: list[QLabel] = []
        self.setObjectName("TaskDetailDialog")
        self.setWindowTitle("Task")
        self.form_widget = load_ui("task_detail", self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(18, 14, 18, 12)
        layout.addWidget(self.form_widget)
        self._find_children()
        self._prepare()
        self.resize(1000, 700)
        ctx.signals.data_changed.connect(self._data_changed)
        self.reload()

    # ---------------------------------------------------------------- building

    def _prepare(self) -> None:
        font = self.ref_label.font()
        font.setBold(True)
        self.ref_label.setFont(font)
        self.errors = FieldErrors(self.fields_form, self.banner, self)
        self.differs = FieldErrors(
            self.fields_form, QLabel(self), self, kind="muted", outline=False
        )
        for key, focus, row in (
            ("title", self.title_edit, None), ("details", self.details_edit, None),
            ("due_date", self.due, self.due.parentWidget()), ("priority", self.priority, None),
            ("payer", self.payer, None), ("provider_id", self.provider, None),
        ):  # fmt: skip
            self.errors.register(key, focus, row)
            self.differs.register(key, focus, row)
        self.errors.fields["provider"] = self.errors.fields["provider_id"]  # service's name
        for i, label in enumerate(PRIORITY_LABELS):
            self.priority.addItem(label, i)
        self.payer.lineEdit().setMaxLength(80)
        self.payer.lineEdit().setPlaceholderText("No payer")
        self.conflict_banner.hide()
        self.conflict_banner.setStyleSheet(
            f"QFrame#conflictBanner {{ background: #fdf6e7; border: 1px solid #f0d9a7;"
            f" border-radius: 4px; }} QLabel {{ color: {theme.TEXT}; }}"
        )
        self.note_message.hide()
        self.form_widget.layout().setStretchFactor(self.splitter, 1)
        self.setStyleSheet(LIST_STYLE)
        for button in self.buttons.buttons():
            button.setIcon(QIcon())
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setSizes([570, 430])
        self.tabs.setIconSize(QSize(16, 16))
        self.timeline.setIconSize(QSize(16, 16))
        self.title_edit.textChanged.connect(self._edited)
        self.details_edit.textChanged.connect(self._edited)
        self.due.dateChanged.connect(self._edited)
        self.no_due.toggled.connect(self._no_due_toggled)
        self.priority.currentIndexChanged.connect(self._edited)
        self.payer.editTextChanged.connect(self._edited)
        self.provider.currentIndexChanged.connect(self._edited)
        self.save_button.clicked.connect(self.save)
        self.reload_button.clicked.connect(self.reload)
        self.buttons.rejected.connect(self.reject)
        self.prepare_actions()
        self.documents = add_documents_tab(self)  # documents and blockers (task_documents.py)
        self._set_enabled(False)

    def _no_due_toggled(self, on: bool) -> None:
        self.due.setEnabled(not on and self.editable())
        self._edited()

    # ---------------------------------------------------------------- loading

    def reload(self) -> None:
        self.loading = True
        Op(self.ctx, load_detail, self.task_id).success(self._loaded).failure(
            self._load_failed
        ).run()

    def _load_failed(self, _exc: Exception, text: str) -> None:
        self.loading = False
        self.show_problem(text)

    def _loaded(self, data: DetailData) -> None:
        """Show ``data``; fields the user changed keep their typing."""
        self.loading = False
        first = self.data is None
        old_baseline = self.baseline
        typed = {k: self.current()[k] for k in self.edited()} if not first else {}
        self.data, self.version = data, data.detail.card.version
        self.baseline = values_of(data.detail)
        card = data.detail.card
        self.setWindowTitle(f"{card.ref} · {card.title}")
        self._show_header()
        self._fill_pickers()
        self._show_fields(typed)
        self._show_read_only()
        fill_timeline(self.timeline, data.detail.timeline, data.zone)
        self.documents.show_task(card, data.zone)
        count = fill_notes(self.notes, data.detail.timeline, data.zone)
        self.tabs.setTabText(2, f"N&otes ({count})" if count else "N&otes")
        self.show_actions()
        # Room for the longest move button: a clipped status name helps nobody.
        side = child(self.form_widget, QWidget, "sidePanel")
        side.setMinimumWidth(side.sizeHint().width())
        self._set_enabled(True)
        was_conflicted, self.conflicted = self.conflicted, False
        self.conflict_banner.hide()
        self.errors.clear()
        self.differs.clear()
        # Where both sides changed a field, say what is on file now.
        still_edited = self.edited()
        clash = [
            k for k in typed
            if k in still_edited
            and normalized(k, self.baseline[k]) != normalized(k, old_baseline.get(k))
        ]  # fmt: skip
        for key in clash:
            shown = display_value(key, self.baseline[key], self.provider_names())
            self.differs.show(key, f"Now on file: {shown}. Save to replace it with yours.",
                              focus=False)  # fmt: skip
        self._edited()
        if was_conflicted or typed:
            kept = ", ".join(FIELD_LABELS[k] for k in self.edited())
            self.edit_note.setText(
                f"Reloaded. Your changes are kept in: {kept}." if kept else "Reloaded."
            )
        if first:
            self.title_edit.setFocus()

    # ---------------------------------------------------------------- editing

    def is_open_task(self) -> bool:
        return self.data is not None and self.data.detail.card.category not in CLOSED_CATEGORIES

    def editable(self) -> bool:
        if self.data is None:
            return False
        card = self.data.detail.card
        return self.is_open_task() and self.ctx.policy.may_edit_task(card.owner_id)

    def _set_enabled(self, loaded: bool) -> None:
        can = loaded and self.editable()
        for w in (self.title_edit, self.details_edit, self.no_due, self.priority, self.payer,
                  self.provider):  # fmt: skip
            w.setEnabled(can)
        self.due.setEnabled(can and not self.no_due.isChecked())
        self.save_button.setVisible(not loaded or can)
        if loaded and not can:
            self.edit_note.setText(
                "This task is closed. Reopen it to change it." if not self.is_open_task()
                else "Only its owner or a manager can change this task."
            )  # fmt: skip

    def current(self) -> dict:
        return {
            "title": self.title_edit.text(),
            "details": self.details_edit.toPlainText(),
            "due_date": None if self.no_due.isChecked() else self.due.date().toPython(),
            "priority": self.priority.currentData(),
            "payer": self.payer.currentText().strip() or None,
            "provider_id": self.provider.currentData(),
        }

    def edited(self) -> list[str]:
        """The fields whose value differs from the one loaded (what Save would send)."""
        if self.data is None:
            return []
        now = self.current()
        return [k for k in FIELDS if normalized(k, now[k]) != normalized(k, self.baseline[k])]

    def _edited(self, *_args) -> None:
        changed = self.edited()
        for key in FIELDS:
            if key not in changed:
                self.differs.clear(key)
        self.save_button.setEnabled(bool(changed) and self.editable() and not self.conflicted)
        if self.editable():
            self.edit_note.setText(
                f"Unsaved changes: {', '.join(FIELD_LABELS[k] for k in changed)}"
                if changed else ""
            )  # fmt: skip

    def save(self) -> None:
        changed = self.edited()
        if not changed or self.data is None:
            return
        self.errors.clear()
        values = {k: self.current()[k] for k in changed}
        self.save_button.setEnabled(False)
        self.task_op(task_actions.edit_task, expected_version=self.version, **values).success(
            lambda saved: self.action_done(saved, f"Saved {saved.ref}.")
        ).run()

    # ---------------------------------------------------------------- outcomes

    def task_op(self, fn, *args, **kwargs) -> Op:
        """An action on this task: ``fn(db, actor, task_id, *args, **kwargs)``; it changes
        this task, and its failure is shown here (action_failed)."""
        return (
            Op(self.ctx, fn, self.task_id, *args, **kwargs)
            .changes(Change.of(Kind.TASK, self.task_id))
            .failure(self.action_failed)
        )

    def action_done(self, saved: TaskSaved | None, message: str) -> None:
        """After any action of ours: reload (keeping typing) and tell the app; the Op
        then announces the change."""
        self.reload()
        if saved is not None:
            self.ctx.signals.task_saved.emit(saved.id)
        self.ctx.signals.status_message.emit(message)
        self.edit_note.setText(message)

    def action_failed(self, exc: Exception, text: str) -> None:
        """A refused action: the typing stays; the sentence goes where it belongs."""
        self._edited()
        if isinstance(exc, ConflictError):
            self.show_conflict(text)
        elif isinstance(exc, ValidationError) and exc.field in self.errors.fields:
            self.errors.show_all([(exc.field, text)])
        else:
            self.show_problem(text)

    def show_conflict(self, text: str) -> None:
        self.conflicted = True
        self.conflict_text.setText(text)
        self.conflict_banner.show()
        self.reload_button.setFocus()
        self._edited()

    def show_problem(self, text: str) -> None:
        self.errors.show(None, text)

    # ---------------------------------------------------------------- other PCs

    def _data_changed(self, change: Change) -> None:
        if self.data is None or self.loading or not self.isVisible():
            return
        card = self.data.detail.card
        if not change.touches_id(Kind.TASK, card.id):
            return  # another task changed: nothing here to check
        Op(self.ctx, load_stamp, card.id, card.ref).success(self._stamp_arrived).failure(
            lambda _exc, _text: None  # a failed check changes nothing on screen
        ).run()

    def _stamp_arrived(self, stamp) -> None:
        if self.data is None or self.loading or stamp is None:
            return
        card = self.data.detail.card
        if stamp == (card.version, card.last_touched_at):
            return
        if not self.edited():
            self.reload()
        elif not self.conflicted:
            self.conflict_text.setText(
                f"{card.ref} was changed elsewhere while you were typing. Reload to see the "
                "change; your typing stays in the fields you changed."
            )
            self.conflict_banner.show()

    # ---------------------------------------------------------------- closing

    def reject(self) -> None:
        """Esc and Close: unsaved edits are only thrown away when the user says so."""
        changed = self.edited()
        if changed and self.data is not None:
            ref = self.data.detail.card.ref
            fields = ", ".join(FIELD_LABELS[k] for k in changed)
            if not self.ctx.messages.confirm(
                self, "Discard changes", f"Discard your unsaved changes to {ref} ({fields})?"
            ):
                return
        super().reject()
