"""Users: add staff, change names and roles, disable or enable, reset a forgotten password
(a one-time password shown once; its owner chooses their own at the next sign-in), unlock
an account locked by wrong passwords, and grant or end emergency ("break-glass") access to
patient data."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from practiceboard.core.rows import AccountRow, RoleRow
from practiceboard.gui.kit.change import Change, Kind
from practiceboard.gui.kit.context import AppContext
from practiceboard.gui.kit.error_line import ErrorLine
from practiceboard.gui.kit.ops import Op
from practiceboard.gui.views.admin.common import Notice, fill, rows_table, selected_id
from practiceboard.queries import admin as q
from practiceboard.services import break_glass, users


def state_of(row: AccountRow) -> str:
    if not row.active:
        return "Disabled"
    if row.locked:
        return "Locked (wrong passwords)"
    if row.emergency_until is not None:
        return f"Emergency access until {row.emergency_until.astimezone():%H:%M}"
    if row.must_change:
        return "New password due at sign-in"
    return "Active"


class UsersPanel(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.rows: list[AccountRow] = []
        self.roles: list[RoleRow] = []
        self.dialog: QDialog | None = None  # the account or password dialog now open
        self.table = rows_table(
            ("Name", "User name", "Roles", "State", "Last sign-in"), (24, 14, None, 24, 16), self
        )
        self.add_button = QPushButton("&Add person…", self)
        self.edit_button = QPushButton("&Edit name and roles…", self)
        self.active_button = QPushButton("&Disable", self)
        self.reset_button = QPushButton("&Reset password…", self)
        self.unlock_button = QPushButton("Un&lock", self)
        self.emergency_button = QPushButton(self)
        self.notice = Notice(self)
        buttons = QHBoxLayout()
        for b in (self.add_button, self.edit_button, self.active_button, self.reset_button,
                  self.unlock_button, self.emergency_button):  # fmt: skip
            buttons.addWidget(b)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(buttons)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.notice)
        self.add_button.clicked.connect(self.add)
        self.edit_button.clicked.connect(self.edit)
        self.active_button.clicked.connect(self.toggle_active)
        self.reset_button.clicked.connect(self.reset_password)
        self.unlock_button.clicked.connect(self.unlock)
        self.emergency_button.clicked.connect(self.emergency)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.table.doubleClicked.connect(lambda _: self.edit())
        self._update_buttons()

    # ---------------------------------------------------------------- reading

    def refresh(self) -> None:
        Op(self.ctx, lambda db, actor: (q.accounts(db, actor), q.roles(db, actor))).success(
            self._show
        ).failure(lambda _e, text: self.notice.failed(text)).run()

    def _show(self, loaded) -> None:
        self.rows, self.roles = loaded
        fill(self.table, [
            (r.display_name, r.username, ", ".join(r.role_names), state_of(r),
             f"{r.last_login_at.astimezone():%Y-%m-%d %H:%M}" if r.last_login_at else "never")
            for r in self.rows
        ], [r.id for r in self.rows])  # fmt: skip
        self._update_buttons()

    def current(self) -> AccountRow | None:
        ident = selected_id(self.table)
        return next((r for r in self.rows if r.id == ident), None)

    def _update_buttons(self) -> None:
        row = self.current()
        for b in (self.edit_button, self.active_button, self.reset_button):
            b.setEnabled(row is not None)
        self.unlock_button.setEnabled(row is not None and row.locked)
        self.active_button.setText("&Enable" if row is not None and not row.active else "&Disable")
        running = row is not None and row.emergency_until is not None
        self.emergency_button.setText("End e&mergency access" if running else "E&mergency access…")
        self.emergency_button.setEnabled(row is not None and (row.active or running))
        self.emergency_button.setToolTip(
            "Let this person see patient data for a short time, with a reason: for an "
            "emergency only. The grant, its reason and everything they open are audited."
        )

    # ---------------------------------------------------------------- changing

    def _done(self, text: str):
        def done(_result=None) -> None:
            self.notice.done(text)
            self.refresh()

        return done

    def add(self) -> None:
        self.dialog = AccountDialog(self.roles, None, self)
        self.dialog.saved.connect(self._add)
        self.dialog.open()

    def _add(self, name: str, username: str, role_keys: list[str]) -> None:
        dialog = self.dialog

        def added(result) -> None:
            dialog.accept()
            self.notice.done(f"{name} was added.")
            self.refresh()
            self._show_password(name, result[1])

        Op(self.ctx, users.add_account, username, name, role_keys).changes(
            Change.of(Kind.USER)
        ).success(added).failure(lambda _e, text: dialog.show_error(text)).run()

    def edit(self) -> None:
        row = self.current()
        if row is None:
            return
        self.dialog = AccountDialog(self.roles, row, self)
        self.dialog.saved.connect(lambda name, _u, keys: self._edit(row, name, keys))
        self.dialog.open()

    def _edit(self, row: AccountRow, name: str, role_keys: list[str]) -> None:
        dialog = self.dialog

        def save(db, actor):
            if " ".join(name.split()) != row.display_name:
                users.rename(db, actor, row.id, name)
            if sorted(role_keys) != sorted(row.role_keys):
                users.set_roles(db, actor, row.id, role_keys)

        def saved(_r) -> None:
            dialog.accept()
            self._done(f"{name} was saved.")()

        Op(self.ctx, save).changes(Change.of(Kind.USER, row.id)).success(saved).failure(
            lambda _e, text: dialog.show_error(text)
        ).run()

    def toggle_active(self) -> None:
        row = self.current()
        if row is None:
            return
        if row.active and not self.ctx.messages.confirm(
            self, "Disable account",
            f"Disable {row.display_name}'s account? They are signed out at their next click "
            "and cannot sign in until it is enabled again. Their tasks stay theirs.",
        ):  # fmt: skip
            return
        word = "enabled" if not row.active else "disabled"
        Op(self.ctx, users.set_active, row.id, not row.active).changes(
            Change.of(Kind.USER, row.id)
        ).success(self._done(f"{row.display_name} was {word}.")).failure(
            lambda _e, text: self.notice.failed(text)
        ).run()

    def reset_password(self) -> None:
        row = self.current()
        if row is None or not self.ctx.messages.confirm(
            self, "Reset password",
            f"Give {row.display_name} a one-time password? Their current password stops "
            "working now, and they choose a new one when they next sign in.",
        ):  # fmt: skip
            return

        def reset(password: str) -> None:
            self._done(f"{row.display_name}'s password was reset.")()
            self._show_password(row.display_name, password)

        Op(self.ctx, users.reset_password, row.id).changes(Change.of(Kind.USER, row.id)).success(
            reset
        ).failure(lambda _e, text: self.notice.failed(text)).run()

    def unlock(self) -> None:
        row = self.current()
        if row is None:
            return
        Op(self.ctx, users.unlock, row.id).changes(Change.of(Kind.USER, row.id)).success(
            self._done(f"{row.display_name} may sign in again.")
        ).failure(lambda _e, text: self.notice.failed(text)).run()

    def emergency(self) -> None:
        row = self.current()
        if row is None:
            return
        if row.emergency_until is not None:
            if self.ctx.messages.confirm(
                self, "End emergency access",
                f"End {row.display_name}'s emergency access to patient data now?",
            ):  # fmt: skip
                Op(self.ctx, break_glass.end, row.id).changes(Change.of(Kind.USER, row.id)).success(
                    self._done(f"{row.display_name}'s emergency access has ended.")
                ).failure(lambda _e, text: self.notice.failed(text)).run()
            return
        self.dialog = EmergencyAccessDialog(row.display_name, self)
        self.dialog.granted.connect(lambda minutes, reason: self._grant(row, minutes, reason))
        self.dialog.open()

    def _grant(self, row: AccountRow, minutes: int, reason: str) -> None:
        dialog = self.dialog

        def granted(ends_at) -> None:
            dialog.accept()
            self._done(
                f"{row.display_name} may see patient data until {ends_at.astimezone():%H:%M}. "
                "The grant and its reason are in the audit log."
            )()

        Op(self.ctx, break_glass.grant, row.id, reason, minutes).changes(
            Change.of(Kind.USER, row.id)
        ).success(granted).failure(lambda _e, text: dialog.show_error(text)).run()

    def _show_password(self, name: str, password: str) -> None:
        self.dialog = OneTimePasswordDialog(name, password, self)
        self.dialog.open()


class AccountDialog(QDialog):
    """A person's name, user name (new accounts only) and roles."""

    saved = Signal(str, str, list)  # name, user name, role keys

    def __init__(self, roles: list[RoleRow], row: AccountRow | None, parent: QWidget):
        super().__init__(parent)
        self.setObjectName("AccountDialog")
        self.setWindowTitle("Add a person" if row is None else f"Edit {row.display_name}")
        self.name = QLineEdit(row.display_name if row else "", self)
        self.name.setMaxLength(120)
        self.username = QLineEdit(row.username if row else "", self)
        self.username.setMaxLength(64)
        self.username.setReadOnly(row is not None)  # people sign in with it: it stays
        self.role_boxes: dict[str, QCheckBox] = {}
        group = QGroupBox("Roles", self)
        roles_layout = QVBoxLayout(group)
        for role in roles:
            box = QCheckBox(role.name, group)
            box.setChecked(row is not None and role.key in row.role_keys)
            self.role_boxes[role.key] = box
            roles_layout.addWidget(box)
        self.error = ErrorLine(self)
        form = QFormLayout()
        form.addRow("&Name (as on cards)", self.name)
        form.addRow("&User name (to sign in)", self.username)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.accepted.connect(self.submit)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(group)
        if row is None:
            hint = QLabel("A one-time password is shown after saving; the person chooses their "
                          "own when they first sign in.", self)  # fmt: skip
            hint.setWordWrap(True)
            layout.addWidget(hint)
        layout.addWidget(self.error)
        layout.addWidget(buttons)

    def chosen_roles(self) -> list[str]:
        return [key for key, box in self.role_boxes.items() if box.isChecked()]

    def submit(self) -> None:
        if not self.name.text().strip():
            self.show_error("Give the person's name as it should appear on cards.")
            return
        if not self.username.text().strip():
            self.show_error("Give a user name to sign in with.")
            return
        if not self.chosen_roles():
            self.show_error("Give the account at least one role.")
            return
        self.saved.emit(self.name.text(), self.username.text(), self.chosen_roles())

    def show_error(self, text: str) -> None:
        self.error.say(text)


