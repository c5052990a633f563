"""Starting the app: the database is opened and upgraded in a worker, a newer database
is refused, an unreachable server offers Retry or Quit, and the shell goes from
sign-in to the main window and back on sign-out."""

from __future__ import annotations

import argparse
import sqlite3
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication

from practiceboard.db import migrate
from practiceboard.db.engine import Database
from practiceboard.domain.errors import PracticeBoardError
from practiceboard.gui.shell.app import Shell, main, make_app, offline_text, open_practice
from support import PASSWORD


@pytest.fixture
def app_state(qapp):
    """main() and make_app() name and style the one QApplication; put it back after."""
    saved = (qapp.applicationName(), qapp.organizationName(), qapp.styleSheet(),
             qapp.quitOnLastWindowClosed(), qapp.font())  # fmt: skip
    yield qapp
    name, org, sheet, quit_last, font = saved
    qapp.setApplicationName(name)
    qapp.setOrganizationName(org)
    qapp.setStyleSheet(sheet)
    qapp.setQuitOnLastWindowClosed(quit_last)
    qapp.setFont(font)


def sqlite_path(db: Database) -> Path:
    return Path(db.url.removeprefix("sqlite:///"))


# ---------------------------------------------------------------- opening the database


def test_a_ready_database_opens(sqlite_db, gui_staff):
    opened = open_practice(sqlite_db.url)
    try:
        assert opened.db.url == sqlite_db.url
        assert opened.backup is None  # already at head: nothing to upgrade
    finally:
        opened.db.dispose()


def test_an_empty_database_is_upgraded_then_asks_for_an_admin(tmp_path):
    path = tmp_path / "new.db"
    sqlite3.connect(path).close()
    with pytest.raises(PracticeBoardError, match="no accounts yet"):
        open_practice(str(path))
    db = Database(f"sqlite:///{path}")
    assert migrate.current_revision(db) == migrate.head_revision()
    db.dispose()


def test_a_missing_file_is_named_not_created(tmp_path):
    path = tmp_path / "elsewhere" / "practice.db"
    with pytest.raises(PracticeBoardError, match="There is no PracticeBoard database at"):
        open_practice(str(path))
    assert not path.parent.exists()


def test_offline_text_names_the_server():
    text = offline_text(OSError("connection refused"), "postgresql://pb@10.0.0.5:5433/clinic")
    assert text.startswith("PracticeBoard cannot reach the database server 10.0.0.5:5433")
    assert "(connection refused)" in text


# ---------------------------------------------------------------- main()


def test_main_refuses_a_newer_database(app_state, sqlite_db, gui_staff, messages):
    sqlite_db.dispose()
    with sqlite3.connect(sqlite_path(sqlite_db)) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '29991231_9999'")
    code = main(argparse.Namespace(db=sqlite_db.url))
    assert code == 1
    title, text = messages.log[-1]
    assert title == "Newer database"
    assert "newer PracticeBoard" in text and "nothing was changed" in text
    with sqlite3.connect(sqlite_path(sqlite_db)) as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchone()[0] == (
            "29991231_9999"
        )


def test_documents_opened_earlier_are_gone_once_the_app_has_run(
    app_state, messages, tmp_path, monkeypatch
):
    from practiceboard.core import opened

    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    left = opened.new_file(1, "records.pdf")  # a copy a crash left behind
    left.write_bytes(b"%PDF-1.4")
    messages.auto_answer = False  # Quit at once: the server is offline

    main(argparse.Namespace(db="postgresql://postgres@127.0.0.1:1/nowhere"))

    assert not left.exists() and list(opened.folder().iterdir()) == []


def test_main_offers_retry_or_quit_when_the_server_is_offline(app_state, messages):
    messages.auto_answer = False  # Quit
    code = main(argparse.Namespace(db="postgresql://postgres@127.0.0.1:1/nowhere"))
    assert code == 1
    title, text = messages.log[-1]
    assert title == "Database offline"
    assert "cannot reach the database server 127.0.0.1:1" in text


def test_make_app_names_the_app_and_loads_the_style(app_state):
    app = make_app()
    assert app is QApplication.instance()
    assert (app.applicationName(), app.organizationName()) == ("PracticeBoard", "PracticeBoard")
    assert "QListWidget#navPane" in app.styleSheet()
    assert app.font().pointSizeF() >= 10
    assert not app.windowIcon().isNull()
    assert not app.quitOnLastWindowClosed()  # sign-out closes the window, not the app


# ---------------------------------------------------------------- the shell


