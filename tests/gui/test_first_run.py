"""The first-run wizard: opened when no database is configured; each path (only this
PC, the clinic's server — a new practice or one that exists —, the demo), Back keeps
what was typed, bad input stops a page with a sentence, Cancel leaves nothing behind."""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QWizard
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from practiceboard.core import connection
from practiceboard.core.server_check import ServerSettings
from practiceboard.db.engine import Database
from practiceboard.gui.shell import first_run_work
from practiceboard.gui.shell.app import Shell, make_app
from practiceboard.gui.shell.first_run import ADMIN, CHOICE, DONE, PRACTICE, FirstRunWizard
from practiceboard.services import users
from support import make_staff

ADMIN_PASSWORD = "a long enough password"


@pytest.fixture
def app_state(qapp):
    """make_app() names and styles the one QApplication; put it back after."""
    saved = (qapp.applicationName(), qapp.organizationName(), qapp.styleSheet(),
             qapp.quitOnLastWindowClosed(), qapp.font())  # fmt: skip
    yield qapp
    name, org, sheet, quit_last, font = saved
    qapp.setApplicationName(name)
    qapp.setOrganizationName(org)
    qapp.setStyleSheet(sheet)
    qapp.setQuitOnLastWindowClosed(quit_last)
    qapp.setFont(font)


@pytest.fixture
def wizard(qtbot, runner) -> FirstRunWizard:
    w = FirstRunWizard(runner)
    qtbot.addWidget(w)
    w.show()
    return w


def local_file() -> Path:
    return Path(make_url(connection.default_url()).database)


def leftovers(path: Path) -> list[Path]:
    return sorted(path.parent.glob(path.name + "*"))


def fill_practice(w: FirstRunWizard, name: str = "Valley Family Care") -> None:
    page = w.practice_page
    page.name.setText(name)
    page.calendar.zone.setCurrentText("America/Chicago")
    page.calendar.state.setCurrentIndex(page.calendar.state.findData("TX"))


def fill_admin(w: FirstRunWizard, password: str = ADMIN_PASSWORD, repeat: str | None = None):
    page = w.admin_page
    page.display_name.setText("Pat Manager")
    page.username.setText("pat")
    page.password.setText(password)
    page.repeat.setText(password if repeat is None else repeat)


def create(qtbot, w: FirstRunWizard, wait_idle) -> None:
    w.next()  # the commit page's "Create the practice"
    wait_idle(30_000)
    qtbot.waitUntil(lambda: w.currentId() == DONE, timeout=30_000)


# ---------------------------------------------------------------- when it opens


def test_with_no_database_configured_the_app_opens_the_wizard(qtbot, app_state):
    shell = Shell(make_app(), None, on_exit=lambda code: None)
    shell.start()
    assert shell.wizard is not None and shell.opening is None
    qtbot.addWidget(shell.wizard)
    assert shell.wizard.isVisible()
    shell.wizard.reject()  # Cancel: the app ends, nothing made
    assert shell.exit_code == 0
    assert not local_file().exists()


def test_a_named_or_existing_database_skips_the_wizard(sqlite_db, monkeypatch):
    assert first_run_work.needs_first_run(None)
    assert not first_run_work.needs_first_run(sqlite_db.url)  # --db
    monkeypatch.setenv("PRACTICEBOARD_DB", sqlite_db.url)
    assert not first_run_work.needs_first_run(None)
    monkeypatch.delenv("PRACTICEBOARD_DB")
    local_file().write_bytes(b"")  # `make run --demo-if-empty` made the default file
    assert not first_run_work.needs_first_run(None)


# ---------------------------------------------------------------- only this PC