class OneTimePasswordDialog(QDialog):
    """The one-time password, shown this once (it is stored only as a hash)."""

    def __init__(self, name: str, password: str, parent: QWidget):
        super().__init__(parent)
        self.setObjectName("OneTimePasswordDialog")
        self.setWindowTitle("One-time password")
        text = QLabel(
            f"Give this one-time password to {name}. It is shown only now. When they sign in "
            "with it, they choose their own password.",
            self,
        )
        text.setWordWrap(True)
        text.setTextFormat(Qt.TextFormat.PlainText)
        self.password = QLineEdit(password, self)
        self.password.setReadOnly(True)
        font = self.password.font()
        font.setFamily("monospace")
        font.setPointSize(font.pointSize() + 3)
        self.password.setFont(font)
        copy = QPushButton("&Copy", self)
        copy.clicked.connect(lambda: QGuiApplication.clipboard().setText(password))
        done = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        done.rejected.connect(self.reject)
        row = QHBoxLayout()
        row.addWidget(self.password, 1)
        row.addWidget(copy)
        layout = QVBoxLayout(self)
        layout.addWidget(text)
        layout.addLayout(row)
        layout.addWidget(done)
        self.setMinimumWidth(420)

    def done(self, result: int) -> None:  # noqa: D401 - Qt's name
        self.password.clear()  # not kept in memory longer than shown
        super().done(result)


