"""Start the desktop app: open the database, upgrade it, sign in, show the main window.

``main(args)`` is what ``practiceboard`` (with no command) runs. Opening the
database happens in a worker — on PostgreSQL the server may be slow or away —
with a small "Opening…" window meanwhile. What can go wrong at start-up is said
in one sentence each: a database made by a newer PracticeBoard is refused (and
left untouched); a server that cannot be reached offers Retry or Quit.

After sign-in the Shell keeps going round: signing out shows the sign-in dialog
again, someone else signing in at the lock screen gets a fresh window, and
closing the main window quits.
"""

from __future__ import annotations

import argparse
import logging
import socket
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QApplication,
    QInputDialog,
    QLabel,
    QLineEdit,
    QProgressBar,
    QVBoxLayout,
    QWidget,
)

from practiceboard import __version__
from practiceboard.core import opened
from practiceboard.domain.errors import PracticeBoardError, first_line
from practiceboard.gui.kit import theme
from practiceboard.gui.kit.messages import Messages
from practiceboard.gui.kit.runner import Runner
from practiceboard.gui.shell.sign_in import SignedIn, SignInDialog

if TYPE_CHECKING:
    from practiceboard.core import connection
    from practiceboard.db.engine import Database

# Start-up imports only Qt and what the opening window and the sign-in dialog need.
# SQLAlchemy, alembic, the ORM models and the services load in the worker that opens
# the database; the main window, the board and the queries behind them are imported
# in the background once the sign-in dialog is up (warm_up), while the person types.
WARM_UP = (
    "practiceboard.gui.shell.main_window",
    "practiceboard.gui.views.board",
    "practiceboard.gui.views.lists",
    "practiceboard.gui.dialogs",
    "practiceboard.queries.tasks",
)

log = logging.getLogger(__name__)
APP_NAME = ORG_NAME = "PracticeBoard"


class NeedPassword(PracticeBoardError):
    """The server wants a password the keyring does not hold; ask on the GUI thread."""


@dataclass(frozen=True)
class Opened:
    db: Database
    backup: str | None  # the backup made before an upgrade, if any
    warning: str | None = None  # e.g. a SQLite file on a share that another PC uses


def open_practice(cli_url: str | None, password: str | None = None) -> Opened:
    """Resolve, connect, upgrade (backup first) and check there is someone to sign in.

    Runs in a worker; raises SchemaError, NeedPassword, PracticeBoardError or a
    driver error (the server cannot be reached)."""
    from sqlalchemy.exc import DBAPIError

    from practiceboard.core import connection
    from practiceboard.db import migrate
    from practiceboard.db.engine import Database, sqlite_path
    from practiceboard.db.share import several_pcs_warning
    from practiceboard.services import users

    target = connection.resolve(cli_url)
    url, keyring_note = _with_password(target, password)
    path = sqlite_path(url)
    if path is not None and not path.exists():
        raise PracticeBoardError(
            f"There is no PracticeBoard database at {path}. Run “practiceboard init” to set "
            "one up, or “practiceboard demo” to try the demo practice."
        )
    db = Database(url, workstation=socket.gethostname())
    try:
        made = migrate.upgrade(db)
        if not users.list_users(db):
            raise PracticeBoardError(
                "This database has no accounts yet. Run “practiceboard init” on this PC to "
                "create the first admin account."
            )
    except DBAPIError as exc:
        db.dispose()
        if target.is_postgres and "password" in str(exc.orig or exc).lower():
            key = connection.secret_key(target.url)
            ask = (
                f"The password for {key} was not accepted. Type it again:"
                if password else f"Password for the database {key}:"
            )  # fmt: skip
            raise NeedPassword(f"{keyring_note}\n\n{ask}" if keyring_note else ask) from None
        raise
    except BaseException:
        db.dispose()
        raise
    warning = several_pcs_warning(path, db.workstation) if path is not None else None
    return Opened(db, str(made) if made else None, warning)


def _with_password(target: connection.Target, password: str | None) -> tuple[str, str]:
    """(a PostgreSQL URL with the password typed, or the one in the OS keyring; why the
    keyring could not help, or "")."""
    from sqlalchemy.engine import make_url

    from practiceboard.core import connection

    if not target.is_postgres:
        return target.url, ""
    u = make_url(target.url)
    note = ""
    if password:
        u = u.set(password=password)
    elif not u.password:
        try:
            stored = connection.SecretStore().get(connection.secret_key(target.url))
        except connection.KeyringUnavailable as exc:
            stored, note = None, str(exc)  # the password dialog says why it asks
        if stored:
            u = u.set(password=stored)
    return u.render_as_string(hide_password=False), note