def test_only_this_pc_checks_each_page_keeps_input_on_back_and_opens_the_board(
    qtbot, runner, wait_idle, qt_settings, app_state
):
    app = make_app()
    ended = []
    shell = Shell(app, None, on_exit=ended.append, settings_factory=lambda: qt_settings)
    shell.runner = runner
    shell.start()
    w = shell.wizard  # the shell deletes it after Finish
    assert w.choice_page.local.isChecked()
    w.next()
    assert w.currentId() == PRACTICE

    # Bad input stops the page with a sentence.
    w.next()
    assert w.currentId() == PRACTICE
    assert "practice's name" in w.practice_page.error.text()
    fill_practice(w)
    for box in w.practice_page.calendar.days:
        box.setChecked(False)
    w.next()
    assert w.currentId() == PRACTICE and "at least one day" in w.practice_page.error.text()
    w.practice_page.calendar.days[0].setChecked(True)
    w.practice_page.calendar.zone.setCurrentText("Mars/Olympus")
    w.next()
    assert "not a time zone" in w.practice_page.error.text()
    fill_practice(w)
    w.next()
    assert w.currentId() == ADMIN

    fill_admin(w, password="short")
    w.next()
    assert w.currentId() == ADMIN and "at least 12" in w.admin_page.error.text()
    fill_admin(w, repeat="a different password")
    w.next()
    assert "do not match" in w.admin_page.error.text()
    assert w.admin_page.repeat.hasFocus() or not w.isActiveWindow()

    # Back and forward again: nothing typed is lost.
    w.back()
    assert w.currentId() == PRACTICE
    assert w.practice_page.name.text() == "Valley Family Care"
    w.next()
    assert w.admin_page.username.text() == "pat"
    assert not local_file().exists()  # nothing written before the last step

    fill_admin(w)
    create(qtbot, w, wait_idle)
    assert local_file().exists() and leftovers(local_file()) == [local_file()]
    assert not w.button(QWizard.WizardButton.BackButton).isEnabled()
    assert not w.button(QWizard.WizardButton.CancelButton).isVisible()  # it is made: Finish
    assert "Add your staff" in w.done_page.text.text()
    w.accept()  # Finish
    qtbot.waitUntil(lambda: shell.window is not None, timeout=20_000)
    window = shell.window
    assert window.ctx.actor.username == "pat"
    assert window.current_key() == "board"  # the empty board
    qtbot.waitUntil(lambda: not shell.runner.busy, timeout=10_000)
    db = Database(connection.default_url())
    try:
        assert [u.username for u in users.list_users(db)] == ["pat"]
    finally:
        db.dispose()
    window.quit_action.trigger()
    qtbot.waitUntil(lambda: bool(ended), timeout=10_000)


def test_cancel_at_the_last_step_leaves_nothing(qtbot, wizard):
    wizard.next()
    fill_practice(wizard)
    wizard.next()
    fill_admin(wizard)
    wizard.reject()
    assert not wizard.isVisible()
    assert leftovers(local_file()) == []
    assert not connection.config_path().exists()


def test_a_failed_build_keeps_the_input_and_leaves_nothing(qtbot, wizard, wait_idle,
                                                           monkeypatch):  # fmt: skip
    from practiceboard.services import practice

    def refuse(*_args, **_kw):
        raise OSError("disk full")

    monkeypatch.setattr(practice, "create_practice", refuse)
    wizard.next()
    fill_practice(wizard)
    wizard.next()
    fill_admin(wizard)
    wizard.next()
    wait_idle()
    assert wizard.currentId() == ADMIN
    assert "could not be set up" in wizard.admin_page.error.text()  # in plain words
    assert wizard.admin_page.password.text() == ADMIN_PASSWORD
    assert leftovers(local_file()) == []
    assert wizard.button(QWizard.WizardButton.CancelButton).isEnabled()


# ---------------------------------------------------------------- the demo


def test_the_demo_path_builds_the_demo_and_names_its_accounts(qtbot, wizard, wait_idle,
                                                              monkeypatch):  # fmt: skip
    monkeypatch.setattr(first_run_work, "DEMO_TASKS", 40)
    made = []
    wizard.completed.connect(made.append)
    wizard.choice_page.demo.setChecked(True)
    wizard.next()
    assert wizard.currentId() == CHOICE and wizard.working
    assert not wizard.button(QWizard.WizardButton.CancelButton).isEnabled()
    wizard.reject()  # Cancel while it builds is refused: nothing can stop half-way
    assert wizard.isVisible()
    wait_idle(120_000)
    qtbot.waitUntil(lambda: wizard.currentId() == DONE, timeout=10_000)
    assert "demo-password-2026" in wizard.done_page.text.text()
    assert leftovers(local_file()) == [local_file()]
    wizard.accept()
    assert made and made[0].kind == "demo" and made[0].username == ""


# ---------------------------------------------------------------- the clinic's server


@pytest.fixture
def empty_server_db(pg_template) -> Iterator[str]:
    from conftest import PG_URL

    name = f"pb_wiz_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield make_url(PG_URL).set(database=name).render_as_string(False)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def connect_to(qtbot, wizard: FirstRunWizard, url: str, wait_idle) -> None:
    wizard.choice_page.server.setChecked(True)
    assert not wizard.choice_page.isComplete()  # no tested server yet
    QTest.mouseClick(wizard.choice_page.connect_button, Qt.MouseButton.LeftButton)
    dialog = wizard.connect_dialog
    assert dialog is not None
    dialog.set_settings(ServerSettings.from_url(url))
    dialog.test()
    wait_idle()
    assert dialog.use_button.isEnabled(), dialog.result.text()
    dialog.use_button.click()
    qtbot.waitUntil(lambda: wizard.connect_dialog is None)
    assert wizard.choice_page.isComplete()


