"""Which database to open, and where its password comes from.

Order: ``--db URL`` > ``PRACTICEBOARD_DB`` > the saved connection file
(``config_dir()/connection.json``, never holding a password) > the SQLite file
in the user data folder. A PostgreSQL password lives in the OS keyring under
the service "PracticeBoard"; where no keyring exists (headless Linux) we say so
and ask for it, and never write it to a file instead.
"""

from __future__ import annotations

import getpass
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import keyring
import keyring.errors
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from practiceboard.core.paths import config_dir, data_dir, private_file, shared_place
from practiceboard.core.settings import env
from practiceboard.db.engine import normalize_url
from practiceboard.domain.errors import (
    PracticeBoardError,
    ValidationError,
    first_line,
    plain_cause,
)

SERVICE = "PracticeBoard"
CONFIG_FILE = "connection.json"

NO_KEYRING = (
    "This computer has no system keyring (common on Linux without a desktop session), "
    "so PracticeBoard cannot remember the database password. It will ask for it each "
    "time instead; it never stores the password in a file."
)


class KeyringUnavailable(PracticeBoardError):
    """The OS keyring cannot be used; the message says why and what happens instead."""


@dataclass(frozen=True)
class Target:
    """The database chosen and where the choice came from (for messages)."""

    url: str
    source: str  # "--db", "PRACTICEBOARD_DB", "saved connection", "default"

    @property
    def is_postgres(self) -> bool:
        return make_url(self.url).get_backend_name() == "postgresql"

    def describe(self) -> str:
        return f"{display_url(self.url)} (from {self.source})"


def parse_url(text: str) -> str:
    """A database URL, accepting a bare file path as a SQLite database."""
    text = (text or "").strip()
    if not text:
        raise ValidationError("Give a database URL or a SQLite file path.", "url")
    if "://" not in text:
        return f"sqlite:///{Path(text).expanduser().resolve()}"
    try:
        url = normalize_url(text)
        backend = make_url(url).get_backend_name()
    except ArgumentError:
        raise ValidationError(f"“{text}” is not a database URL.", "url") from None
    if backend not in ("sqlite", "postgresql"):
        raise ValidationError("PracticeBoard works with SQLite or PostgreSQL databases.", "url")
    return url


def display_url(url: str) -> str:
    """The URL with any password hidden, for printing."""
    return make_url(url).render_as_string(hide_password=True)


def without_password(url: str) -> URL:
    u = make_url(url)
    return URL.create(u.drivername, username=u.username, host=u.host, port=u.port,
                      database=u.database, query=u.query)  # fmt: skip


def default_url() -> str:
    return f"sqlite:///{shared_place('practiceboard.db', data_dir() / 'practiceboard.db')}"


def config_path() -> Path:
    return config_dir() / CONFIG_FILE


def saved_url() -> str | None:
    """The URL in the saved connection file, if there is one."""
    path = config_path()
    if not path.exists():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise PracticeBoardError(
            f"The saved connection settings ({path}) cannot be read. Save the connection again."
        ) from None
    url = data.get("url") if isinstance(data, dict) else None
    return parse_url(url) if url else None


def save_url(url: str) -> Path:
    """Remember the database for next time, without any password."""
    u = without_password(parse_url(url))
    path = config_path()
    tmp = private_file(path.with_suffix(".tmp"))
    tmp.write_text(json.dumps({"url": u.render_as_string(hide_password=False)}, indent=2) + "\n")
    tmp.replace(path)
    return path


def forget_saved() -> bool:
    path = config_path()
    if path.exists():
        path.unlink()
        return True
    return False


def resolve(cli_url: str | None = None) -> Target:
    """The database to open, by the documented order of precedence."""
    if cli_url:
        return Target(parse_url(cli_url), "--db")
    from_env = env("PRACTICEBOARD_DB")
    if from_env:
        return Target(parse_url(from_env), "PRACTICEBOARD_DB")
    saved = saved_url()
    if saved:
        return Target(saved, "saved connection")
    return Target(default_url(), "default")


