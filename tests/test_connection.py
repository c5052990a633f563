"""Which database the app opens, and where a server password may live (never a file)."""

from __future__ import annotations

import json

import keyring
import pytest
from keyring.backend import KeyringBackend
from keyring.backends import fail

from practiceboard.core import connection
from practiceboard.core.connection import KeyringUnavailable, SecretStore, Target
from practiceboard.domain.errors import PracticeBoardError, ValidationError

PG = "postgresql+psycopg://clinic@db.example/practice"


def test_default_is_the_sqlite_file_in_the_data_folder(pb_home):
    target = connection.resolve()
    assert target.source == "default"
    assert target.url == f"sqlite:///{pb_home / 'data' / 'practiceboard.db'}"


def test_saved_connection_beats_the_default():
    connection.save_url(PG)
    target = connection.resolve()
    assert (target.url, target.source) == (PG, "saved connection")


def test_environment_beats_the_saved_connection(monkeypatch, tmp_path):
    connection.save_url(PG)
    monkeypatch.setenv("PRACTICEBOARD_DB", f"sqlite:///{tmp_path / 'env.db'}")
    target = connection.resolve()
    assert target.source == "PRACTICEBOARD_DB"
    assert target.url.endswith("env.db")


def test_command_line_beats_everything(monkeypatch, tmp_path):
    connection.save_url(PG)
    monkeypatch.setenv("PRACTICEBOARD_DB", f"sqlite:///{tmp_path / 'env.db'}")
    target = connection.resolve("postgres://me@server/board")
    assert target.source == "--db"
    assert target.url == "postgresql+psycopg://me@server/board"


def test_a_bare_path_means_a_sqlite_file(tmp_path):
    assert connection.parse_url(str(tmp_path / "x.db")) == f"sqlite:///{tmp_path / 'x.db'}"


def test_other_databases_are_refused():
    with pytest.raises(ValidationError, match="SQLite or PostgreSQL"):
        connection.parse_url("mysql://u@h/db")


def test_the_saved_file_never_holds_a_password():
    path = connection.save_url("postgresql://clinic:s3cret-pass@db.example/practice")
    text = path.read_text()
    assert "s3cret-pass" not in text
    assert json.loads(text)["url"] == PG


def test_an_unreadable_saved_file_says_what_to_do():
    connection.config_path().write_text("{not json")
    with pytest.raises(PracticeBoardError, match="Save the connection again"):
        connection.resolve()


def test_forget_removes_the_saved_connection():
    connection.save_url(PG)
    assert connection.forget_saved() is True
    assert connection.resolve().source == "default"
    assert connection.forget_saved() is False


def test_secret_key_names_user_host_and_database():
    assert connection.secret_key(PG) == "clinic@db.example/practice"


def test_secret_store_keeps_the_password_in_the_keyring():
    store = SecretStore()
    assert store.available()[0] is True
    store.set("clinic@db.example/practice", "pw-123456789")
    assert store.get("clinic@db.example/practice") == "pw-123456789"
    assert keyring.get_password("PracticeBoard", "clinic@db.example/practice") == "pw-123456789"
    store.delete("clinic@db.example/practice")
    store.delete("clinic@db.example/practice")  # deleting nothing is fine
    assert store.get("clinic@db.example/practice") is None


@pytest.fixture
def no_keyring():
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    yield
    keyring.set_keyring(previous)


def test_without_a_keyring_the_store_says_so_plainly(no_keyring):
    ok, message = SecretStore().available()
    assert ok is False
    assert "no system keyring" in message
    assert "never stores the password in a file" in message
    with pytest.raises(KeyringUnavailable, match="no system keyring"):
        SecretStore().set("clinic@db.example/practice", "pw-123456789")
    with pytest.raises(KeyringUnavailable):
        SecretStore().get("clinic@db.example/practice")


def test_a_stored_password_is_used_for_a_server(monkeypatch):
    SecretStore().set("clinic@db.example/practice", "from-keyring-1")
    url = connection.with_password(Target(PG, "--db"))
    assert ":from-keyring-1@" in url


