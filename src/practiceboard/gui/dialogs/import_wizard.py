"""Import a spreadsheet: file → mapping → dry run → import → result, and the import
history with Undo.

Every step's work runs off the GUI thread (``Op``): reading the file, proposing the
mapping (the one remembered for this layout, else from the header's words), the dry run
and the import itself (services/imports). The mapping page shows each column with a
sample and the field it goes to, and the words of the file that match nothing yet
(owners, statuses, workflows) to be mapped once; the mapping is remembered for the next
file with the same columns. The dry run is the import rolled back, row by row.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from practiceboard.domain.errors import PracticeBoardError
from practiceboard.gui.kit.change import Change
from practiceboard.gui.kit.context import AppContext
from practiceboard.gui.kit.ops import Op
from practiceboard.queries import imports as import_queries
from practiceboard.services.imports import engine, sheet
from practiceboard.services.imports.mapping import (
    IGNORE,
    KINDS,
    Mapping,
    layout_of,
    propose,
    text_of,
)

KIND_LABELS = {"tasks": "Tasks (a tracker)", "patients": "Patients (a patient list)"}
OUTCOME_WORDS = {"created": "Will be created", "updated": "Will be updated",
                 "skipped": "Skipped", "error": "Error"}  # fmt: skip
DONE_WORDS = {"created": "Created", "updated": "Updated", "skipped": "Skipped", "error": "Error"}


def load_file(db, actor, path: str, kind: str):
    """Worker: the sheet, the mapping to propose (remembered or guessed), the choices."""
    read = sheet.read_sheet(Path(path))
    remembered = import_queries.remembered_mapping(db, kind, layout_of(read.header))
    mapping = Mapping.from_json(kind, remembered) if remembered else propose(kind, read.header)
    return read, mapping, remembered is not None, import_queries.import_choices(db, actor)


def check_words(db, actor, read, mapping):
    return engine.unknown_values(db, read, mapping)


def run_import(db, actor, read, mapping, dry_run: bool):
    run = engine.import_tasks if mapping.kind == "tasks" else engine.import_patients
    return run(db, actor, read, mapping, dry_run=dry_run)


def choose_file(parent: QWidget) -> str:
    """Where the file is (tests replace this)."""
    path, _ = QFileDialog.getOpenFileName(
        parent, "Import a spreadsheet", "", "Spreadsheets (*.csv *.xlsx);;All files (*)"
    )
    return path


def _table(parent: QWidget, name: str, headers: list[str]) -> QTableWidget:
    table = QTableWidget(0, len(headers), parent, objectName=name)
    table.setHorizontalHeaderLabels(headers)
    table.verticalHeader().hide()
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setWordWrap(False)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    table.horizontalHeader().setStretchLastSection(True)
    return table


def _item(text: str) -> QTableWidgetItem:
    return QTableWidgetItem(text)  # QTableWidgetItem shows text literally (no rich text)


class ImportWizard(QDialog):
    """The four steps in one window; ``page`` says which is shown."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None, kind: str = "tasks"):
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle("Import a spreadsheet")
        self.setObjectName("importWizard")
        self.resize(900, 620)
        self.read: sheet.Sheet | None = None
        self.mapping: Mapping | None = None
        self.choices: import_queries.ImportChoices | None = None
        self.result: engine.ImportResult | None = None
        self.word_rows: list[tuple[str, str, QComboBox]] = []  # (map, word, combo)
        layout = QVBoxLayout(self)
        self.pages = QStackedWidget(self)
        layout.addWidget(self.pages, 1)
        self.message = QLabel("", self, objectName="importMessage")
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        buttons = QHBoxLayout()
        self.back_button = QPushButton("‹ Back", self, objectName="backButton")
        self.next_button = QPushButton("Next ›", self, objectName="nextButton")
        self.close_button = QPushButton("Close", self, objectName="closeButton")
        self.close_button.setAutoDefault(False)
        self.back_button.setAutoDefault(False)
        self.next_button.setDefault(True)
        buttons.addWidget(self.back_button)
        buttons.addStretch(1)
        buttons.addWidget(self.next_button)
        buttons.addWidget(self.close_button)
        layout.addLayout(buttons)
        self.back_button.clicked.connect(self.back)
        self.next_button.clicked.connect(self.next)
        self.close_button.clicked.connect(self.reject)
        self._build_file_page(kind)
        self._build_mapping_page()
        self._build_dry_run_page()
        self._build_result_page()
        self._show(0)

    # ---------------------------------------------------------------- pages

    def _build_file_page(self, kind: str) -> None:
        page = QWidget(self)
        form = QFormLayout(page)
        intro = QLabel(
            "Bring in the spreadsheet you keep today (CSV or Excel .xlsx, up to 10 MB). "
            "Nothing is written until you have seen the dry run.", page)  # fmt: skip
        intro.setWordWrap(True)
        form.addRow(intro)
        self.kind = QComboBox(page, objectName="kindPicker")
        for key, label in KIND_LABELS.items():
            self.kind.addItem(label, key)
        self.kind.setCurrentIndex(list(KIND_LABELS).index(kind))
        form.addRow("What it holds", self.kind)
        row = QHBoxLayout()
        self.path = QLineEdit(page, objectName="filePath")
        self.path.setPlaceholderText("The .csv or .xlsx file")
        pick = QPushButton("Choose…", page, objectName="chooseFile")
        pick.clicked.connect(self._choose)
        row.addWidget(self.path, 1)
        row.addWidget(pick)
        form.addRow("File", row)
        self.pages.addWidget(page)

    def _build_mapping_page(self) -> None:
        page = QWidget(self)
        layout = QVBoxLayout(page)
        self.mapping_title = QLabel("", page, objectName="mappingTitle")
        self.mapping_title.setTextFormat(Qt.TextFormat.PlainText)
        self.mapping_title.setWordWrap(True)
        layout.addWidget(self.mapping_title)
        self.columns = _table(page, "columnTable", ["Column", "First value", "Goes to"])
        layout.addWidget(self.columns, 3)
        options = QHBoxLayout()
        self.default_label = QLabel("Workflow for rows that name none:", page)
        self.default_workflow = QComboBox(page, objectName="defaultWorkflow")
        self.update_existing = QCheckBox("Update patients whose MRN is already known", page,
                                         objectName="updateExisting")  # fmt: skip
        options.addWidget(self.default_label)
        options.addWidget(self.default_workflow)
        options.addWidget(self.update_existing)
        options.addStretch(1)
        saved = QPushButton("Use a saved mapping…", page, objectName="loadMapping")
        saved.clicked.connect(self._load_mapping)
        options.addWidget(saved)
        layout.addLayout(options)
        self.words_label = QLabel("", page, objectName="wordsLabel")
        self.words_label.setWordWrap(True)
        layout.addWidget(self.words_label)
        self.words = _table(page, "wordTable", ["In the file", "Is", "Means"])
        layout.addWidget(self.words, 2)
        self.pages.addWidget(page)

    def _build_dry_run_page(self) -> None:
        page = QWidget(self)
        layout = QVBoxLayout(page)
        self.dry_title = QLabel("", page, objectName="dryRunTitle")
        self.dry_title.setTextFormat(Qt.TextFormat.PlainText)
        self.dry_title.setProperty("kind", "heading")
        layout.addWidget(self.dry_title)
        self.only_problems = QCheckBox("Show only rows that will not be created", page,
                                       objectName="onlyProblems")  # fmt: skip
        self.only_problems.toggled.connect(self._fill_outcomes)
        layout.addWidget(self.only_problems)
        self.outcomes = _table(page, "outcomeTable", ["Row", "What happens", "Cell", "Why"])
        layout.addWidget(self.outcomes, 1)
        self.pages.addWidget(page)

    def _build_result_page(self) -> None:
        page = QWidget(self)
        layout = QVBoxLayout(page)
        self.done_title = QLabel("", page, objectName="resultTitle")
        self.done_title.setTextFormat(Qt.TextFormat.PlainText)
        self.done_title.setWordWrap(True)
        self.done_title.setProperty("kind", "heading")
        layout.addWidget(self.done_title)
        self.undo_button = QPushButton("Undo this import…", page, objectName="undoImport")
        self.undo_button.clicked.connect(self._undo)
        layout.addWidget(self.undo_button, 0, Qt.AlignmentFlag.AlignLeft)
        self.done_rows = _table(page, "resultTable", ["Row", "What happened", "Cell", "Why"])
        layout.addWidget(self.done_rows, 1)
        self.pages.addWidget(page)

    # ---------------------------------------------------------------- steps

    @property
    def page(self) -> int:
        return self.pages.currentIndex()

    def _show(self, index: int) -> None:
        self.pages.setCurrentIndex(index)
        self.back_button.setEnabled(index in (1, 2))
        self.next_button.setVisible(index < 3)
        self.next_button.setText({0: "Next ›", 1: "Dry run ›", 2: "Import"}.get(index, ""))
        self.next_button.setEnabled(True)
        self.message.setText("")

    def _busy(self, text: str) -> None:
        self.message.setText(text)
        self.next_button.setEnabled(False)

    def _failed(self, _exc: Exception, text: str) -> None:
        self.message.setText(text)
        self.next_button.setEnabled(True)

    def back(self) -> None:
        if self.page in (1, 2):
            self._show(self.page - 1)

    def next(self) -> None:
        if self.page == 0:
            self.open_file()
        elif self.page == 1:
            self.dry_run()
        elif self.page == 2:
            self.do_import()

    def _choose(self) -> None:
        path = choose_file(self)
        if path:
            self.path.setText(path)

    def open_file(self) -> None:
        path = self.path.text().strip()
        if not path:
            self.message.setText("Choose the file to import first.")
            return
        self._busy("Reading the file…")
        Op(self.ctx, load_file, path, self.kind.currentData()).success(self._loaded).failure(
            self._failed).run()  # fmt: skip

    def _loaded(self, found) -> None:
        self.read, self.mapping, remembered, self.choices = found
        kind = self.mapping.kind
        rows = len(self.read.rows)
        self.mapping_title.setText(
            f"{self.read.file_name}: {rows} rows. "
            + (
                "The mapping you chose last time for these columns is filled in."
                if remembered
                else "Check where each column goes; columns set to “(leave out)” are not imported."
            )  # fmt: skip
        )
        targets = KINDS[kind]
        self.columns.setRowCount(len(self.read.header))
        self.column_combos: list[QComboBox] = []
        first = self.read.rows[0][1] if self.read.rows else ()
        for i, name in enumerate(self.read.header):
            self.columns.setItem(i, 0, _item(name))
            self.columns.setItem(i, 1, _item(text_of(first[i]) if i < len(first) else ""))
            combo = QComboBox(self.columns)
            combo.addItem("(leave out)", IGNORE)
            for key, (label, _words) in targets.items():
                combo.addItem(label, key)
            combo.setCurrentIndex(max(0, combo.findData(self.mapping.columns.get(name, IGNORE))))
            combo.currentIndexChanged.connect(self._columns_changed)
            self.columns.setCellWidget(i, 2, combo)
            self.column_combos.append(combo)
        tasks = kind == "tasks"
        self.default_label.setVisible(tasks)
        self.default_workflow.setVisible(tasks)
        self.update_existing.setVisible(not tasks)
        self.update_existing.setChecked(self.mapping.update_existing)
        self.default_workflow.clear()
        self.default_workflow.addItem("(the file says)", None)
        for key, name, _statuses in self.choices.workflows:
            self.default_workflow.addItem(name, key)
        self.default_workflow.setCurrentIndex(
            max(0, self.default_workflow.findData(self.mapping.default_workflow))
        )
        self._show(1)
        self._columns_changed()

    def current_mapping(self) -> Mapping:
        """The mapping as the page shows it (columns, words, options)."""
        assert self.mapping is not None and self.read is not None
        m = Mapping.from_json(self.mapping.kind, self.mapping.to_json())
        pairs = zip(self.read.header, self.column_combos, strict=True)
        m.columns = {name: combo.currentData() or IGNORE for name, combo in pairs}
        m.default_workflow = self.default_workflow.currentData() if m.kind == "tasks" else None
        m.update_existing = self.update_existing.isChecked()
        for which, word, combo in self.word_rows:
            value = combo.currentData()
            if value:
                getattr(m, which)[word.lower()] = value
        return m

    def use_mapping(self, mapping: Mapping) -> None:
        """Fill the page from a saved mapping (columns, options and words)."""
        self.mapping = mapping
        for name, combo in zip(self.read.header, self.column_combos, strict=True):
            combo.blockSignals(True)
            combo.setCurrentIndex(max(0, combo.findData(mapping.columns.get(name, IGNORE))))
            combo.blockSignals(False)
        self.default_workflow.setCurrentIndex(
            max(0, self.default_workflow.findData(mapping.default_workflow))
        )
        self.update_existing.setChecked(mapping.update_existing)
        self.word_rows = []
        self._columns_changed()

    def _load_mapping(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Use a saved mapping", "",
                                              "Mappings (*.json)")  # fmt: skip
        if not path:
            return
        try:
            text = Path(path).read_text(encoding="utf-8")
            self.use_mapping(Mapping.load(self.mapping.kind, text))
        except (OSError, UnicodeDecodeError):
            self.message.setText("That mapping file could not be read.")
        except PracticeBoardError as exc:
            self.message.setText(exc.message)

    def set_column(self, name: str, target: str) -> None:
        index = self.read.header.index(name)
        combo = self.column_combos[index]
        combo.setCurrentIndex(combo.findData(target))

    def _columns_changed(self) -> None:
        self.mapping = self.current_mapping()
        Op(self.ctx, check_words, self.read, self.mapping).success(self._words_found).failure(
            self._failed).run()  # fmt: skip

    def _words_found(self, unknown: engine.Unknowns) -> None:
        keep = {(which, word.lower()): combo.currentData() for which, word, combo in self.word_rows}
        entries: list[tuple[str, str, str, list[tuple[str, str]]]] = []
        people = [(u, f"{n} ({u})") for u, n in self.choices.people]
        for word in unknown.workflows:
            options = [(k, n) for k, n, _ in self.choices.workflows]
            entries.append(("workflows", word, "a workflow", options))
        for key in unknown.statuses:
            wf_key, _, word = key.partition(":")
            wf = next((w for w in self.choices.workflows if w[0] == wf_key), None)
            options = list(wf[2]) if wf else []
            entries.append(("statuses", key, f"a status of {wf[1] if wf else wf_key}", options))
        for word in unknown.owners:
            entries.append(("owners", word, "an owner", people))
        for word in unknown.providers:
            entries.append(("providers", word, "a provider", people))
        self.words.setRowCount(len(entries))
        self.word_rows = []
        for i, (which, word, what, options) in enumerate(entries):
            shown = word.partition(":")[2] if which == "statuses" else word
            self.words.setItem(i, 0, _item(shown))
            self.words.setItem(i, 1, _item(what))
            combo = QComboBox(self.words)
            combo.addItem("(not mapped: those rows are errors)", None)
            for value, label in options:
                combo.addItem(label, value)
            previous = keep.get((which, word.lower()))
            if previous:
                combo.setCurrentIndex(max(0, combo.findData(previous)))
            if which == "workflows":  # a row's workflow decides which statuses it may name
                combo.currentIndexChanged.connect(self._columns_changed)
            self.words.setCellWidget(i, 2, combo)
            self.word_rows.append((which, word, combo))
        self.words_label.setText(
            "Every word of the file is known." if not entries else
            f"{len(entries)} words of the file match nothing in PracticeBoard yet. Say once "
            "what each means; it is remembered for the next file like this one."
        )  # fmt: skip

    def map_word(self, which: str, word: str, value: str) -> None:
        for kind, found, combo in self.word_rows:
            if kind == which and found.lower() == word.lower():
                combo.setCurrentIndex(combo.findData(value))
                return
        raise KeyError(word)

    def dry_run(self) -> None:
        self.mapping = self.current_mapping()
        self._busy("Trying every row (nothing is written)…")
        Op(self.ctx, run_import, self.read, self.mapping, True).success(self._dry_done).failure(
            self._failed).run()  # fmt: skip

    def _dry_done(self, result: engine.ImportResult) -> None:
        self.result = result
        self.dry_title.setText(f"Dry run: {result.summary()}. Nothing has been written yet.")
        self._show(2)
        self.next_button.setEnabled(result.created + result.updated > 0)
        self._fill_outcomes()

    def _fill_outcomes(self) -> None:
        if self.result is None:
            return
        problems = self.only_problems.isChecked()
        rows = [o for o in self.result.outcomes
                if not (problems and o.outcome in ("created", "updated"))]  # fmt: skip
        _fill(self.outcomes, rows, OUTCOME_WORDS)

    def do_import(self) -> None:
        self._busy("Importing…")
        Op(self.ctx, run_import, self.read, self.mapping, False).changes(
            Change.everything()
        ).success(self._imported).failure(self._failed).run()

    def _imported(self, result: engine.ImportResult) -> None:
        self.result = result
        self.done_title.setText(f"Imported: {result.summary()} (import #{result.batch_id}).")
        self.undo_button.setEnabled(True)
        self._show(3)
        _fill(self.done_rows, [o for o in result.outcomes if o.outcome != "created"], DONE_WORDS)

    def _undo(self) -> None:
        if self.result is None or self.result.batch_id is None:
            return
        undo_batch(self.ctx, self, self.result.batch_id, self._undone)

    def _undone(self, done: engine.UndoResult) -> None:
        self.undo_button.setEnabled(False)
        self.done_title.setText(f"Import #{done.batch_id} undone: {_undo_words(done)}.")