def test_the_shell_signs_in_signs_out_and_quits(qtbot, sqlite_db, gui_staff, qt_settings):
    codes: list[int] = []
    shell = Shell(QApplication.instance(), sqlite_db.url,
                  settings_factory=lambda: qt_settings, on_exit=codes.append)  # fmt: skip
    shell.start()
    qtbot.waitUntil(lambda: shell.dialog is not None, timeout=10_000)
    assert shell.opening is None  # the "Opening…" window is gone

    shell.dialog.user_name.setText("frontdesk")
    shell.dialog.password.setText(PASSWORD)
    shell.dialog.submit()
    qtbot.waitUntil(lambda: shell.window is not None, timeout=10_000)
    window = shell.window
    assert window.ctx.actor.username == "frontdesk"
    assert window.current_key() == "queue"
    qtbot.waitUntil(lambda: not shell.runner.busy, timeout=10_000)

    window.sign_out_action.trigger()
    qtbot.waitUntil(lambda: shell.dialog is not None, timeout=10_000)
    assert shell.window is None
    assert shell.dialog.user_name.text() == "frontdesk"  # only the password to type again

    shell.dialog.reject()
    assert codes == [0]
    assert shell.db is None


def test_someone_else_at_the_lock_screen_gets_a_fresh_window(qtbot, sqlite_db, gui_staff,
                                                              qt_settings):  # fmt: skip
    shell = Shell(QApplication.instance(), sqlite_db.url,
                  settings_factory=lambda: qt_settings, on_exit=lambda code: None)  # fmt: skip
    shell.start()
    qtbot.waitUntil(lambda: shell.dialog is not None, timeout=10_000)
    shell.dialog.user_name.setText("frontdesk")
    shell.dialog.password.setText(PASSWORD)
    shell.dialog.submit()
    qtbot.waitUntil(lambda: shell.window is not None, timeout=10_000)
    first = shell.window
    first.lock()
    first.lock_screen.user_name.setText("manager")
    first.lock_screen.password.setText(PASSWORD)
    first.lock_screen.submit()
    qtbot.waitUntil(lambda: shell.window not in (None, first), timeout=10_000)
    assert shell.window.ctx.actor.username == "manager"
    assert shell.window.current_key() == "attention"
    qtbot.waitUntil(lambda: not shell.runner.busy, timeout=10_000)
    shell.window.close()
    qtbot.waitUntil(lambda: not shell.runner.busy, timeout=10_000)


def test_the_windowed_launcher_shows_why_it_did_not_start(app_state, messages, capsys):
    """``practiceboard-app`` has no console on Windows: what the command line would print
    when it cannot start (here a mistyped option) is shown in a window instead."""
    from practiceboard.cli import app_main

    assert app_main(["--no-such-option"]) == 2
    title, text = messages.log[-1]
    assert title == "PracticeBoard did not start"
    assert "unrecognized arguments: --no-such-option" in text
    assert capsys.readouterr().err == ""  # nothing went to a console that is not there


def test_a_database_refused_before_the_window_opens_ends_the_app(app_state, messages):
    """A --db the app refuses at once says so and ends; it must not leave an event loop
    running with nothing on screen."""
    from practiceboard.cli import app_main

    assert app_main(["--db", "mysql://clinic@db.example/practice"]) == 1
    assert [title for title, _ in messages.log] == ["PracticeBoard cannot start"]


def test_both_launchers_are_declared():
    import tomllib

    project = tomllib.loads((Path(__file__).parents[2] / "pyproject.toml").read_text())["project"]
    assert project["scripts"]["practiceboard"] == "practiceboard.cli:main"
    assert project["gui-scripts"]["practiceboard-app"] == "practiceboard.cli:app_main"


def test_main_ends_at_once_when_the_app_is_already_open(app_state, messages, capsys, pb_home):
    from practiceboard.gui.shell.single import SingleInstance

    running = SingleInstance()  # the copy already open, in this person's data folder
    assert running.claim()
    try:
        assert main(argparse.Namespace(db=None)) == 0
    finally:
        running.release()
    assert "already open on this PC" in capsys.readouterr().out
    assert messages.log == []  # no window of its own, no question asked


def test_bring_forward_shows_the_sign_in_dialog(qtbot, app_state, sqlite_db, gui_staff):
    shell = Shell(make_app(), sqlite_db.url, on_exit=lambda code: None)
    shell.db = sqlite_db
    dialog = shell.sign_in()
    qtbot.addWidget(dialog)
    dialog.showMinimized()
    shell.bring_forward()
    assert dialog.isVisible() and not dialog.isMinimized()