def test_without_a_keyring_the_password_is_asked_for(no_keyring, monkeypatch, pb_home):
    monkeypatch.setattr(connection, "server_wants_password", lambda url: True)
    said, asked = [], []
    url = connection.with_password(
        Target(PG, "--db"), ask=lambda prompt: asked.append(prompt) or "typed-pw-1", say=said.append
    )
    assert ":typed-pw-1@" in url
    assert asked == ["Password for clinic@db.example/practice: "]
    assert "no system keyring" in said[0]
    # Nothing was written anywhere in the app's folders.
    assert not any("typed-pw-1" in p.read_text() for p in pb_home.rglob("*") if p.is_file())


def test_an_empty_answer_opens_nothing(no_keyring, monkeypatch):
    monkeypatch.setattr(connection, "server_wants_password", lambda url: True)
    with pytest.raises(PracticeBoardError, match="No password given"):
        connection.with_password(Target(PG, "--db"), ask=lambda prompt: "", say=lambda m: None)


def test_sqlite_and_urls_with_a_password_are_used_as_they_are(tmp_path):
    sqlite = f"sqlite:///{tmp_path / 'a.db'}"
    assert connection.with_password(Target(sqlite, "--db")) == sqlite
    with_pw = "postgresql+psycopg://clinic:pw@db.example/practice"
    assert connection.with_password(Target(with_pw, "--db")) == with_pw


@pytest.mark.postgres
def test_a_trust_server_needs_no_password(pg_db):
    assert connection.server_wants_password(pg_db.url) is False


class BrokenKeyring(KeyringBackend):
    """A keyring that fails as Windows' credential manager does over a remote session:
    a plain OSError, not one of keyring's own errors. ``probe_ok``: the first read (the
    availability probe) still answers."""

    priority = 1

    def __init__(self, probe_ok: bool = False):
        super().__init__()
        self.calls = 0 if probe_ok else 1

    def _fail(self):
        self.calls += 1
        if self.calls > 1:
            raise OSError(1312, "A specified logon session does not exist")

    def get_password(self, service, username):
        self._fail()

    def set_password(self, service, username, password):
        self._fail()

    def delete_password(self, service, username):
        self._fail()


@pytest.fixture
def broken_keyring(request):
    previous = keyring.get_keyring()
    backend = BrokenKeyring(probe_ok=getattr(request, "param", False))
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


def test_any_keyring_failure_is_a_sentence_not_a_traceback(broken_keyring):
    ok, message = SecretStore().available()
    assert ok is False
    assert message.startswith("The system keyring could not be used (")
    assert "logon session does not exist" in message
    with pytest.raises(KeyringUnavailable, match="logon session"):
        SecretStore().set("clinic@db.example/practice", "pw-123456789")


@pytest.mark.parametrize("broken_keyring", [False, True], indirect=True,
                         ids=["probe-fails", "read-fails"])  # fmt: skip
def test_a_failing_keyring_falls_back_to_asking(broken_keyring, monkeypatch):
    monkeypatch.setattr(connection, "server_wants_password", lambda url: True)
    said = []
    url = connection.with_password(
        Target(PG, "--db"), ask=lambda prompt: "typed-pw-2", say=said.append
    )
    assert ":typed-pw-2@" in url
    assert said and "logon session does not exist" in said[0]


@pytest.mark.parametrize("broken_keyring", [True], indirect=True)
def test_the_app_says_why_it_asks_when_the_keyring_fails(broken_keyring):
    from practiceboard.gui.shell.app import _with_password

    url, note = _with_password(Target(PG, "--db"), None)
    assert url == PG
    assert "The system keyring could not be used" in note and "1312" not in url


def test_connection_save_reports_a_failing_keyring_and_keeps_the_url(broken_keyring, capsys,
                                                                   monkeypatch):  # fmt: skip
    from practiceboard import cli

    monkeypatch.setattr("practiceboard.cli.common.prompt_password", lambda prompt: "pw-3")
    assert cli.main(["connection", "save", PG, "--password"]) == 0
    out = capsys.readouterr()
    assert "logon session does not exist" in out.err
    assert connection.saved_url() == PG
