"""The Documents tab of the task detail: the task's documents (attach, add a reference,
open, save a copy, remove; who added what when, with each file's SHA-256) and what it
waits on ("blocked by", and the tasks waiting on it).

Kept apart from the dialog so the dialog needs two lines for it (``add_documents_tab``
when it is built, ``show_task`` when a task is loaded). Files dropped on the dialog
land here; the board's cards use ``attach_files`` for a drop too. Opening writes the
file to the private folder of core.opened and hands it to the system's viewer.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from zoneinfo import ZoneInfo

from PySide6.QtCore import QEvent, QObject, Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from practiceboard.core import opened
from practiceboard.core.rows import BlockerRow, Card, DocumentRow, TaskFilter
from practiceboard.domain.documents import megabytes
from practiceboard.domain.workflow import CLOSED_CATEGORIES
from practiceboard.gui.kit.change import Change, Kind
from practiceboard.gui.kit.context import AppContext
from practiceboard.gui.kit.ops import Op
from practiceboard.gui.kit.tooltips import plain_tip
from practiceboard.queries import documents as doc_queries
from practiceboard.queries import tasks as task_queries
from practiceboard.services import dependencies, documents
from practiceboard.services.tasks import move_task

COLUMNS = ("Document", "Type", "Size", "Added")


def local_files(mime) -> list[Path]:
    """The local files a drag carries (none: not a file drop)."""
    if mime is None or not mime.hasUrls():
        return []
    return [Path(u.toLocalFile()) for u in mime.urls() if u.isLocalFile() and u.toLocalFile()]


def show_file(path: Path) -> None:
    """Hand a written-out document to the system's viewer (tests replace this)."""
    QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))


def open_document(db, actor, document_id: int, filename: str) -> Path:
    """Worker: the document written into the private folder, ready for the viewer."""
    target = opened.new_file(document_id, filename)
    try:
        return documents.write_out(db, actor, document_id, target, purpose="open")
    except BaseException:
        target.unlink(missing_ok=True)
        raise


def attach_paths(db, actor, task_id: int, paths: Sequence[Path]):
    """Worker: each file attached in its own transaction; stops at the first refusal
    (the files before it stay attached)."""
    return [documents.attach_file(db, actor, task_id, p) for p in paths]


def find_task(db, actor, ref: str) -> int:
    """Worker: the id of the task with this reference (REF-000123, or its number)."""
    from practiceboard.domain.errors import ValidationError

    wanted = ref.strip().upper()
    if not wanted:
        raise ValidationError("Type the reference of the task it waits on, e.g. REF-000123.")
    cards, _ = task_queries.search(db, actor, TaskFilter(text=wanted, include_closed=True),
                                   limit=50)  # fmt: skip
    for card in cards:
        if card.ref.upper() == wanted or card.ref.split("-")[-1].lstrip("0") == wanted.lstrip("0"):
            return card.id
    raise ValidationError(f"No task you can see has the reference {ref.strip()}.")


def attach_files(
    ctx: AppContext, parent: QWidget, task_id: int, paths: Sequence[Path],
    version: Callable[[], int | None], done: Callable[[], None] = lambda: None,
) -> None:  # fmt: skip
    """Attach dropped or chosen files to a task, then, when it waited on records, offer
    to move it on (the first next step the user may make without a reason)."""
    if not paths:
        return

    def attached(saved) -> None:
        names = ", ".join(s.label for s in saved)
        ctx.signals.status_message.emit(f"Attached {names}.")
        done()
        if saved and saved[-1].was_waiting_on_records:
            Op(ctx, documents.next_step_after_records, task_id).success(offer).failure(
                lambda _e, _t: None
            ).run()

    def offer(option) -> None:
        if option is None:
            return
        if ctx.messages.confirm(
            parent, "Records attached",
            f"The records this task waited on are attached. Move it to “{option.to_status_name}”?",
        ):  # fmt: skip
            Op(ctx, move_task, task_id, option.to_status_id, expected_version=version()).changes(
                Change.of(Kind.TASK, task_id)
            ).success(lambda _s: (ctx.signals.status_message.emit(
                f"Moved to {option.to_status_name}."), done())).report_to(
                parent, "Not moved").run()  # fmt: skip

    Op(ctx, attach_paths, task_id, list(paths)).changes(Change.of(Kind.TASK, task_id)).success(
        attached
    ).failure(lambda _e, text: (ctx.messages.warn(parent, "Not attached", text), done())).run()


