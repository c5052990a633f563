"""The Connect to server dialog: it says whether this PC can keep the password, checks
what is typed, tests in a worker and offers the server only after a usable test of
exactly what is typed."""

from __future__ import annotations

import socket

import keyring
import pytest
from keyring.backends import null

from practiceboard.core.server_check import ServerSettings
from practiceboard.gui.dialogs.connect_dialog import ConnectDialog


@pytest.fixture
def dialog(qtbot, runner) -> ConnectDialog:
    d = ConnectDialog(runner)
    qtbot.addWidget(d)
    d.show()
    return d


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_it_says_the_keyring_keeps_the_password(dialog):
    assert "system keyring" in dialog.keyring_note.text()
    assert dialog.keyring_ok


def test_with_no_keyring_it_says_so_and_that_it_will_ask(qtbot, runner):
    keyring.set_keyring(null.Keyring())
    d = ConnectDialog(runner)
    qtbot.addWidget(d)
    assert not d.keyring_ok
    assert "asked for the password each time" in d.keyring_note.text()


def test_bad_input_is_told_before_any_test(dialog, wait_idle):
    dialog.set_settings(ServerSettings(host="", database="practiceboard", user="app"))
    dialog.test()
    assert "server's name or address" in dialog.result.text()
    assert dialog.host.hasFocus() or not dialog.isActiveWindow()
    assert not dialog.use_button.isEnabled()
    dialog.set_settings(ServerSettings(host="office-pc", tls="verify-full"))
    dialog.test()
    assert "CA file" in dialog.result.text()
    assert not dialog.runner.busy


def test_an_unreachable_server_is_not_offered(dialog, wait_idle):
    dialog.set_settings(ServerSettings(host="127.0.0.1", port=free_port(), user="postgres"))
    dialog.test()
    assert dialog.result.text() == "Testing the connection…"
    wait_idle()
    assert "cannot reach the server" in dialog.result.text()
    assert not dialog.use_button.isEnabled()
    assert dialog.tested_settings() is None


@pytest.mark.postgres
def test_a_usable_server_is_offered_until_a_field_changes(dialog, wait_idle, pg_db):
    dialog.set_settings(ServerSettings.from_url(pg_db.url))
    dialog.test()
    wait_idle()
    assert dialog.result.text().startswith("✓ Connected.")
    assert dialog.use_button.isEnabled()
    assert dialog.tested_settings().database == ServerSettings.from_url(pg_db.url).database
    dialog.database.setText("pb_no_such_db")
    assert not dialog.use_button.isEnabled()
    assert "again" in dialog.result.text()
    dialog.test()
    wait_idle()
    assert "no database called “pb_no_such_db”" in dialog.result.text()
    assert not dialog.use_button.isEnabled()
