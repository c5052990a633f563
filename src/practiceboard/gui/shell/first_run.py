"""The first-run wizard: what opens when no database is configured on this PC.

1. Where the practice lives: only this PC (SQLite in the user data folder), the clinic's
   server (PostgreSQL, through the Connect dialog), or the demo practice to try.
2. The practice: name, time zone, business hours, holidays and closures.
3. The first administrator: name, user name, password (twice).
4. Done: what to do next; Finish opens the empty board signed in as that administrator.

Every page checks its input before Next and keeps it on Back. Nothing is written until
the end: the practice is built in a side file (SQLite) renamed into place only when
complete, or in one transaction on the server, and the server connection is saved only
then — so Cancel, at any page, leaves nothing behind. The slow parts (building the
database, the demo) run in a worker; Cancel is off while they run.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from practiceboard.core import connection
from practiceboard.core.server_check import Outcome, ServerSettings, Verdict, remember
from practiceboard.domain.errors import ValidationError
from practiceboard.gui.dialogs.calendar_form import CalendarForm
from practiceboard.gui.dialogs.connect_dialog import ConnectDialog
from practiceboard.gui.kit import theme
from practiceboard.gui.kit.errors import sentence
from practiceboard.gui.kit.runner import Runner
from practiceboard.gui.shell.first_run_work import (
    DEMO,
    EXISTING,
    LOCAL,
    SERVER,
    SetUp,
    audit_key_file,
    build_demo,
    build_practice,
    local_path,
)

CHOICE, PRACTICE, ADMIN, DONE = range(4)
NOT_MADE = "The practice could not be set up ({detail}). Nothing was kept; try again."


def _error_label(parent: QWidget) -> QLabel:
    label = QLabel(parent, objectName="errorLabel")
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(True)
    label.setStyleSheet(f"color: {theme.ERROR};")
    return label


def _busy(parent: QWidget) -> QProgressBar:
    bar = QProgressBar(parent, objectName="busyIndicator")
    bar.setRange(0, 0)
    bar.setTextVisible(False)
    bar.hide()
    return bar


# ---------------------------------------------------------------- 1. where


class ChoicePage(QWizardPage):
    def __init__(self, wizard: FirstRunWizard):
        super().__init__()
        self.w = wizard
        self.setTitle("Welcome to PracticeBoard")
        self.setSubTitle("Where will this practice's work be kept?")
        self.local = QRadioButton("&Only this PC", self, objectName="localChoice")
        self.server = QRadioButton("&Shared on the clinic's server", self,
                                   objectName="serverChoice")  # fmt: skip
        self.demo = QRadioButton("&Try the demo practice", self, objectName="demoChoice")
        group = QButtonGroup(self)
        for button in (self.local, self.server, self.demo):
            group.addButton(button)
        self.local.setChecked(True)

        def note(text: str) -> QLabel:
            label = QLabel(text, self)
            label.setTextFormat(Qt.TextFormat.PlainText)
            label.setWordWrap(True)
            label.setProperty("kind", "muted")
            label.setContentsMargins(24, 0, 0, 8)
            return label

        self.connect_button = QPushButton("&Connect to the server…", self,
                                          objectName="connectButton")  # fmt: skip
        self.connect_button.clicked.connect(self.connect_server)
        self.server_label = note("")
        self.server_label.setObjectName("serverLabel")
        self.error = _error_label(self)
        self.busy = _busy(self)
        layout = QVBoxLayout(self)
        layout.addWidget(self.local)
        layout.addWidget(note(f"One PC, one person at a time. The practice is kept in "
                              f"{local_path()}."))  # fmt: skip
        layout.addWidget(self.server)
        layout.addWidget(note("Every PC in the office works on the same board. The server "
                              "(the office's always-on PC) is set up first: see the README's "
                              "“Several PCs” steps."))  # fmt: skip
        row = QHBoxLayout()
        row.setContentsMargins(24, 0, 0, 0)
        row.addWidget(self.connect_button)
        row.addStretch(1)
        layout.addLayout(row)
        layout.addWidget(self.server_label)
        layout.addWidget(self.demo)
        layout.addWidget(note("A made-up clinic with six months of history, to look around. "
                              "Set up the real practice later in its own database."))  # fmt: skip
        layout.addStretch(1)
        layout.addWidget(self.busy)
        layout.addWidget(self.error)
        for button in (self.local, self.server, self.demo):
            button.toggled.connect(self._changed)
        self._changed()

    def choice(self) -> str:
        return SERVER if self.server.isChecked() else DEMO if self.demo.isChecked() else LOCAL

    def _changed(self, *_args) -> None:
        self.connect_button.setEnabled(self.server.isChecked())
        self.error.clear()
        self.completeChanged.emit()

    def connect_server(self) -> None:
        dialog = ConnectDialog(self.w.runner, self, initial=self.w.server)
        self.w.connect_dialog = dialog  # tests drive it
        dialog.setModal(True)
        dialog.finished.connect(lambda code: self._connected(dialog, code))
        dialog.open()

    def _connected(self, dialog: ConnectDialog, code: int) -> None:
        self.w.connect_dialog = None
        if code == QDialog.DialogCode.Accepted and dialog.tested_settings() is not None:
            self.w.server, self.w.server_outcome = dialog.tested_settings(), dialog.outcome
            self.server_label.setText(dialog.outcome.message)
        dialog.deleteLater()
        self.completeChanged.emit()

    def isComplete(self) -> bool:
        if self.w.working:
            return False
        if self.choice() == SERVER:
            return self.w.server_outcome is not None and self.w.server_outcome.usable
        return True

    def validatePage(self) -> bool:
        kind = self.choice()
        if kind == DEMO and self.w.made is None:
            self.w.work(build_demo, self, "Building the demo practice (about half a minute)…")
            return False
        if kind == SERVER and self.w.joins_practice() and self.w.made is None:
            note = remember(self.w.server)
            self.w.made = SetUp(SERVER, server_password=self.w.server.password if note else "",
                                notice=note)  # fmt: skip
        return True

    def nextId(self) -> int:
        if self.choice() == DEMO or (self.choice() == SERVER and self.w.joins_practice()):
            return DONE
        return PRACTICE


# ---------------------------------------------------------------- 2. the practice


class PracticePage(QWizardPage):
    def __init__(self, wizard: FirstRunWizard):
        super().__init__()
        self.setTitle("The practice")
        self.setSubTitle("Its name, and when it is open: aging and due dates count only "
                         "business hours. All of this can be changed later.")  # fmt: skip
        self.name = QLineEdit(self, objectName="practiceNameEdit", maxLength=120)
        self.name.setPlaceholderText("e.g. Valley Family Medicine")
        self.calendar = CalendarForm(self)
        self.error = _error_label(self)
        self.calendar.layout().insertRow(0, "Practice &name:", self.name)
        layout = QVBoxLayout(self)
        layout.addWidget(self.calendar)
        layout.addWidget(self.error)

    def validatePage(self) -> bool:
        from practiceboard.services import practice

        try:
            practice.practice_name(self.name.text())
            practice.calendar_value(self.calendar.value())
        except ValidationError as exc:
            self.error.setText(exc.message)
            control = self.name if exc.field == "practice_name" else (
                self.calendar.control_for(exc.field))  # fmt: skip
            if control is not None:
                control.setFocus()
            return False
        self.error.clear()
        return True


# ---------------------------------------------------------------- 3. the administrator


class AdminPage(QWizardPage):
    def __init__(self, wizard: FirstRunWizard):
        super().__init__()
        self.w = wizard
        self.setTitle("The first administrator")
        self.setSubTitle("The person who adds the staff and looks after the settings. "
                         "Staff get their own accounts next.")  # fmt: skip
        self.setCommitPage(True)
        self.setButtonText(QWizard.WizardButton.CommitButton, "&Create the practice")
        self.display_name = QLineEdit(self, objectName="adminNameEdit", maxLength=120)
        self.username = QLineEdit(self, objectName="adminUserEdit", maxLength=64)
        self.password = QLineEdit(self, objectName="adminPasswordEdit")
        self.repeat = QLineEdit(self, objectName="adminRepeatEdit")
        for edit in (self.password, self.repeat):
            edit.setEchoMode(QLineEdit.EchoMode.Password)
        from practiceboard.services.practice import min_password_length

        rule = QLabel(f"At least {min_password_length()} characters. A short sentence is "
                      "easier to remember than a jumble.", self)  # fmt: skip
        rule.setProperty("kind", "muted")
        rule.setWordWrap(True)
        form = QFormLayout()
        form.addRow("Your &name:", self.display_name)
        form.addRow("&User name:", self.username)
        form.addRow("&Password:", self.password)
        form.addRow("&Again:", self.repeat)
        form.addRow("", rule)
        self.error = _error_label(self)
        self.busy = _busy(self)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addStretch(1)
        layout.addWidget(self.busy)
        layout.addWidget(self.error)

    def isComplete(self) -> bool:
        return not self.w.working

    def validatePage(self) -> bool:
        from practiceboard.services import practice

        if self.w.made is not None:
            return True
        try:
            user, name = practice.check_new_admin(
                self.username.text(), self.display_name.text(), self.password.text(),
                self.repeat.text(),
            )  # fmt: skip
        except ValidationError as exc:
            self.error.setText(exc.message)
            controls = {"username": self.username, "display_name": self.display_name,
                        "password": self.password, "repeat": self.repeat}  # fmt: skip
            control = controls.get(exc.field or "")
            if control is not None:
                control.setFocus()
            return False
        page = self.w.practice_page
        kind, server = self.w.choice_page.choice(), self.w.server
        if self.w.existing:
            kind = EXISTING
        args = (kind, server, page.name.text(), page.calendar.value(), user, name,
                self.password.text(), self.w.existing or "")  # fmt: skip
        self.w.work(lambda: build_practice(*args), self, "Creating the practice…")
        return False


# ---------------------------------------------------------------- 4. done


class DonePage(QWizardPage):
    def __init__(self, wizard: FirstRunWizard):
        super().__init__()
        self.w = wizard
        self.setTitle("All set")
        self.text = QLabel(self, objectName="whatNextLabel")
        self.text.setTextFormat(Qt.TextFormat.PlainText)
        self.text.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.text)
        layout.addStretch(1)

    def initializePage(self) -> None:
        made = self.w.made
        if made is None:
            return
        lines: list[str]
        if made.kind == DEMO:
            self.setSubTitle("The demo practice is ready.")
            lines = [made.notice, "", "Finish opens the sign-in window."]
        elif not made.username:
            name = self.w.server_outcome.practice_name if self.w.server_outcome else None
            self.setSubTitle(f"This PC now works on “{name or 'the practice'}”.")
            lines = ["Finish opens the sign-in window: sign in with the account your "
                     "administrator gave you."]  # fmt: skip
            key = audit_key_file(self.w.server_outcome.database_id if self.w.server_outcome
                                 else None)  # fmt: skip
            if key is not None and not key.exists():
                lines += ["", "Before anyone signs in on this PC, copy the practice's audit key "
                          f"file from the PC that set the practice up to {key} (the same "
                          "place on that PC). The audit log is signed with it; a PC without "
                          "it would sign with a key of its own and the log would no longer "
                          "verify."]  # fmt: skip
            if made.notice:
                lines += ["", made.notice]
        else:
            self.setSubTitle("The practice is set up. Finish opens its board, still empty.")
            lines = [
                "What next:",
                "  1. Add your staff, each with their own account and roles: "
                "View ▸ Admin ▸ Users ▸ Add person (Ctrl+9).",
                "  2. Check the holidays, the aging thresholds and where backups go: "
                "View ▸ Practice settings.",
                "  3. Create the first task: New task (Ctrl+N) on the board.",
            ]
            if made.kind == SERVER:
                keys = connection.config_path().parent / "audit-keys"
                lines += ["", "Then connect the other PCs: on each, choose “Shared on the "
                          "clinic's server” and use the same server details, and copy this "
                          f"PC's audit key folder ({keys}) to the same place on each."]  # fmt: skip
            if made.notice:
                lines += ["", made.notice]
        self.text.setText("\n".join(lines))


# ---------------------------------------------------------------- the wizard


class FirstRunWizard(QWizard):
    """``completed(SetUp)`` on Finish; ``rejected`` on Cancel (nothing was made)."""

    completed = Signal(object)

    def __init__(self, runner: Runner, parent: QWidget | None = None, *,
                 existing: str | None = None):  # fmt: skip
        super().__init__(parent)
        self.setObjectName("firstRunWizard")
        self.existing = existing  # a database with no practice yet: start at its page
        self.setWindowTitle("Set up PracticeBoard")
        self.setWindowIcon(theme.icon("app"))
        self.setWizardStyle(QWizard.WizardStyle.ModernStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnStartPage, True)
        # Once the practice exists there is nothing left to cancel: only Finish.
        self.setOption(QWizard.WizardOption.NoCancelButtonOnLastPage, True)
        self.runner = runner
        self.server: ServerSettings | None = None
        self.server_outcome: Outcome | None = None
        self.made: SetUp | None = None
        self.working = False
        self.connect_dialog: ConnectDialog | None = None
        self.choice_page = ChoicePage(self)
        self.practice_page = PracticePage(self)
        self.admin_page = AdminPage(self)
        self.done_page = DonePage(self)
        for pid, page in ((CHOICE, self.choice_page), (PRACTICE, self.practice_page),
                          (ADMIN, self.admin_page), (DONE, self.done_page)):  # fmt: skip
            self.setPage(pid, page)
        self.setStartId(PRACTICE if existing else CHOICE)
        self.resize(720, 640)

    def joins_practice(self) -> bool:
        return self.server_outcome is not None and self.server_outcome.verdict is Verdict.READY

    def work(self, fn, page: QWizardPage, text: str) -> None:
        """Run the slow part of a page in a worker; Next again when it is done."""
        self.working = True
        page.error.setStyleSheet("")
        page.error.setText(text)
        page.busy.show()
        self.button(QWizard.WizardButton.CancelButton).setEnabled(False)
        self.button(QWizard.WizardButton.BackButton).setEnabled(False)
        page.completeChanged.emit()

        def finished() -> None:
            self.working = False
            page.busy.hide()
            self.button(QWizard.WizardButton.CancelButton).setEnabled(True)
            page.completeChanged.emit()

        def done(made: SetUp) -> None:
            finished()
            page.error.clear()
            self.made = made
            self.next()

        def failed(exc: Exception) -> None:
            finished()
            self.button(QWizard.WizardButton.BackButton).setEnabled(True)
            page.error.setStyleSheet(f"color: {theme.ERROR};")
            page.error.setText(sentence(exc, NOT_MADE))

        self.runner.submit(fn, done, failed)

    def done(self, result: int) -> None:  # noqa: D401 — QDialog's
        if result == QDialog.DialogCode.Rejected and self.working:
            return  # nothing can be stopped half-way; Cancel is off meanwhile
        super().done(result)
        if result == QDialog.DialogCode.Accepted and self.made is not None:
            self.completed.emit(self.made)
