"""Backups: where they go and when the last good one was made; Back up now; and Restore,
which shows what a backup holds before anything is replaced."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from practiceboard.core.clock import now
from practiceboard.core.rows import BackupState
from practiceboard.gui.kit import theme
from practiceboard.gui.kit.context import AppContext
from practiceboard.gui.kit.error_line import ErrorLine
from practiceboard.gui.kit.ops import Op
from practiceboard.gui.views.admin.common import Notice
from practiceboard.queries import admin as q
from practiceboard.services import backups

STALE = timedelta(days=2)


def local(moment) -> str:
    return moment.astimezone().strftime("%Y-%m-%d %H:%M") if moment else "never"


class BackupsPanel(QWidget):
    restored = Signal(object)  # db.restore.Restored: the app must open the database again

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.state: BackupState | None = None
        self.dialog: RestoreDialog | None = None
        self.folder = QLabel(self)
        self.when = QLabel(self)
        self.last = QLabel(self)
        for label in (self.folder, self.when, self.last):
            label.setTextFormat(Qt.TextFormat.PlainText)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            label.setWordWrap(True)
        self.backup_button = QPushButton("&Back up now", self)
        self.restore_button = QPushButton("&Restore from a backup…", self)
        self.notice = Notice(self)
        form = QFormLayout()
        form.addRow("Backup folder", self.folder)
        form.addRow("Nightly backup", self.when)
        form.addRow("Last good backup", self.last)
        buttons = QHBoxLayout()
        buttons.addWidget(self.backup_button)
        buttons.addWidget(self.restore_button)
        buttons.addStretch(1)
        help_text = QLabel(
            "Each backup is checked after it is written. The nightly backup keeps 7 daily and "
            "4 weekly copies; managers and admins are told when the last good backup is more "
            "than 2 days old. The folder and time are set in Practice settings.", self)  # fmt: skip
        help_text.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addLayout(buttons)
        layout.addWidget(help_text)
        layout.addWidget(self.notice)
        layout.addStretch(1)
        self.backup_button.clicked.connect(self.backup_now)
        self.restore_button.clicked.connect(self.open_restore)

    def refresh(self) -> None:
        Op(self.ctx, q.backup_state).success(self._show).failure(
            lambda _e, text: self.notice.failed(text)
        ).run()

    def _show(self, state: BackupState) -> None:
        self.state = state
        self.folder.setText(state.folder)
        self.when.setText(f"Every night after {state.nightly_time} (practice time), on one PC")
        if state.last_at is None:
            self.last.setText("None yet")
            self.last.setStyleSheet(f"color: {theme.ERROR};")
            return
        old = now() - state.last_at > STALE
        self.last.setText(f"{local(state.last_at)} on {state.last_pc}: {state.last_file}"
                          + (" — more than 2 days ago" if old else ""))  # fmt: skip
        self.last.setStyleSheet(f"color: {theme.ERROR};" if old else "")

    def backup_now(self) -> None:
        self.backup_button.setEnabled(False)
        self.notice.done("Backing up…")

        def done(path: Path) -> None:
            self.backup_button.setEnabled(True)
            self.notice.done(f"Backed up and checked: {path}")
            self.refresh()

        def failed(_e, text: str) -> None:
            self.backup_button.setEnabled(True)
            self.notice.failed(text)

        Op(self.ctx, backups.backup_now).success(done).failure(failed).run()

    def open_restore(self) -> None:
        start = self.state.folder if self.state else ""
        self.dialog = RestoreDialog(self.ctx, start, self)
        self.dialog.restored.connect(self.restored)
        self.dialog.open()


class RestoreDialog(QDialog):
    """Choose a backup, see what it holds, confirm, restore."""

    restored = Signal(object)

    def __init__(self, ctx: AppContext, folder: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("RestoreDialog")
        self.setWindowTitle("Restore from a backup")
        self.ctx, self.start_folder = ctx, folder
        self.path: Path | None = None
        self.busy = False
        self.file = QLineEdit(self)
        self.file.setReadOnly(True)
        self.file.setPlaceholderText("No backup chosen")
        browse = QPushButton("&Choose…", self)
        self.summary = QLabel("Choose a backup file to see what it holds.", self)
        self.summary.setObjectName("restoreSummary")
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        self.summary.setWordWrap(True)
        self.summary.setMinimumHeight(96)
        self.confirm = QCheckBox(
            "I understand: everything entered since this backup is replaced by it. The current "
            "database is backed up first.", self)  # fmt: skip
        self.error = ErrorLine(self)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        self.restore_button = self.buttons.addButton(
            "&Restore", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.restore_button.setEnabled(False)
        self.buttons.accepted.connect(self.restore)
        self.buttons.rejected.connect(self.reject)
        row = QHBoxLayout()
        row.addWidget(self.file, 1)
        row.addWidget(browse)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Backup file", self))
        layout.addLayout(row)
        layout.addWidget(self.summary)
        layout.addWidget(self.confirm)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        browse.clicked.connect(self.browse)
        self.confirm.toggled.connect(self._update)
        self.setMinimumWidth(560)

    def browse(self) -> None:
        name, _ = QFileDialog.getOpenFileName(
            self, "Choose a backup", self.start_folder,
            "PracticeBoard backups (*.db *.dump);;All files (*)",
        )  # fmt: skip
        if name:
            self.choose(Path(name))

    def choose(self, path: Path) -> None:
        """Read what the backup holds (in a worker) and show it."""
        self.path = None
        self.file.setText(str(path))
        self.summary.setText("Reading the backup…")
        self._error("")
        self.confirm.setChecked(False)
        self._update()

        def shown(summary) -> None:
            self.path = path
            self.summary.setText("\n".join(summary.lines(local)))
            self._update()

        def failed(_e, text: str) -> None:
            self.summary.setText("")
            self._error(text)

        Op(self.ctx, backups.inspect, path).success(shown).failure(failed).run()

    def _update(self) -> None:
        self.restore_button.setEnabled(
            self.path is not None and self.confirm.isChecked() and not self.busy
        )

    def _error(self, text: str) -> None:
        self.error.say(text)

    def restore(self) -> None:
        if self.path is None or not self.confirm.isChecked() or self.busy:
            return
        self.busy = True
        self._update()
        self.summary.setText(self.summary.text() + "\n\nRestoring… (backing up the current "
                             "database first)")  # fmt: skip

        def done(result) -> None:
            self.busy = False
            self.accept()
            self.restored.emit(result)

        def failed(_e, text: str) -> None:
            self.busy = False
            self._error(text)
            self._update()

        Op(self.ctx, backups.restore, self.path).success(done).failure(failed).run()

    def reject(self) -> None:
        if not self.busy:  # never while the database is being replaced
            super().reject()