def _fill(table: QTableWidget, outcomes, words: dict[str, str]) -> None:
    table.setRowCount(len(outcomes))
    for i, o in enumerate(outcomes):
        table.setItem(i, 0, _item(str(o.row)))
        table.setItem(i, 1, _item(words.get(o.outcome, o.outcome)))
        table.setItem(i, 2, _item(o.cell or ""))
        table.setItem(i, 3, _item(o.message))


def _undo_words(done: engine.UndoResult) -> str:
    parts = []
    if done.closed:
        parts.append(f"{done.closed} tasks closed as “Import undone”")
    if done.deactivated:
        parts.append(f"{done.deactivated} patients made inactive")
    if done.restored:
        parts.append(f"{done.restored} patients given their earlier details back")
    return ", ".join(parts) or "nothing was left to undo"


def undo_batch(ctx: AppContext, parent: QWidget, batch_id: int, then) -> None:
    if not ctx.messages.confirm(
        parent, "Undo the import",
        "Close every task this import created (reason “Import undone”; their history is "
        "kept), or put imported patients back as they were?",
    ):  # fmt: skip
        return
    Op(ctx, engine.undo_import, batch_id).changes(Change.everything()).success(then).report_to(
        parent, "Not undone").run()  # fmt: skip


class ImportHistory(QDialog):
    """The practice's imports, newest first, each undoable as a whole."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle("Import history")
        self.setObjectName("importHistory")
        self.resize(820, 420)
        layout = QVBoxLayout(self)
        self.table = _table(self, "historyTable",
                            ["#", "What", "File", "When", "By", "Created", "Updated", "Skipped",
                             "Errors", "Undone"])  # fmt: skip
        layout.addWidget(self.table, 1)
        row = QHBoxLayout()
        self.undo_button = QPushButton("Undo the selected import…", self, objectName="undoButton")
        self.undo_button.clicked.connect(self.undo_selected)
        close = QPushButton("Close", self)
        close.clicked.connect(self.accept)
        row.addWidget(self.undo_button)
        row.addStretch(1)
        row.addWidget(close)
        layout.addLayout(row)
        self.rows: list = []
        self.refresh()

    def refresh(self) -> None:
        Op(self.ctx, import_queries.history).success(self._arrived).report_to(
            self, "Import history").run()  # fmt: skip

    def _arrived(self, rows) -> None:
        self.rows = rows
        self.table.setRowCount(len(rows))
        for i, b in enumerate(rows):
            cells = [str(b.id), b.kind, b.file_name, f"{b.created_at:%Y-%m-%d %H:%M} UTC",
                     b.created_by, str(b.created), str(b.updated), str(b.skipped),
                     str(b.errors), f"{b.undone_at:%Y-%m-%d} by {b.undone_by}" if b.undone_at
                     else ""]  # fmt: skip
            for c, text in enumerate(cells):
                self.table.setItem(i, c, _item(text))

    def undo_selected(self) -> None:
        row = self.table.currentRow()
        if not 0 <= row < len(self.rows):
            self.ctx.messages.info(self, "Import history", "Select the import to undo first.")
            return
        undo_batch(self.ctx, self, self.rows[row].id, lambda _done: self.refresh())


def open_import(ctx: AppContext, parent: QWidget | None = None) -> ImportWizard:
    wizard = ImportWizard(ctx, parent)
    wizard.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    wizard.show()
    return wizard


def open_history(ctx: AppContext, parent: QWidget | None = None) -> ImportHistory:
    dialog = ImportHistory(ctx, parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.show()
    return dialog
