"""The first-run wizard's work, off the GUI thread and without Qt: whether the wizard is
needed, and building what it chose — the practice (schema, name, calendar, first admin) on
this PC or the clinic's server, or the demo practice.

On SQLite everything is built in a side file next to the final one and renamed into place
only when complete; on the server the practice is one transaction and the connection is
saved after it. So a failure, like Cancel before the last step, leaves nothing behind.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from practiceboard.core import connection
from practiceboard.core.server_check import ServerSettings, remember

LOCAL, SERVER, DEMO = "local", "server", "demo"
EXISTING = "existing"  # a database named by --db or the settings, with no practice yet
DEMO_TASKS = 2000  # as `make run` builds it


@dataclass(frozen=True)
class SetUp:
    """What the wizard made, for the shell to open."""

    kind: str  # LOCAL, SERVER or DEMO
    username: str = ""  # the administrator to sign in ("": show the sign-in dialog)
    password: str = ""  # their password
    server_password: str = ""  # for a server whose password the keyring could not keep
    notice: str = ""  # for the sign-in dialog (demo accounts, a joined practice)


def needs_first_run(cli_url: str | None) -> bool:
    """True when nothing names a database (no --db, PRACTICEBOARD_DB or saved connection)
    and the default file does not exist yet."""
    from practiceboard.db.engine import sqlite_path

    target = connection.resolve(cli_url)
    if target.source != "default":
        return False
    path = sqlite_path(target.url)
    return path is not None and not path.exists()


def audit_key_file(database_id: str | None) -> Path | None:
    """Where this PC keeps the audit key of the database with this id."""
    from practiceboard.core.paths import config_dir

    return config_dir() / "audit-keys" / f"{database_id}.key" if database_id else None


def local_path() -> Path:
    from practiceboard.db.engine import sqlite_path

    path = sqlite_path(connection.default_url())
    assert path is not None
    return path


def _side_file(path: Path) -> Path:
    side = path.with_name(path.name + ".setting-up")
    for leftover in (side, Path(f"{side}-wal"), Path(f"{side}-shm"), Path(f"{side}-journal")):
        leftover.unlink(missing_ok=True)
    return side


def _into_place(build, path: Path):
    """Build a SQLite database in a side file, then rename it into place."""
    from practiceboard.db.engine import Database

    side = _side_file(path)
    db = Database(f"sqlite:///{side}")
    try:
        result = build(db)
    except BaseException:
        db.dispose()
        _side_file(path)  # removes what was begun
        raise
    db.dispose()
    os.replace(side, path)
    return result


def build_practice(kind: str, server: ServerSettings | None, name: str, calendar: dict,
                   username: str, display_name: str, password: str,
                   existing_url: str = "") -> SetUp:  # fmt: skip
    """The wizard's one write (worker thread): schema, practice and first admin."""
    from practiceboard.db import migrate
    from practiceboard.db.engine import Database
    from practiceboard.services import practice

    def build(db: Database) -> None:
        migrate.upgrade(db, backup=False)
        practice.create_practice(db, name, calendar, username, display_name, password)

    if kind == LOCAL:
        _into_place(build, local_path())
        return SetUp(LOCAL, username.strip().lower(), password)
    if kind == EXISTING:
        db = Database(existing_url)
        try:
            build(db)
        finally:
            db.dispose()
        return SetUp(EXISTING, username.strip().lower(), password)
    assert server is not None
    db = Database(server.url())
    try:
        build(db)
    finally:
        db.dispose()
    note = remember(server)
    return SetUp(SERVER, username.strip().lower(), password,
                 server_password=server.password if note else "", notice=note)  # fmt: skip


def build_demo() -> SetUp:
    """The demo practice in the default SQLite file (worker thread)."""
    from practiceboard import demo
    from practiceboard.db import migrate

    def build(db):
        migrate.upgrade(db, backup=False)
        return demo.generate_demo(db, tasks=DEMO_TASKS, seed=1)

    result = _into_place(build, local_path())
    names = ", ".join(f"{u} ({', '.join(r)})" for u, _n, r, _p in result.accounts[:4])
    return SetUp(DEMO, notice=(
        f"The demo practice is ready: {result.tasks} made-up tasks and {result.patients} "
        f"made-up patients. Every demo account uses the password {demo.DEMO_PASSWORD} — "
        f"for example {names}."
    ))  # fmt: skip