class _DropFilter(QObject):
    """Files dropped anywhere on the dialog go to the Documents tab."""

    def __init__(self, panel: DocumentsPanel):
        super().__init__(panel)
        self.panel = panel

    def eventFilter(self, watched, event) -> bool:
        kind = event.type()
        if kind in (QEvent.Type.DragEnter, QEvent.Type.DragMove):
            if local_files(event.mimeData()) and self.panel.may_change():
                event.acceptProposedAction()
                return True
        elif kind == QEvent.Type.Drop:
            files = local_files(event.mimeData())
            if files and self.panel.may_change():
                event.acceptProposedAction()
                self.panel.attach(files)
                return True
        return False


class DocumentsPanel(QWidget):
    def __init__(self, ctx: AppContext, dialog, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx, self.dialog = ctx, dialog
        self.card: Card | None = None
        self.zone = "UTC"
        self.rows: list[DocumentRow] = []
        self.setObjectName("documentsPanel")
        self.setAcceptDrops(True)
        layout = QVBoxLayout(self)

        docs = QGroupBox("Documents", self)
        box = QVBoxLayout(docs)
        self.hint = QLabel(
            "Drop files here or on the window, or attach them. PDF, pictures, Office documents "
            "and text; programs and scripts are refused.", docs,
        )  # fmt: skip
        self.hint.setWordWrap(True)
        self.hint.setObjectName("documentsHint")
        box.addWidget(self.hint)
        self.tree = QTreeWidget(docs)
        self.tree.setObjectName("documentsList")
        self.tree.setRootIsDecorated(False)
        self.tree.setHeaderLabels(list(COLUMNS))
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for i in range(1, len(COLUMNS)):
            header.setSectionResizeMode(i, QHeaderView.ResizeMode.ResizeToContents)
        self.tree.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.tree.setMinimumHeight(120)
        self.tree.setAlternatingRowColors(True)
        self.tree.itemSelectionChanged.connect(self._selection)
        self.tree.itemDoubleClicked.connect(lambda *_: self.open_selected())
        box.addWidget(self.tree, 1)
        self.about_doc = QLabel(docs, objectName="documentFacts")
        self.about_doc.setTextFormat(Qt.TextFormat.PlainText)
        self.about_doc.setWordWrap(True)
        self.about_doc.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        box.addWidget(self.about_doc)
        buttons = QHBoxLayout()
        self.attach_button = QPushButton("&Attach…", docs, objectName="attachButton")
        self.attach_button.setToolTip("Attach files to this task (or drop them here)")
        self.reference_button = QPushButton("&Reference…", docs, objectName="referenceButton")
        self.reference_button.setToolTip("Add a reference to a document kept elsewhere")
        self.open_button = QPushButton("&Open", docs, objectName="openDocumentButton")
        self.save_button = QPushButton("Cop&y…", docs, objectName="saveCopyButton")
        self.save_button.setToolTip("Save a copy of the document where you choose")
        self.remove_button = QPushButton("Remo&ve", docs, objectName="removeDocumentButton")
        for b in (self.attach_button, self.reference_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        for b in (self.open_button, self.save_button, self.remove_button):
            buttons.addWidget(b)
        box.addLayout(buttons)
        self.reference_row = QWidget(docs)
        ref_form = QFormLayout(self.reference_row)
        ref_form.setContentsMargins(0, 0, 0, 0)
        self.ref_label_edit = QLineEdit(self.reference_row, objectName="referenceLabelEdit")
        self.ref_label_edit.setPlaceholderText("e.g. Denial letter from Aetna")
        self.ref_where_edit = QLineEdit(self.reference_row, objectName="referenceWhereEdit")
        self.ref_where_edit.setPlaceholderText(r"e.g. \\server\scans\denial.pdf or EHR doc 58812")
        self.ref_add = QPushButton("Add", self.reference_row, objectName="referenceAddButton")
        ref_form.addRow("Label", self.ref_label_edit)
        ref_form.addRow("Where it is", self.ref_where_edit)
        ref_form.addRow("", self.ref_add)
        self.reference_row.hide()
        box.addWidget(self.reference_row)
        self.message = QLabel(docs, objectName="documentsMessage")
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        self.message.setWordWrap(True)
        box.addWidget(self.message)
        layout.addWidget(docs, 3)

        deps = QGroupBox("Waits on", self)
        dbox = QVBoxLayout(deps)
        self.blocked_text = QLabel(deps, objectName="blockedText")
        self.blocked_text.setTextFormat(Qt.TextFormat.PlainText)
        self.blocked_text.setWordWrap(True)
        dbox.addWidget(self.blocked_text)
        row = QHBoxLayout()
        self.blocker_edit = QLineEdit(deps, objectName="blockerEdit")
        self.blocker_edit.setPlaceholderText("Reference of the task this one waits on")
        self.blocker_button = QPushButton("Add &blocker", deps, objectName="addBlockerButton")
        self.unblock_button = QPushButton("Remove block", deps, objectName="removeBlockerButton")
        row.addWidget(self.blocker_edit, 1)
        row.addWidget(self.blocker_button)
        row.addWidget(self.unblock_button)
        dbox.addLayout(row)
        self.waiting_text = QLabel(deps, objectName="waitingText")
        self.waiting_text.setTextFormat(Qt.TextFormat.PlainText)
        self.waiting_text.setWordWrap(True)
        dbox.addWidget(self.waiting_text)
        layout.addWidget(deps, 1)

        self.attach_button.clicked.connect(self.choose_files)
        self.reference_button.clicked.connect(self._toggle_reference)
        self.ref_add.clicked.connect(self.add_reference)
        self.open_button.clicked.connect(self.open_selected)
        self.save_button.clicked.connect(self.save_selected)
        self.remove_button.clicked.connect(self.remove_selected)
        self.blocker_button.clicked.connect(self.add_blocker)
        self.blocker_edit.returnPressed.connect(self.add_blocker)
        self.unblock_button.clicked.connect(self.remove_blocker)
        self.drops = _DropFilter(self)
        dialog.setAcceptDrops(True)
        dialog.installEventFilter(self.drops)
        # Documents attached elsewhere (another window, another PC) leave the task's
        # version alone, so the dialog would not reload for them: this list does.
        ctx.signals.data_changed.connect(self._data_changed)
        self.loading = False
        self._selection()

    def _data_changed(self, change: Change) -> None:
        if (
            self.card is not None
            and not self.loading
            and change.touches_id(Kind.TASK, self.card.id)
        ):
            self.reload()

    # ---------------------------------------------------------------- loading

    def show_task(self, card: Card, zone: str) -> None:
        self.card, self.zone = card, zone
        self.reload()

    def reload(self) -> None:
        if self.card is None:
            return
        task_id = self.card.id

        def load(db, actor):
            return doc_queries.task_documents(db, actor, task_id), doc_queries.dependencies(
                db, actor, task_id
            )

        self.loading = True
        Op(self.ctx, load).success(self._loaded).failure(self._load_failed).run()

    def _load_failed(self, _exc: Exception, text: str) -> None:
        self.loading = False
        self.message.setText(text)

    def _loaded(self, got) -> None:
        self.loading = False
        rows, (waits_on, waiting) = got
        self.rows = rows
        self.tree.clear()
        for r in rows:
            self.tree.addTopLevelItem(self._item(r))
        self._show_dependencies(waits_on, waiting)
        self._update_tab_title()
        self._selection()

    def _item(self, r: DocumentRow) -> QTreeWidgetItem:
        at = r.added_at.astimezone(ZoneInfo(self.zone))
        when = f"{at:%b} {at.day}, {at:%Y} {at:%I:%M %p}".replace(" 0", " ")
        if r.hidden:
            label = "A patient's document (your role may not see it)"
        else:
            label = r.label or ""
        size = megabytes(r.size) if r.kind == "file" else ""
        item = QTreeWidgetItem([label, r.kind_words, size, f"{r.added_by}, {at:%b} {at.day}"])
        tip = [label]
        if r.filename and r.filename != label:
            tip.append(f"File: {r.filename}")
        if r.reference:
            tip.append(f"Kept at: {r.reference}")
        if r.sha256:
            tip.append(f"SHA-256: {r.sha256}")
        item.setToolTip(0, plain_tip("\n".join(tip)))
        item.setToolTip(3, plain_tip(f"Added by {r.added_by} on {when}"))
        item.setData(0, Qt.ItemDataRole.UserRole, r.id)
        return item

    def _show_dependencies(self, waits_on: BlockerRow | None, waiting: list[BlockerRow]) -> None:
        if waits_on is None:
            self.blocked_text.setText("Not blocked: this task waits on no other task.")
        else:
            late = " — it is late" if waits_on.late else ""
            self.blocked_text.setText(
                f"Blocked by {waits_on.ref} · {waits_on.title} ({waits_on.status}, "
                f"{waits_on.owner}){late}. When it closes, the block clears and the owner "
                "is told."
            )
        if waiting:
            refs = ", ".join(f"{w.ref} ({w.owner})" for w in waiting)
            self.waiting_text.setText(f"Waiting on this task: {refs}")
        else:
            self.waiting_text.setText("")
        self.waiting_text.setVisible(bool(waiting))
        self.unblock_button.setEnabled(waits_on is not None and self.may_change())

    def _update_tab_title(self) -> None:
        tabs = getattr(self.dialog, "tabs", None)
        if tabs is None:
            return
        index = tabs.indexOf(self)
        if index >= 0:
            n = len(self.rows)
            tabs.setTabText(index, f"&Documents ({n})" if n else "&Documents")

    # ---------------------------------------------------------------- state

    def may_change(self) -> bool:
        return self.card is not None and self.card.category not in CLOSED_CATEGORIES

    def selected(self) -> DocumentRow | None:
        items = self.tree.selectedItems()
        if not items:
            return None
        doc_id = items[0].data(0, Qt.ItemDataRole.UserRole)
        return next((r for r in self.rows if r.id == doc_id), None)

    def facts(self, r: DocumentRow | None) -> str:
        """Who added the selected document and when, where it is, its fingerprint."""
        if r is None:
            return ""
        at = r.added_at.astimezone(ZoneInfo(self.zone))
        when = f"{at:%b} {at.day}, {at:%Y} at {at:%I:%M %p}".replace(" 0", " ")
        lines = [f"Added by {r.added_by} on {when}."]
        if r.filename and r.filename != r.label:
            lines.append(f"File: {r.filename}")
        if r.reference:
            lines.append(f"Kept at: {r.reference}")
        if r.sha256:
            lines.append(f"SHA-256: {r.sha256}")
        return "\n".join(lines)

    def _selection(self) -> None:
        row = self.selected()
        self.about_doc.setText(self.facts(row))
        self.about_doc.setVisible(row is not None)
        is_file = row is not None and row.kind == "file" and not row.hidden
        self.open_button.setEnabled(is_file)
        self.save_button.setEnabled(is_file)
        self.remove_button.setEnabled(row is not None and not row.hidden and self.may_change())
        for w in (self.attach_button, self.reference_button, self.blocker_button,
                  self.blocker_edit):  # fmt: skip
            w.setEnabled(self.may_change())

    # ---------------------------------------------------------------- actions

    def _changed(self, message: str) -> None:
        self.message.setText(message)
        self.ctx.signals.status_message.emit(message)
        self.reload()

    def _failed(self, _exc: Exception, text: str) -> None:
        self.message.setText(text)

    def version(self) -> int | None:
        return getattr(self.dialog, "version", None) or (self.card.version if self.card else None)

    def ask_files(self) -> list[Path]:
        names, _ = QFileDialog.getOpenFileNames(
            self, "Attach documents", "", "Documents (*.pdf *.png *.jpg *.jpeg *.gif *.tif "
            "*.tiff *.doc *.docx *.xls *.xlsx *.ppt *.pptx *.txt);;All files (*)",
        )  # fmt: skip
        return [Path(n) for n in names]

    def ask_save_path(self, suggested: str) -> Path | None:
        name, _ = QFileDialog.getSaveFileName(self, "Save a copy", suggested)
        return Path(name) if name else None

    def choose_files(self) -> None:
        self.attach(self.ask_files())

    def attach(self, paths: Sequence[Path]) -> None:
        if not paths or self.card is None:
            return
        self.message.setText("Attaching…")
        reload_dialog = getattr(self.dialog, "reload", None)

        def done() -> None:
            self.message.setText("")
            self.reload()
            if reload_dialog is not None:
                reload_dialog()

        attach_files(self.ctx, self.dialog, self.card.id, paths, self.version, done)

    def _toggle_reference(self) -> None:
        self.reference_row.setVisible(not self.reference_row.isVisible())
        if self.reference_row.isVisible():
            self.ref_label_edit.setFocus()

    def add_reference(self) -> None:
        if self.card is None:
            return
        label, where = self.ref_label_edit.text(), self.ref_where_edit.text()

        def added(saved) -> None:
            self.ref_label_edit.clear()
            self.ref_where_edit.clear()
            self.reference_row.hide()
            self._changed(f"Added the reference “{saved.label}”.")

        Op(self.ctx, documents.add_reference, self.card.id, label=label, reference=where).changes(
            Change.of(Kind.TASK, self.card.id)
        ).success(added).failure(self._failed).run()

    def open_selected(self) -> None:
        row = self.selected()
        if row is None or row.kind != "file" or row.hidden:
            return
        self.message.setText(f"Opening {row.label}…")
        Op(self.ctx, open_document, row.id, row.filename or "document").success(
            lambda path: (self.message.setText(f"Opened {row.label}."), show_file(path))
        ).failure(self._failed).run()

    def save_selected(self) -> None:
        row = self.selected()
        if row is None or row.kind != "file" or row.hidden:
            return
        target = self.ask_save_path(row.filename or "document")
        if target is None:
            return
        Op(self.ctx, documents.write_out, row.id, target, purpose="save").success(
            lambda path: self.message.setText(f"Saved a copy of {row.label} as {path}.")
        ).failure(self._failed).run()

    def remove_selected(self) -> None:
        row = self.selected()
        if row is None or self.card is None:
            return
        if not self.ctx.messages.confirm(
            self, "Remove document",
            f"Remove “{row.label}” from {self.card.ref}? It stays in the audit record.",
        ):  # fmt: skip
            return
        Op(self.ctx, documents.remove_document, row.id).changes(
            Change.of(Kind.TASK, self.card.id)
        ).success(lambda _r: self._changed(f"Removed “{row.label}”.")).failure(self._failed).run()

    def add_blocker(self) -> None:
        if self.card is None:
            return
        task_id, ref = self.card.id, self.blocker_edit.text()
        version = self.version()

        def block(db, actor):
            blocker = find_task(db, actor, ref)
            return dependencies.set_blocker(db, actor, task_id, blocker, expected_version=version)

        def done(saved) -> None:
            self.blocker_edit.clear()
            self._changed(f"{saved.ref} now waits on {ref.strip().upper()}.")
            if hasattr(self.dialog, "reload"):
                self.dialog.reload()

        Op(self.ctx, block).changes(Change.of(Kind.TASK, task_id)).success(done).failure(
            self._failed
        ).run()

    def remove_blocker(self) -> None:
        if self.card is None:
            return
        Op(self.ctx, dependencies.clear_blocker, self.card.id, expected_version=self.version()
           ).changes(Change.of(Kind.TASK, self.card.id)).success(
            lambda saved: (self._changed(f"{saved.ref} no longer waits on another task."),
                           self.dialog.reload() if hasattr(self.dialog, "reload") else None)
        ).failure(self._failed).run()  # fmt: skip

    def dragEnterEvent(self, event) -> None:
        if local_files(event.mimeData()) and self.may_change():
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:
        files = local_files(event.mimeData())
        if files and self.may_change():
            event.acceptProposedAction()
            self.attach(files)


def add_documents_tab(dialog) -> DocumentsPanel:
    """The hook: a Documents tab at the end of the detail dialog's tabs."""
    panel = DocumentsPanel(dialog.ctx, dialog, dialog.tabs)
    dialog.tabs.addTab(panel, "&Documents")
    return panel
