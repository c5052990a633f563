"""GUI fixtures: a signed-in AppContext on a fresh SQLite database, message boxes that
answer themselves, window settings in the test's own folder, and a runner whose
background work is finished before the widgets go away.

    def test_something(qtbot, ctx, wait_idle):
        view = QueueView(ctx); qtbot.addWidget(view); view.show()
        wait_idle()                                  # every worker job done, callbacks run
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtTest import QTest

from practiceboard.core.actor import Actor
from practiceboard.db.engine import Database
from practiceboard.gui.kit.context import AppContext
from practiceboard.gui.kit.messages import Messages
from practiceboard.gui.kit.runner import Runner
from practiceboard.gui.shell.sign_in import SignedIn, load_signed_in
from practiceboard.queries import lookups
from support import Staff, make_staff


@pytest.fixture(autouse=True)
def qt_settings(tmp_path) -> Iterator[QSettings]:
    """QSettings() writes an INI file under the test's folder, never the real profile."""
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path / "qs"))
    settings = QSettings(str(tmp_path / "qs" / "window.ini"), QSettings.Format.IniFormat)
    yield settings
    settings.sync()


@pytest.fixture(autouse=True)
def messages() -> Iterator[type[Messages]]:
    """Every message box answers Yes at once; tests read ``messages.log``."""
    Messages.auto_answer = True
    Messages.log = []
    yield Messages
    Messages.auto_answer = None
    Messages.log = []


@pytest.fixture
def runner(qtbot) -> Iterator[Runner]:
    """The test's Runner; its work is drained before pytest-qt closes the widgets."""
    r = Runner()
    yield r
    r.wait(20_000)


def drain(runner: Runner, timeout_s: float = 20.0) -> None:
    """Run the GUI loop until no job is in flight (callbacks may start further jobs)."""
    deadline = time.monotonic() + timeout_s
    while runner.busy and time.monotonic() < deadline:
        QTest.qWait(5)


@pytest.hookimpl(hookwrapper=True, tryfirst=True)
def pytest_runtest_teardown(item):
    """pytest-qt closes and deletes the test's widgets before fixtures are torn down;
    finish the background work first so no answer arrives at a deleted widget."""
    runner = getattr(item, "funcargs", {}).get("runner")
    if isinstance(runner, Runner):
        drain(runner)
    yield


@pytest.fixture
def wait_idle(qtbot, runner) -> Callable[[], None]:
    def wait(timeout: int = 10_000) -> None:
        qtbot.waitUntil(lambda: not runner.busy, timeout=timeout)

    return wait


@pytest.fixture
def gui_staff(sqlite_db) -> Staff:
    """One signed-in user per default role on the test's SQLite database."""
    return make_staff(sqlite_db)


@pytest.fixture
def ctx_for(sqlite_db: Database, runner: Runner) -> Callable[[Actor], AppContext]:
    def make(actor: Actor, db: Database | None = None) -> AppContext:
        database = db or sqlite_db
        return AppContext(database, actor, lookups.policy_for(database, actor), runner)

    return make


@pytest.fixture
def ctx(ctx_for, gui_staff) -> AppContext:
    """The front-desk user, signed in on SQLite."""
    return ctx_for(gui_staff.front_desk)


@pytest.fixture
def signed_in(sqlite_db) -> Callable[[Actor], SignedIn]:
    """What a sign-in loads for an actor (policy, roles, start view, idle minutes)."""
    return lambda actor: load_signed_in(sqlite_db, actor)
