"""Building the demo practice into a database, and clearing a database for it.

story.py plans the steps, play.py plays them in time order; this module checks
the database is empty (or replaces what it holds), holds the clock and the SQLite
sync setting while the builder runs, and puts them back afterwards.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date
from pathlib import Path

from sqlalchemy import event, func, select

from practiceboard.core import clock
from practiceboard.db import migrate
from practiceboard.db.backup import backup_database, file_trouble
from practiceboard.db.engine import Database, sqlite_path
from practiceboard.db.models import Patient, Task, User
from practiceboard.demo.play import Builder, DemoResult
from practiceboard.domain.errors import PracticeBoardError, ValidationError

# ---------------------------------------------------------------- the database as a whole


def practice_contents(db: Database) -> str:
    """What practice data the database holds, in words; empty when it holds none."""
    if not migrate.is_initialized(db):
        return ""
    with db.read() as s:
        counts = [
            (s.scalar(select(func.count(User.id))), "account"),
            (s.scalar(select(func.count(Patient.id))), "patient"),
            (s.scalar(select(func.count(Task.id))), "task"),
        ]
    return ", ".join(f"{n:,} {word}{'s' if n != 1 else ''}" for n, word in counts if n)


def replace_practice(db: Database) -> tuple[Database, Path]:
    """Back the database up, then rebuild it empty at head. Returns (database, backup).

    SQLite: the file is deleted and created again. PostgreSQL: the schema is
    downgraded to nothing and upgraded again inside the same database (other
    databases on the server are untouched); nothing happens unless pg_dump
    made and checked the backup first.
    """
    made = backup_database(db, label="before-demo-replace")
    if db.is_sqlite:
        url, station = db.url, db.workstation
        path = sqlite_path(url)
        db.dispose()
        _remove_sqlite_files(path, made)
        db = Database(url, workstation=station)
    else:
        from alembic import command

        cfg = migrate.alembic_config()
        with db.engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, "base")
    migrate.upgrade(db, backup=False)
    return db, made


def _remove_sqlite_files(path: Path, made: Path) -> None:
    """Delete the database file and its journals — or nothing. The file is first renamed
    aside: on Windows that fails while any program holds it open (the app on this PC,
    or on another one over a shared folder), and then nothing has been touched."""
    aside = path.with_name(path.name + ".replacing")
    try:
        path.rename(aside)
    except OSError as exc:
        raise PracticeBoardError(
            "The practice was not replaced: "
            + file_trouble(path, exc)
            + f" (A backup was made first: {made}.)"
        ) from exc
    for leftover in [aside] + [Path(f"{path}{s}") for s in ("-wal", "-shm", "-journal")]:
        try:
            leftover.unlink(missing_ok=True)
        except OSError as exc:
            raise PracticeBoardError(
                "The practice was only partly removed: " + file_trouble(leftover, exc,
                nothing_changed=False) + f" The backup made first is {made}."
            ) from exc  # fmt: skip


def generate_demo(
    db: Database,
    *,
    tasks: int = 2000,
    seed: int = 1,
    today: date | None = None,
    progress: Callable[[str], None] | None = None,
) -> DemoResult:
    """Fill an empty database (at head) with the demo practice.

    ``today`` ends the history at noon of that day (for repeatable runs); by
    default it ends now. The same seed and day give the same practice.
    """
    if tasks < 0:
        raise ValidationError("The number of demo tasks cannot be negative.", "tasks")
    held = practice_contents(db)
    if held:
        raise PracticeBoardError(
            f"The demo practice only goes into an empty database; this one holds {held}."
        )
    saved_clock = clock.source
    undo = _relaxed_sync(db)
    try:
        return Builder(db, random.Random(seed), today, progress or (lambda _m: None)).run(tasks)
    finally:
        clock.source = saved_clock
        undo()


def _relaxed_sync(db: Database) -> Callable[[], None]:
    """SQLite: synchronous=NORMAL while generating. In WAL mode that is still safe
    against a crash (only the last commits could be lost on power failure, and a
    half-built demo is simply built again). Returns the undo, which also closes the
    relaxed connections so later ones get the app's usual pragmas."""
    if not db.is_sqlite:
        return lambda: None

    def relax(dbapi_conn, _record, _proxy):
        dbapi_conn.execute("PRAGMA synchronous = NORMAL")

    event.listen(db.engine, "checkout", relax)

    def undo() -> None:
        event.remove(db.engine, "checkout", relax)
        db.engine.dispose()

    return undo
