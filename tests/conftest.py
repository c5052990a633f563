"""Fixtures: a fresh, migrated database per test on real SQLite and real PostgreSQL.

Migrating once per session into a template and cloning it per test keeps the
suite fast: a file copy of a closed SQLite database, and CREATE DATABASE …
TEMPLATE on PostgreSQL. Each test also gets its own data/config folder, and the
OS keyring is replaced by an in-memory backend.

This file holds fixtures only; the helpers that test files share (and that these
fixtures build on) live in tests/support/, whose docstring says where a new one goes.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import keyring
import pytest
from argon2 import PasswordHasher
from keyring.backend import KeyringBackend
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from practiceboard.db import audit
from practiceboard.db.engine import Database
from practiceboard.db.migrate import upgrade
from practiceboard.domain.errors import first_line
from practiceboard.services import users
from support import START, Clock, Staff, make_staff, pg_reachable, pg_where

PG_URL = os.environ.get(
    "PRACTICEBOARD_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
REQUIRE_PG = os.environ.get("PRACTICEBOARD_REQUIRE_PG") == "1"
PG_UNREACHABLE = "PostgreSQL is not reachable"
_pg_skipped: list[str] = []


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.skipped and "postgres" in report.keywords:
        _pg_skipped.append(report.nodeid)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_terminal_summary(terminalreporter):
    """Say at the very end (after the short summary), where nobody misses it, how many
    PostgreSQL tests did not run."""
    result = yield
    skipped = len(_pg_skipped)
    if not skipped:
        return result
    tests = "test was" if skipped == 1 else "tests were"
    terminalreporter.section("PostgreSQL", sep="!", red=True, bold=True)
    terminalreporter.write_line(
        f"{skipped} PostgreSQL {tests} SKIPPED: no server at {pg_where(PG_URL)}. "
        "Start it or set PRACTICEBOARD_TEST_PG; PRACTICEBOARD_REQUIRE_PG=1 makes this fail.",
        red=True,
        bold=True,
    )
    return result


class MemoryKeyring(KeyringBackend):
    priority = 1

    def __init__(self):
        super().__init__()
        self.store: dict[tuple[str, str], str] = {}

    def get_password(self, service, username):
        return self.store.get((service, username))

    def set_password(self, service, username, password):
        self.store[(service, username)] = password

    def delete_password(self, service, username):
        self.store.pop((service, username), None)


@pytest.fixture(autouse=True)
def pb_home(tmp_path, monkeypatch) -> Path:
    home = tmp_path / "home"
    monkeypatch.setenv("PRACTICEBOARD_HOME", str(home))
    monkeypatch.delenv("PRACTICEBOARD_DB", raising=False)
    monkeypatch.delenv("PRACTICEBOARD_AUDIT_KEY", raising=False)
    audit._KEY_CACHE.clear()
    previous = keyring.get_keyring()
    keyring.set_keyring(MemoryKeyring())
    yield home
    keyring.set_keyring(previous)


@pytest.fixture(autouse=True)
def fast_password_hashing(monkeypatch) -> None:
    """argon2id with its cheapest parameters: every test signs staff in, and the real cost
    (about 0.1 s a hash) would dominate the suite. Production parameters are untouched."""
    monkeypatch.setattr(users, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))


def _pg_refusal() -> str | None:
    """Why the reachable server would not let the tests in (None: it does)."""
    try:
        engine = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as conn:
                conn.execute(text("SELECT 1"))
        finally:
            engine.dispose()
    except Exception as exc:
        return first_line(exc)
    return None


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    os.environ.setdefault("PRACTICEBOARD_HOME", str(path.parent / "home"))
    db = Database(f"sqlite:///{path}")
    upgrade(db, backup=False)
    db.dispose()
    return path


@pytest.fixture(scope="session")
def pg_template() -> Iterator[str]:
    # Only a server nobody answers for may skip the PostgreSQL tests (and the summary
    # says so loudly); a server that answers but refuses (credentials, a missing
    # database, anything else) fails them.
    if not pg_reachable(PG_URL):
        if REQUIRE_PG:
            pytest.fail(f"PostgreSQL is required but not reachable at {pg_where(PG_URL)}")
        pytest.skip(f"{PG_UNREACHABLE} at {pg_where(PG_URL)}; set PRACTICEBOARD_TEST_PG")
    refusal = _pg_refusal()
    if refusal is not None:
        pytest.fail(
            f"PostgreSQL at {pg_where(PG_URL)} answers but refused the tests: {refusal}. "
            "Fix PRACTICEBOARD_TEST_PG; only an unreachable server skips.",
            pytrace=False,
        )
    name = f"pb_tmpl_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    db = Database(make_url(PG_URL).set(database=name).render_as_string(False))
    upgrade(db, backup=False)
    db.dispose()
    yield name
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _sqlite_clone(template: Path, tmp_path: Path) -> Database:
    target = tmp_path / "practiceboard.db"
    shutil.copyfile(template, target)
    return Database(f"sqlite:///{target}", workstation="test-pc")


def _pg_clone(template: str) -> tuple[Database, Callable[[], None]]:
    name = f"pb_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
    db = Database(
        make_url(PG_URL).set(database=name).render_as_string(False), workstation="test-pc"
    )

    def drop() -> None:
        db.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return db, drop


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db(request, tmp_path, sqlite_template) -> Iterator[Database]:
    """A fresh database at head, once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        database = _sqlite_clone(sqlite_template, tmp_path)
        yield database
        database.dispose()
        return
    database, drop = _pg_clone(request.getfixturevalue("pg_template"))
    yield database
    drop()


@pytest.fixture
def sqlite_db(tmp_path, sqlite_template) -> Iterator[Database]:
    database = _sqlite_clone(sqlite_template, tmp_path)
    yield database
    database.dispose()


@pytest.fixture
def pg_db(pg_template) -> Iterator[Database]:
    database, drop = _pg_clone(pg_template)
    yield database
    drop()


@pytest.fixture
def clock(monkeypatch) -> Clock:
    """core.clock held at START (a Wednesday, mid-morning in the US) and moved by the test.
    tests/queries/conftest.py puts the practice in New York first."""
    return Clock(monkeypatch, START)


@pytest.fixture
def staff(db) -> Staff:
    """One signed-in user per default role (support.make_staff) on the test's database."""
    return make_staff(db)
