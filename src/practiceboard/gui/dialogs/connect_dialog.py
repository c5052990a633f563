"""Connect to the clinic's server: host, port, database, user, password, encryption and
an optional CA file (designed in ui/connect_dialog.ui), with "Test connection".

The test runs in a worker (``core.server_check.check_server``: the network may be slow)
and its verdict is shown in one sentence. "Use this server" is offered only once a test
of exactly what is typed found a usable database (a PracticeBoard practice, or an empty
database for a new one). The dialog saves nothing itself: whoever opened it saves the
connection (``server_check.remember``) when the rest of its work is done, so a
cancelled set-up leaves no connection behind. Whether this PC can keep the password in
its keyring is said up front; where it cannot, the app asks for it at each start.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from practiceboard.core import connection
from practiceboard.core.server_check import TLS_MODES, Outcome, ServerSettings, check_server
from practiceboard.domain.errors import ValidationError
from practiceboard.gui.kit import theme
from practiceboard.gui.kit.errors import sentence
from practiceboard.gui.kit.runner import Runner
from practiceboard.gui.kit.uiload import child, load_ui

TESTING = "Testing the connection…"
FAILED = "The connection could not be tested ({detail})."


class ConnectDialog(QDialog):
    def __init__(self, runner: Runner, parent: QWidget | None = None,
                 initial: ServerSettings | None = None,
                 store: connection.SecretStore | None = None):  # fmt: skip
        super().__init__(parent)
        self.setObjectName("connectDialog")
        self.setWindowTitle("Connect to the clinic's server")
        self.runner = runner
        self.outcome: Outcome | None = None
        self._tested: ServerSettings | None = None  # what the outcome is about
        self.form = load_ui("connect_dialog", self)
        self.host = child(self.form, QLineEdit, "hostEdit")
        self.port = child(self.form, QSpinBox, "portSpin")
        self.database = child(self.form, QLineEdit, "databaseEdit")
        self.user = child(self.form, QLineEdit, "userEdit")
        self.password = child(self.form, QLineEdit, "passwordEdit")
        self.tls = child(self.form, QComboBox, "tlsBox")
        self.ca = child(self.form, QLineEdit, "caEdit")
        self.keyring_note = child(self.form, QLabel, "keyringLabel")
        self.result = child(self.form, QLabel, "resultLabel")
        self.test_button = child(self.form, QPushButton, "testButton")
        for mode, text in TLS_MODES.items():
            self.tls.addItem(text, mode)
        child(self.form, QPushButton, "caButton").clicked.connect(self.choose_ca)
        self.test_button.clicked.connect(self.test)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        self.use_button = self.buttons.addButton(
            "&Use this server", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.use_button.setObjectName("useButton")
        self.use_button.setEnabled(False)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.form)
        layout.addWidget(self.buttons)
        for edit in (self.host, self.database, self.user, self.password, self.ca):
            edit.textChanged.connect(self._edited)
        self.port.valueChanged.connect(self._edited)
        self.tls.currentIndexChanged.connect(self._edited)
        ok, note = (store or connection.SecretStore()).available()
        self.keyring_ok = ok
        self.keyring_note.setText(
            "The password will be kept in this PC's system keyring." if ok
            else note + " You will be asked for the password each time PracticeBoard starts."
        )  # fmt: skip
        if not ok:
            self.keyring_note.setStyleSheet(f"color: {theme.ERROR};")
        self.set_settings(initial or ServerSettings(host=""))
        self.resize(560, self.sizeHint().height())

    # ---------------------------------------------------------------- the fields

    def set_settings(self, s: ServerSettings) -> None:
        self.host.setText(s.host)
        self.port.setValue(int(s.port))
        self.database.setText(s.database)
        self.user.setText(s.user)
        self.password.setText(s.password)
        self.tls.setCurrentIndex(max(self.tls.findData(s.tls), 0))
        self.ca.setText(s.ca_file)

    def settings(self) -> ServerSettings:
        return ServerSettings(
            host=self.host.text(), port=self.port.value(), database=self.database.text(),
            user=self.user.text(), password=self.password.text(),
            tls=self.tls.currentData(), ca_file=self.ca.text(),
        )  # fmt: skip

    def choose_ca(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "The server's CA certificate", self.ca.text(),
            "Certificates (*.crt *.pem *.cer);;All files (*)",
        )  # fmt: skip
        if path:
            self.ca.setText(path)

    def _edited(self, *_args) -> None:
        """What the last test said no longer holds once a field changes."""
        if self._tested is not None and self._tested != self._checked_or_none():
            self.use_button.setEnabled(False)
            self.result.setText("Test the connection again with these details.")
            self.result.setStyleSheet("")

    def _checked_or_none(self) -> ServerSettings | None:
        try:
            return self.settings().checked()
        except ValidationError:
            return None

    # ---------------------------------------------------------------- testing

    def test(self) -> None:
        try:
            wanted = self.settings().checked()
        except ValidationError as exc:
            self._say(exc.message, good=False)
            control = self._control(exc.field)
            if control is not None:
                control.setFocus()
            return
        self.test_button.setEnabled(False)
        self.use_button.setEnabled(False)
        self._say(TESTING, good=True)
        self.runner.submit(
            lambda: check_server(wanted),
            lambda outcome: self._tested_done(wanted, outcome),
            lambda exc: self._tested_failed(exc),
        )

    def _tested_done(self, wanted: ServerSettings, outcome: Outcome) -> None:
        self.test_button.setEnabled(True)
        self.outcome, self._tested = outcome, wanted
        self._say(outcome.message, good=outcome.usable)
        self.use_button.setEnabled(outcome.usable and self._checked_or_none() == wanted)
        if outcome.usable:
            self.use_button.setDefault(True)

    def _tested_failed(self, exc: Exception) -> None:
        self.test_button.setEnabled(True)
        self._say(sentence(exc, FAILED), good=False)

    def tested_settings(self) -> ServerSettings | None:
        """The settings a usable test was made with (what "Use this server" accepts)."""
        return self._tested if self.outcome is not None and self.outcome.usable else None

    def _say(self, text: str, *, good: bool) -> None:
        self.result.setText(("✓ " if good and text != TESTING else "") + text)
        self.result.setStyleSheet("" if good else f"color: {theme.ERROR};")

    def _control(self, field: str | None) -> QWidget | None:
        controls = {"host": self.host, "port": self.port, "database": self.database,
                    "user": self.user, "tls": self.tls, "ca_file": self.ca}  # fmt: skip
        return controls.get(field or "")
