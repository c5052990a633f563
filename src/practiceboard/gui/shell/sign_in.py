"""The sign-in dialog (designed in ``ui/sign_in.ui``) and what a sign-in loads.

The check runs in a worker through the Runner: argon2 takes a moment and, on
PostgreSQL, the server may be across the LAN. The services decide everything —
wrong password, lockout, disabled account — and this dialog shows their sentence
inline, keeping the user name so only the password is typed again.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QDialog, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from practiceboard.gui.kit import theme
from practiceboard.gui.kit.errors import sentence
from practiceboard.gui.kit.uiload import child, load_ui

if TYPE_CHECKING:  # the dialog shows before the ORM loads; the checks import it in the worker
    from practiceboard.core.actor import Actor
    from practiceboard.db.engine import Database
    from practiceboard.domain.policy import Policy
    from practiceboard.gui.kit.runner import Runner


UNREACHABLE = "The database could not be reached, so nobody can sign in right now ({detail})."


@dataclass(frozen=True)
class SignedIn:
    """Everything the main window needs about who signed in, loaded in one worker call."""

    actor: Actor
    policy: Policy
    role_names: tuple[str, ...]
    start_view: str  # attention | board | approvals | queue
    idle_minutes: int  # 0: never lock
    role_workflow_id: int | None = None  # a workflow named after one of the roles (billing)
    must_change_password: bool = False  # signed in with an admin's one-time password
    refresh_seconds: int = 60  # re-read the view this often (setting refresh_seconds)


def load_signed_in(db: Database, actor: Actor) -> SignedIn:
    """The policy snapshot, role names, start view and idle setting of a signed-in actor."""
    from practiceboard.queries import lookups
    from practiceboard.services import users

    policy = lookups.policy_for(db, actor)
    own = next((wf.id for wf in lookups.workflows(db, actor) if wf.key in policy.roles), None)
    return SignedIn(
        actor,
        policy,
        tuple(lookups.role_names(db, actor)),
        lookups.start_view(db, actor),
        lookups.idle_lock_minutes(db),
        own,
        users.must_change_password(db, actor.user_id),
        lookups.refresh_seconds(db),
    )


def sign_in(db: Database, username: str, password: str) -> SignedIn:
    """Check the password (services.users.sign_in: lockout and audit inside), then load."""
    from practiceboard.services import users

    return load_signed_in(db, users.sign_in(db, username, password, db.workstation))


def error_text(exc: Exception) -> str:
    """The sentence to show for a failed sign-in or unlock."""
    return sentence(exc, UNREACHABLE)


class SignInDialog(QDialog):
    """User name, password, Sign in. ``signed_in`` carries a SignedIn on success.

    Enter submits (Sign in is the default button); Esc cancels.
    """

    signed_in = Signal(object)  # SignedIn

    def __init__(
        self,
        db: Database,
        runner: Runner,
        *,
        username: str = "",
        notice: str = "",
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        self.setObjectName("SignInDialog")
        self.setWindowTitle("Sign in — PracticeBoard")
        self.setWindowIcon(theme.icon("app"))
        self.db, self.runner = db, runner
        self.result_session: SignedIn | None = None
        self.change_dialog: QDialog | None = None  # a one-time password being replaced
        self._pending = self._cancelled = False

        self.form = load_ui("sign_in", self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.form)
        self.user_name: QLineEdit = child(self.form, QLineEdit, "userName")
        self.password: QLineEdit = child(self.form, QLineEdit, "password")
        self.error_label: QLabel = child(self.form, QLabel, "errorLabel")
        self.database_label: QLabel = child(self.form, QLabel, "databaseLabel")
        self.sign_in_button: QPushButton = child(self.form, QPushButton, "signInButton")
        self.cancel_button: QPushButton = child(self.form, QPushButton, "cancelButton")

        self.database_label.setText(db.describe())
        self.user_name.setText(username)
        self.sign_in_button.clicked.connect(self.submit)
        self.cancel_button.clicked.connect(self.reject)
        self.user_name.textEdited.connect(self._clear_error)
        self.password.textEdited.connect(self._clear_error)
        self.show_error(notice)
        self.setMinimumWidth(400)
        (self.password if username else self.user_name).setFocus(Qt.FocusReason.OtherFocusReason)

    # ---------------------------------------------------------------- the check

    def submit(self) -> None:
        if self._pending:
            return
        name = self.user_name.text().strip()
        if not name:
            self._mark(self.user_name, "Enter your user name.")
            return
        if not self.password.text():
            self._mark(self.password, "Enter your password.")
            return
        self._set_pending(True)
        self.runner.submit(
            partial(sign_in, self.db, name, self.password.text()), self._succeeded, self._failed
        )

    def _succeeded(self, session: SignedIn) -> None:
        self._set_pending(False)
        if self._cancelled:
            return  # cancelled while the check ran: stay signed out
        if session.must_change_password:
            self._change_password(session)
            return
        self.result_session = session
        self.password.clear()  # the password never outlives the check
        self.signed_in.emit(session)
        self.accept()

    def _change_password(self, session: SignedIn) -> None:
        """A one-time password: the person chooses their own before the board opens."""
        from dataclasses import replace

        from practiceboard.gui.dialogs.change_password import ChangePasswordDialog

        self.change_dialog = ChangePasswordDialog(
            self.db, session.actor, self.runner, current=self.password.text(), parent=self
        )
        self.password.clear()

        def changed() -> None:
            self._succeeded(replace(session, must_change_password=False))

        self.change_dialog.accepted.connect(changed)
        self.change_dialog.rejected.connect(
            lambda: self.show_error("Choose your own password to go on; sign in again.")
        )
        self.change_dialog.open()

    def _failed(self, exc: Exception) -> None:
        self._set_pending(False)
        self.password.clear()
        self._mark(self.password, error_text(exc))

    # ---------------------------------------------------------------- showing state

    def show_error(self, text: str) -> None:
        self.error_label.setText(text)
        self.error_label.setVisible(bool(text))
        self.error_label.setWordWrap(True)
        # Grow to fit the message (a lockout sentence runs to three lines), never
        # squeezing the password box or clipping the sentence.
        self.layout().activate()
        wanted = self.heightForWidth(self.width()) if self.hasHeightForWidth() else -1
        height = max(self.height(), self.sizeHint().height(), wanted)
        if height > self.height():
            self.resize(self.width(), height)

    def _mark(self, field: QLineEdit, text: str) -> None:
        self.show_error(text)
        field.setProperty("invalid", True)
        _restyle(field)
        field.setFocus(Qt.FocusReason.OtherFocusReason)

    def _clear_error(self) -> None:
        for field in (self.user_name, self.password):
            if field.property("invalid"):
                field.setProperty("invalid", False)
                _restyle(field)

    def _set_pending(self, pending: bool) -> None:
        self._pending = pending
        for widget in (self.user_name, self.password, self.sign_in_button):
            widget.setEnabled(not pending)
        self.sign_in_button.setText("Signing in…" if pending else "&Sign in")

    def reject(self) -> None:
        self._cancelled = True
        self.password.clear()
        super().reject()


def _restyle(widget: QWidget) -> None:
    """Re-apply the style sheet after a dynamic property changed."""
    widget.style().unpolish(widget)
    widget.style().polish(widget)