@pytest.mark.postgres
def test_a_new_practice_on_the_clinic_server(qtbot, wizard, wait_idle, empty_server_db):
    connect_to(qtbot, wizard, empty_server_db, wait_idle)
    assert "empty" in wizard.choice_page.server_label.text()
    wizard.next()
    assert wizard.currentId() == PRACTICE
    assert not connection.config_path().exists()  # saved only at the end
    fill_practice(wizard, "Hillside Clinic")
    wizard.next()
    fill_admin(wizard)
    create(qtbot, wizard, wait_idle)
    assert "connect the other PCs" in wizard.done_page.text.text()
    saved = connection.saved_url()
    assert make_url(saved).database == make_url(empty_server_db).database
    db = Database(empty_server_db)
    try:
        assert users.sign_in(db, "pat", ADMIN_PASSWORD).username == "pat"
    finally:
        db.dispose()


@pytest.mark.postgres
def test_a_pc_joins_the_practice_already_on_the_server(qtbot, wizard, wait_idle, pg_db):
    make_staff(pg_db)
    for key in (connection.config_path().parent / "audit-keys").glob("*.key"):
        key.unlink()  # this PC is not the one that set the practice up
    made = []
    wizard.completed.connect(made.append)
    connect_to(qtbot, wizard, pg_db.url, wait_idle)
    assert wizard.choice_page.nextId() == DONE
    wizard.next()
    assert wizard.currentId() == DONE
    assert "now works on" in wizard.done_page.subTitle()
    assert "copy the practice's audit key file" in wizard.done_page.text.text()
    assert make_url(connection.saved_url()).database == make_url(pg_db.url).database
    wizard.accept()
    assert made[0].kind == "server" and made[0].username == ""


@pytest.mark.postgres
def test_with_no_keyring_the_server_password_is_passed_on_not_saved(qtbot, wizard, wait_idle,
                                                                    pg_db):  # fmt: skip
    import keyring
    from keyring.backends import null

    keyring.set_keyring(null.Keyring())
    make_staff(pg_db)
    made = []
    wizard.completed.connect(made.append)
    url = make_url(pg_db.url).set(password="typed-Secret-1").render_as_string(False)
    connect_to(qtbot, wizard, url, wait_idle)  # the test server trusts 127.0.0.1
    wizard.next()
    assert "no system keyring" in wizard.done_page.text.text() or (
        "switched off" in wizard.done_page.text.text())  # fmt: skip
    wizard.accept()
    assert made[0].server_password == "typed-Secret-1"
    assert "typed-Secret-1" not in connection.config_path().read_text()


def test_after_the_demo_the_sign_in_window_names_its_accounts(
    qtbot, app_state, sqlite_db, gui_staff
):
    import shutil

    sqlite_db.dispose()
    shutil.copyfile(make_url(sqlite_db.url).database, local_file())  # what the demo built
    codes = []
    shell = Shell(make_app(), None, on_exit=codes.append)
    wizard = shell.first_run()
    wizard.completed.emit(first_run_work.SetUp("demo", notice="Every demo account uses …"))
    qtbot.waitUntil(lambda: shell.dialog is not None, timeout=10_000)
    assert shell.wizard is None
    assert "Every demo account uses" in shell.dialog.error_label.text()
    shell.dialog.reject()
    assert codes == [0]


def test_a_named_database_with_no_practice_gets_the_practice_and_admin_steps(
    qtbot, app_state, runner, wait_idle, qt_settings, tmp_path
):
    path = tmp_path / "named.db"
    sqlite3.connect(path).close()  # an empty file given with --db
    ended = []
    shell = Shell(make_app(), str(path), on_exit=ended.append,
                  settings_factory=lambda: qt_settings)  # fmt: skip
    shell.runner = runner
    shell.start()
    qtbot.waitUntil(lambda: shell.wizard is not None, timeout=10_000)
    w = shell.wizard
    assert w.currentId() == PRACTICE
    fill_practice(w)
    w.next()
    fill_admin(w)
    create(qtbot, w, wait_idle)
    w.accept()
    qtbot.waitUntil(lambda: shell.window is not None, timeout=20_000)
    assert shell.window.ctx.actor.username == "pat"
    assert not local_file().exists()  # built in the named database, not the default one
    qtbot.waitUntil(lambda: not shell.runner.busy, timeout=10_000)
    shell.window.quit_action.trigger()
    qtbot.waitUntil(lambda: bool(ended), timeout=10_000)
