"""What every command shares: opening the database (and always closing it), printing,
asking for passwords, and the checks a command makes before it touches the data.

``opened`` is the one place that opens a database for a command and disposes of its
connections however the command ends, so no command writes its own try/finally.
"""

from __future__ import annotations

import getpass
import socket
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from sqlalchemy import func, select

from practiceboard.core import connection, settings
from practiceboard.core.unit import remember_audit_head
from practiceboard.db import migrate
from practiceboard.db.engine import Database, sqlite_path
from practiceboard.db.share import several_pcs_warning
from practiceboard.domain.errors import PracticeBoardError, ValidationError

# Replaced by tests; getpass would block on a terminal.
prompt_password: Callable[[str], str] = getpass.getpass


class UsageError(PracticeBoardError):
    """Wrong arguments after parsing (exit code 2)."""


def workstation() -> str:
    return f"{socket.gethostname()} (command line)"


def say(*lines: str) -> None:
    for line in lines:
        print(line)


def err(message: str) -> None:
    print(message, file=sys.stderr)


# ---------------------------------------------------------------- opening the database


def open_database(args, *, must_exist: bool = True) -> Database:
    """The database the arguments point at (password from the keyring or a prompt)."""
    target = connection.resolve(getattr(args, "db", None))
    path = sqlite_path(target.url) if not target.is_postgres else None
    if must_exist and path is not None and not path.exists():
        raise PracticeBoardError(
            f"There is no database at {path}. Run “practiceboard init” or “practiceboard demo” "
            "to create one."
        )
    if path is not None and not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)  # a new practice in a new folder
    url = connection.with_password(target, ask=prompt_password, say=err)
    db = Database(url, workstation=workstation())
    if path is not None and path.exists():
        warning = several_pcs_warning(path, db.workstation)
        if warning:
            err(warning)
    return db


@contextmanager
def opened(args, *, must_exist: bool = True) -> Iterator[Database]:
    """Open the database the arguments name for one command; dispose of it however the
    command ends (result, refusal, Ctrl+C)."""
    with disposing(open_database(args, must_exist=must_exist)) as db:
        yield db
        remember_audit_head(db)  # at exit: this PC notes the log's last row


@contextmanager
def disposing(db: Database) -> Iterator[Database]:
    """Dispose of ``db`` when the block ends: for a database a command did not open
    through ``opened`` (the fresh one that replaces a practice)."""
    try:
        yield db
    finally:
        db.dispose()


def require_ready(db: Database) -> None:
    """The schema exists, is known, and is at head (services need every column)."""
    current = migrate.ensure_known(db)
    if current is None:
        raise PracticeBoardError(
            "This database has not been set up yet. Run “practiceboard init” (or "
            "“practiceboard demo”) first."
        )
    if current != migrate.head_revision():
        raise PracticeBoardError(
            "This database needs an upgrade first: run “practiceboard db upgrade”."
        )


def count_users(db: Database) -> int:
    from practiceboard.db.models import User

    with db.read() as session:
        return session.scalar(select(func.count(User.id))) or 0


def new_password(env_var: str, who: str, *, confirm: bool = True) -> str:
    """A new password from the environment (scripts) or typed twice."""
    value = settings.env(env_var)
    if value:
        return value
    first = prompt_password(f"New password for {who}: ")
    if confirm and prompt_password("Type it again: ") != first:
        raise ValidationError("The two passwords do not match; nothing was changed.", "password")
    return first
