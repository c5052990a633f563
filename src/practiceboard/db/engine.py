"""Engines for SQLite (one PC) and PostgreSQL (the clinic LAN), and the unit of work.

SQLite: foreign keys on, a busy timeout, ``synchronous=FULL``, WAL only for a
file on a local disk, and write transactions that begin IMMEDIATE (a deferred
BEGIN that reads and then writes fails with "database is locked" whatever the
timeout). Reads use a separate engine whose transactions begin DEFERRED so
they never queue behind a writer.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DataError, OperationalError, StatementError
from sqlalchemy.orm import Session, sessionmaker

from practiceboard.core.paths import private_file
from practiceboard.core.settings import env
from practiceboard.db.share import on_network_share
from practiceboard.domain.errors import DatabaseBusy, PracticeBoardError, ValidationError

BUSY_TIMEOUT_MS = 15_000
# PRAGMAs take no bound parameters; these are fixed statements (the busy timeout an int
# of ours, read when a connection opens), one per journal mode.
_PRAGMAS = ("PRAGMA foreign_keys = ON", "PRAGMA synchronous = FULL")
_JOURNAL = {"WAL": "PRAGMA journal_mode = WAL", "DELETE": "PRAGMA journal_mode = DELETE"}


def normalize_url(url: str) -> str:
    """Accept the short forms people type: postgresql://… means psycopg 3."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def sqlite_path(url: str) -> Path | None:
    u = make_url(url)
    if u.get_backend_name() != "sqlite" or not u.database or u.database == ":memory:":
        return None
    return Path(u.database)


def new_sqlite_file(path: Path | None) -> None:
    """A database file that does not exist yet is made for this user only (0600 on
    POSIX) before SQLite opens it; SQLite gives its -wal, -shm and -journal files the
    same mode. An existing file is left alone here (``migrate`` tightens PracticeBoard's
    own; another program's file is not ours to change)."""
    if path is None or path.exists() or not path.parent.is_dir():
        return
    try:
        private_file(path)
    except OSError:
        pass  # SQLite says what is wrong when it opens it


def _sqlite_engine(url: str, begin: str) -> Engine:
    path = sqlite_path(url)
    journal = env("PRACTICEBOARD_SQLITE_JOURNAL") or (
        "DELETE" if path is None or on_network_share(path) else "WAL"
    )
    if journal not in _JOURNAL:
        raise ValueError(f"PRACTICEBOARD_SQLITE_JOURNAL must be WAL or DELETE, not {journal}")
    wait_ms = int(BUSY_TIMEOUT_MS)
    engine = create_engine(url, connect_args={"timeout": wait_ms / 1000})

    @event.listens_for(engine, "do_connect")
    def _private(_dialect, _record, _cargs, _cparams):
        new_sqlite_file(path)  # only when SQLite is about to open (and so make) the file

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_conn, _record):
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves, below
        cur = dbapi_conn.cursor()
        for pragma in (f"PRAGMA busy_timeout = {wait_ms}", *_PRAGMAS, _JOURNAL[journal]):
            cur.execute(pragma)
        cur.close()

    begin_sql = {"IMMEDIATE": "BEGIN IMMEDIATE", "DEFERRED": "BEGIN DEFERRED"}[begin]

    @event.listens_for(engine, "begin")
    def _begin(conn):
        conn.exec_driver_sql(begin_sql)

    return engine


def make_engines(url: str) -> tuple[Engine, Engine]:
    """(write engine, read engine) for a database URL."""
    url = normalize_url(url)
    if make_url(url).get_backend_name() == "sqlite":
        return _sqlite_engine(url, "IMMEDIATE"), _sqlite_engine(url, "DEFERRED")
    # Sessions in UTC: every stored time is UTC, and psycopg then hands back datetimes
    # in datetime.UTC, which UtcDateTime passes through instead of converting each one
    # from the server's own zone (a clinic server may well run on local time).
    engine = create_engine(
        url,
        pool_pre_ping=True,
        pool_size=5,
        max_overflow=5,
        connect_args={"options": "-c TimeZone=UTC"},
    )
    return engine, engine


@dataclass
class Database:
    """A database the app works on: engines plus the unit-of-work factories.

    ``write()`` is one user action: one transaction, committed at the end of
    the ``with`` block or rolled back on any error. ``read()`` never commits.
    """

    url: str
    workstation: str = field(default_factory=socket.gethostname)

    def __post_init__(self) -> None:
        self.url = normalize_url(self.url)
        self.engine, self.read_engine = make_engines(self.url)
        self._writer = sessionmaker(self.engine, expire_on_commit=False, autoflush=True)
        self._reader = sessionmaker(self.read_engine, expire_on_commit=False)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @property
    def is_sqlite(self) -> bool:
        return self.dialect == "sqlite"

    def describe(self) -> str:
        """For the status bar: the file, or the server and database (never a password)."""
        u = make_url(self.url)
        if self.is_sqlite:
            return f"SQLite: {u.database}"
        return f"PostgreSQL: {u.host or 'localhost'}/{u.database}"

    @contextmanager
    def write(self) -> Iterator[Session]:
        with _in_words():
            with self._writer() as session, session.begin():
                yield session
                if not self.is_sqlite:
                    # Delivered to listening PCs only if this transaction commits.
                    session.execute(text("SELECT pg_notify('practiceboard', '')"))

    @contextmanager
    def read(self) -> Iterator[Session]:
        with _in_words(), self._reader() as session:
            try:
                yield session
            finally:
                session.rollback()

    def dispose(self) -> None:
        self.engine.dispose()
        if self.read_engine is not self.engine:
            self.read_engine.dispose()


# ---------------------------------------------------------------- errors in words

BUSY = (
    "Another program is using the database; try again in a moment. Nothing was changed "
    "(if it keeps happening, close other programs that have the database file open)."
)
_LOCKED = ("database is locked", "database is busy", "database table is locked")


@contextmanager
def _in_words() -> Iterator[None]:
    """Around every transaction: the few driver errors a person can cause or wait out
    become typed errors with a sentence (the transaction was rolled back, so nothing was
    changed) — a write lock another program held past the busy timeout, a number too
    large for any column (an id of 2^63), a value of the wrong kind (a date given as
    text), a NUL byte. Anything else stays as it is (a lost server is told elsewhere)."""
    try:
        yield
    except (PracticeBoardError, GeneratorExit):
        raise
    except OverflowError as exc:  # SQLite: a Python int beyond 64 bits
        raise ValidationError(_TOO_LARGE) from exc
    except StatementError as exc:
        said = str(exc.orig or exc).lower()
        if isinstance(exc, OperationalError) and any(w in said for w in _LOCKED):
            raise DatabaseBusy(BUSY) from exc
        if isinstance(exc.orig, OverflowError) or "out of range" in said:
            raise ValidationError(_TOO_LARGE) from exc
        if "nul (0x00)" in said or "cannot contain nul" in said:
            raise ValidationError(
                "Some of the text contains a NUL character, which cannot be stored. Type it "
                "again rather than pasting it; nothing was changed."
            ) from exc
        if isinstance(exc.orig, TypeError | ValueError) or isinstance(exc, DataError):
            raise ValidationError(
                "A value was given in the wrong form (a date as text, or text for a number). "
                "Nothing was changed."
            ) from exc
        raise


_TOO_LARGE = (
    "A number given is larger than any record or setting can be, so there is no such item. "
    "Nothing was changed."
)