def offline_text(exc: BaseException, cli_url: str | None) -> str:
    """The sentence for a database that cannot be reached."""
    from sqlalchemy.engine import make_url

    from practiceboard.core import connection

    try:
        target = connection.resolve(cli_url)
        u = make_url(target.url)
        where = (
            f"the database server {u.host or 'localhost'}:{u.port or 5432}"
            if target.is_postgres
            else f"the database file {u.database}"
        )
    except PracticeBoardError:
        where = "the database"
    detail = first_line(exc)
    return (
        f"PracticeBoard cannot reach {where} ({detail}).\n\n"
        "If the database is on another PC, check that it is switched on and connected to "
        "the network, then try again."
    )


class OpeningWindow(QWidget):
    """A small 'Opening the database…' window while the worker connects and upgrades."""

    def __init__(self, where: str):
        super().__init__(None, Qt.WindowType.SplashScreen | Qt.WindowType.FramelessWindowHint)
        self.setObjectName("openingWindow")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setStyleSheet(f"QWidget#openingWindow {{ background: {theme.SURFACE}; "
                           f"border: 1px solid {theme.BORDER}; }}")  # fmt: skip
        title = QLabel("PracticeBoard", self)
        title.setProperty("kind", "title")
        text = QLabel(f"Opening {where}…", self)
        text.setTextFormat(Qt.TextFormat.PlainText)
        text.setProperty("kind", "muted")
        bar = QProgressBar(self, objectName="busyIndicator")
        bar.setRange(0, 0)
        bar.setTextVisible(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(28, 22, 28, 22)
        layout.addWidget(title)
        layout.addWidget(text)
        layout.addWidget(bar)
        self.setFixedWidth(380)


class Shell:
    """The app's life: open the database, sign in, the main window, sign out, repeat."""

    def __init__(
        self,
        app: QApplication,
        cli_url: str | None,
        *,
        settings_factory: Callable[[], QSettings] = QSettings,
        on_exit: Callable[[int], None] | None = None,
    ):
        self.app, self.cli_url = app, cli_url
        self.settings_factory = settings_factory
        self.on_exit = on_exit or app.exit  # tests end the shell, not their event loops
        self.runner = Runner()
        self.db: Database | None = None
        self.dialog: SignInDialog | None = None
        self.window = None
        self.opening: OpeningWindow | None = None
        self.exit_code: int | None = None

    # ---------------------------------------------------------------- the database

    def start(self, password: str | None = None) -> None:
        from practiceboard.core import connection

        try:
            where = connection.resolve(self.cli_url).describe()
        except PracticeBoardError as exc:
            self._fatal("PracticeBoard cannot start", exc.message)
            return
        if self.opening is None:
            self.opening = OpeningWindow(where)
            self.opening.show()
        self.runner.submit(
            partial(open_practice, self.cli_url, password), self._opened, self._open_failed
        )

    def _opened(self, opened: Opened) -> None:
        self._close_opening()
        self.db = opened.db
        notes = [opened.warning or ""]
        if opened.backup:
            notes.append(f"The database was upgraded; a backup is at {opened.backup}.")
        self.sign_in(notice="\n\n".join(n for n in notes if n))

    def _open_failed(self, exc: Exception) -> None:
        from sqlalchemy.exc import DBAPIError  # loaded by the worker that failed

        from practiceboard.db import migrate

        if isinstance(exc, NeedPassword):
            password, ok = QInputDialog.getText(
                self.opening, "Database password", exc.message, QLineEdit.EchoMode.Password
            )
            if ok and password:
                self.start(password)
                return
            self._fatal("No password", "No password given; the database was not opened.")
            return
        if isinstance(exc, migrate.SchemaError):
            self._fatal("Newer database", exc.message)
            return
        if isinstance(exc, PracticeBoardError):
            self._fatal("PracticeBoard cannot start", exc.message)
            return
        if isinstance(exc, DBAPIError | OSError) or type(exc).__module__.startswith("psycopg"):
            if Messages.retry(self.opening, "Database offline", offline_text(exc, self.cli_url)):
                self.start()
                return
            self._finish(1)
            return
        log.error("start-up failed: %r", exc)
        self._fatal("PracticeBoard cannot start", f"The database could not be opened: {exc}")

    def _fatal(self, title: str, text: str) -> None:
        Messages.error(self.opening, title, text)
        self._finish(1)

    def _close_opening(self) -> None:
        if self.opening is not None:
            self.opening.close()
            self.opening.deleteLater()
            self.opening = None

    # ---------------------------------------------------------------- signing in

    def sign_in(self, username: str = "", notice: str = "") -> SignInDialog:
        self.dialog = SignInDialog(self.db, self.runner, username=username, notice=notice)
        self.dialog.signed_in.connect(self.open_window)
        self.dialog.rejected.connect(lambda: self._finish(0) if self.window is None else None)
        self.dialog.show()
        if QGuiApplication.platformName() != "offscreen":  # headless runs cannot raise
            self.dialog.raise_()
        self.dialog.activateWindow()
        warm_up()
        return self.dialog

    def open_window(self, session: SignedIn):
        from practiceboard.gui.kit.context import AppContext
        from practiceboard.gui.shell.main_window import MainWindow

        if self.dialog is not None:
            self.dialog.deleteLater()
            self.dialog = None
        ctx = AppContext(self.db, session.actor, session.policy, self.runner)
        self.window = MainWindow(ctx, session, settings=self.settings_factory())
        self.window.ended.connect(self._ended)
        self.window.show()
        return self.window

    def _ended(self, reason: str, payload: object) -> None:
        window, self.window = self.window, None
        username = window.ctx.actor.username if window is not None else ""
        if window is not None:
            window.deleteLater()
        if reason == "switch":
            self.open_window(payload)
        elif reason == "sign_out":
            self.sign_in(username)
        elif reason == "gave_up":
            self.sign_in(username, "Too many wrong passwords at the lock screen. Sign in again.")
        else:
            self._finish(0)

    def bring_forward(self) -> None:
        """Another start of the app on this PC asked for this one's window."""
        if self.window is not None:
            self.window.alerts.show_window()  # from the tray, minimized or behind others
            return
        front = self.dialog or self.opening
        if front is not None:
            front.showNormal()
            if QGuiApplication.platformName() != "offscreen":
                front.raise_()
            front.activateWindow()

    # ---------------------------------------------------------------- the end

    def _finish(self, code: int) -> None:
        self._close_opening()
        self.exit_code = code
        self.runner.wait(5000)  # let a write in flight finish before the engines close
        if self.db is not None:
            self.db.dispose()
            self.db = None
        self.on_exit(code)


_warmed = threading.Event()


def warm_up() -> None:
    """Import the main window and the board's modules in a background thread, once, while
    the sign-in dialog waits for a password, so signing in does not wait on imports."""
    if _warmed.is_set():
        return
    _warmed.set()

    def work() -> None:
        import importlib

        for name in WARM_UP:
            try:
                importlib.import_module(name)
            except Exception:  # the GUI thread imports it again and reports properly
                log.debug("warming up %s failed", name, exc_info=True)

    threading.Thread(target=work, name="warm-up", daemon=True).start()


def make_app() -> QApplication:
    """The QApplication with the app's names, high-DPI behaviour and style."""
    app = QApplication.instance()
    if app is None:
        # Fractional scaling (125 %, 150 %) as the display asks, not rounded to 100/200 %.
        QGuiApplication.setHighDpiScaleFactorRoundingPolicy(
            Qt.HighDpiScaleFactorRoundingPolicy.PassThrough
        )
        app = QApplication(sys.argv[:1])
    app.setApplicationName(APP_NAME)
    app.setOrganizationName(ORG_NAME)
    app.setApplicationVersion(__version__)
    app.setApplicationDisplayName(APP_NAME)
    app.setQuitOnLastWindowClosed(False)  # between sign-out and sign-in no window is open
    theme.apply_style(app)
    return app


def main(args: argparse.Namespace | None = None) -> int:
    """Run the desktop app until the main window closes; the process exit code."""
    from practiceboard.gui.shell.single import SingleInstance

    app = make_app()
    instance = SingleInstance()
    if not instance.claim():
        print("PracticeBoard is already open on this PC; its window was brought forward.")
        return 0
    looping = False
    opened.clear()  # documents opened before a crash or a power cut

    def end(code: int) -> None:
        # An exit asked for before the event loop runs would linger and end the next
        # loop anyone starts (a test's wait, a dialog); then main() just returns.
        if looping:
            app.exit(code)

    try:
        shell = Shell(app, getattr(args, "db", None), on_exit=end)
        instance.activated.connect(shell.bring_forward)
        shell.start()
        if shell.exit_code is not None:  # it gave up before the event loop ran (a bad --db)
            return shell.exit_code
        looping = True
        code = app.exec()
        return shell.exit_code if shell.exit_code is not None else code
    finally:
        opened.clear()  # no copy of an opened document outlives the app
        instance.release()


def startup_failed(text: str) -> None:
    """Say why the app did not start, in a window: the windowed launcher
    (``practiceboard-app``) has no console to print to."""
    from practiceboard.gui.kit.messages import Messages

    make_app()
    Messages.error(None, "PracticeBoard did not start", text)