class EmergencyAccessDialog(QDialog):
    """How long, and why: emergency access to patient data for one person."""

    granted = Signal(int, str)  # minutes, reason

    def __init__(self, name: str, parent: QWidget):
        super().__init__(parent)
        self.setObjectName("EmergencyAccessDialog")
        self.setWindowTitle("Emergency access")
        text = QLabel(
            f"For an emergency only: {name} may see patient names, MRNs and dates of birth "
            "until the time runs out or you end it. The grant, your reason and everything "
            "they open are kept in the audit log.",
            self,
        )
        text.setWordWrap(True)
        text.setTextFormat(Qt.TextFormat.PlainText)
        self.minutes = QSpinBox(self)
        self.minutes.setRange(1, break_glass.BREAK_GLASS_MAX_MINUTES)
        self.minutes.setValue(60)
        self.minutes.setSuffix(" minutes")
        self.reason = QPlainTextEdit(self)
        self.reason.setPlaceholderText("Why it is needed")
        self.reason.setTabChangesFocus(True)
        self.reason.setFixedHeight(self.reason.fontMetrics().lineSpacing() * 4 + 12)
        self.error = ErrorLine(self)
        form = QFormLayout()
        form.addRow("&For", self.minutes)
        form.addRow("&Reason", self.reason)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        self.grant_button = buttons.addButton("&Grant", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.accepted.connect(self.submit)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(text)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.setMinimumWidth(440)

    def submit(self) -> None:
        self.granted.emit(self.minutes.value(), self.reason.toPlainText())

    def show_error(self, text: str) -> None:
        self.error.say(text)