def secret_key(url: str) -> str:
    """The keyring entry name for a server database: username@host/database."""
    u = make_url(url)
    return f"{u.username or ''}@{u.host or 'localhost'}/{u.database or ''}"


class SecretStore:
    """Database passwords in the OS keyring, and nowhere else."""

    def __init__(self, service: str = SERVICE):
        self.service = service

    def available(self) -> tuple[bool, str]:
        """(usable, a sentence for the user). Never raises."""
        backend = keyring.get_keyring()
        if _is_null(backend):
            return False, "The system keyring is switched off on this computer. " + NO_KEYRING
        try:
            backend.get_password(self.service, "__practiceboard_probe__")
        except keyring.errors.NoKeyringError:
            return False, NO_KEYRING
        except Exception as exc:  # noqa: BLE001 — see _broken
            return False, _broken(exc)
        return True, f"Passwords are kept in the system keyring ({type(backend).__name__})."

    def _check(self) -> None:
        ok, message = self.available()
        if not ok:
            raise KeyringUnavailable(message)

    def get(self, key: str) -> str | None:
        self._check()
        return self._call(keyring.get_password, self.service, key)

    def set(self, key: str, password: str) -> None:
        self._check()
        self._call(keyring.set_password, self.service, key, password)

    def delete(self, key: str) -> None:
        self._check()
        try:
            self._call(keyring.delete_password, self.service, key)
        except KeyringUnavailable as exc:
            if isinstance(exc.__cause__, keyring.errors.PasswordDeleteError):
                return  # nothing stored: already in the state asked for
            raise

    @staticmethod
    def _call(fn: Callable, *args):
        try:
            return fn(*args)
        except Exception as exc:  # noqa: BLE001 — see _broken
            raise KeyringUnavailable(_broken(exc)) from exc


def _broken(exc: BaseException) -> str:
    """The sentence for a keyring that failed. Any exception, not only keyring's own: on
    Windows the credential backend re-raises system errors as they come (error 1312, "a
    specified logon session does not exist", over a remote desktop session), and on
    Linux a locked or absent secret service fails with D-Bus errors."""
    return f"The system keyring could not be used ({first_line(exc)}). " + NO_KEYRING


def _is_null(backend) -> bool:
    from keyring.backends import null

    return isinstance(backend, null.Keyring)


def server_wants_password(url: str) -> bool:
    """True when a PostgreSQL server refuses this URL for lack of a (right) password."""
    import psycopg

    u = make_url(url)
    conninfo = u.set(drivername="postgresql").render_as_string(hide_password=False)
    try:
        psycopg.connect(conninfo, connect_timeout=10).close()
    except psycopg.OperationalError as exc:
        text = str(exc).lower()
        if "password" in text:
            return True
        raise PracticeBoardError(
            f"Could not reach the database server {u.host or 'localhost'}: {plain_cause(exc)}"
        ) from None
    return False


def with_password(
    target: Target,
    *,
    store: SecretStore | None = None,
    ask: Callable[[str], str] | None = None,
    say: Callable[[str], None] = print,
) -> str:
    """The URL to connect with: a PostgreSQL password from the keyring, or asked for."""
    u: URL = make_url(target.url)
    if not target.is_postgres or u.password:
        return target.url
    store = store or SecretStore()
    ok, message = store.available()
    if ok:
        try:
            stored = store.get(secret_key(target.url))
        except KeyringUnavailable as exc:  # it answered the probe, then failed
            ok, message, stored = False, str(exc), None
        if stored:
            return u.set(password=stored).render_as_string(hide_password=False)
    if not server_wants_password(target.url):
        return target.url
    if not ok:
        say(message)
    ask = ask or getpass.getpass
    password = ask(f"Password for {secret_key(target.url)}: ")
    if not password:
        raise PracticeBoardError("No password given; the database was not opened.")
    return u.set(password=password).render_as_string(hide_password=False)
