"""The unit of work: one user action, one transaction, and its audit rows.

- ``audited(db, actor, action, entity)``: a write transaction whose refusal
  (``PermissionDenied``) is rolled back, audited as denied and raised again;
- ``audited_read(...)``: the one way the read side records a view of patient
  data (an audit row in a short write transaction of its own);
- ``record_denial``: audit a refusal after its action was rolled back;
- ``check_version`` and ``conflict_if_stale``: the one optimistic lock. Every
  versioned row (task, care plan, patient) carries ``version`` (SQLAlchemy's
  ``version_id_col``), ``updated_at`` and ``updated_by_id``; a stale version,
  seen at load or at flush, is "WHAT was changed by NAME at TIME — reload".
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from practiceboard.core.actor import Actor
from practiceboard.core.clock import now
from practiceboard.db import audit
from practiceboard.db.engine import Database, sqlite_path
from practiceboard.db.models import User
from practiceboard.domain.dates import changed_at_label
from practiceboard.domain.errors import (
    ConflictError,
    NotFound,
    PermissionDenied,
    PracticeBoardError,
)


def record_denial(db: Database, actor: Actor, action: str, entity: str, entity_id, message: str,
                  patient_id: int | None = None) -> PermissionDenied:  # fmt: skip
    """Audit a refused action in its own transaction (the action's own was rolled back);
    returns the refusal to raise, marked as audited so nothing records it twice."""
    with db.write() as session:
        who = actor.who()
        if session.get(User, actor.user_id) is None:  # a stale id of no account: named only
            who = audit.Who(None, actor.username, actor.workstation)
        audit.write(
            session, who, action, entity, entity_id, outcome="denied",
            patient_id=patient_id, detail=message, at=now(),
        )  # fmt: skip
    error = PermissionDenied(message)
    error.audited = True
    return error


def refusals_audited(action: str, entity: str, id_arg: str | None = None):
    """Decorator for a read ``(db, actor, ...)``: every refusal it raises — a capability the
    role lacks, a workflow it does not see, a disabled account's stale session — is
    audited as denied (once: a refusal already recorded passes through)."""

    def wrap(fn):
        signature = inspect.signature(fn)

        @functools.wraps(fn)
        def read(db: Database, actor: Actor, *args, **kwargs):
            try:
                return fn(db, actor, *args, **kwargs)
            except PermissionDenied as exc:
                if not getattr(exc, "audited", False):
                    entity_id = None
                    if id_arg is not None:
                        bound = signature.bind_partial(db, actor, *args, **kwargs)
                        entity_id = bound.arguments.get(id_arg)
                    record_denial(db, actor, action, entity, entity_id, exc.message)
                    exc.audited = True
                raise

        return read

    return wrap


def remember_audit_head(db: Database) -> None:
    """At exit (the app closing, a command ending): note the audit log's last row on this
    PC (db.audit.remember_head), so rows later cut off its end are noticed. Best effort: a
    database with no schema yet, or a PC without the key, has nothing to note."""
    path = sqlite_path(db.url)
    if db.is_sqlite and (path is None or not path.exists()):
        return  # never create a file just to look into it
    try:
        with db.read() as session:
            audit.remember_head(session)
    except (PracticeBoardError, SQLAlchemyError, OSError):
        return


def changed_by(session: Session, what: str, user_id: int | None, at: datetime) -> ConflictError:
    """ "WHAT was changed by NAME at 9:05 AM on Mar 4 — reload…" in the practice's time zone."""
    from practiceboard.core.definitions import practice_calendar  # definitions imports the clock

    who = session.get(User, user_id) if user_id is not None else None
    name = who.display_name if who else "someone else"
    stamp = changed_at_label(at, practice_calendar(session).tzinfo())
    return ConflictError(
        f"{what} was changed by {name} at {stamp} — reload to see their change.",
        changed_by=name,
        changed_at=at,
    )


def conflict(session: Session, what: str, row: Any) -> ConflictError:
    """The conflict for a versioned row someone else saved: named by who and when."""
    return changed_by(session, what, row.updated_by_id, row.updated_at)


def check_version(session: Session, row: Any, expected_version: int | None, what: str) -> None:
    """ConflictError unless the row is still at the version the user loaded
    (``None``: the caller did not load one, e.g. a scripted change)."""
    if expected_version is not None and row.version != expected_version:
        raise conflict(session, what, row)


@contextmanager
def conflict_if_stale(
    db: Database, model: type, ident: int, what: str | Callable[[Any], str]
) -> Iterator[None]:
    """Around a change of one versioned row: a concurrent writer that committed first
    (StaleDataError at flush or commit) becomes the same ConflictError as a stale load.
    ``what`` names the row in the message, or is a function of the row (a task's ref)."""
    try:
        yield
    except StaleDataError:
        with db.read() as session:
            row = get_or_404(session, model, ident, "item")
            name = what(row) if callable(what) else what
            raise conflict(session, name, row) from None


def get_or_404(session: Session, model, ident, what: str):
    obj = session.get(model, ident) if ident is not None else None
    if obj is None:
        raise NotFound(f"That {what} no longer exists. Refresh and try again.")
    return obj


def audited(db: Database, actor: Actor, action: str, entity: str, entity_id=None):
    """Context manager: one write transaction; a PermissionDenied inside it rolls
    the work back, is audited as denied, and is raised again."""
    return _Audited(db, actor, action, entity, entity_id)


class _Audited:
    def __init__(self, db, actor, action, entity, entity_id):
        self.db, self.actor, self.action, self.entity, self.entity_id = (
            db, actor, action, entity, entity_id)  # fmt: skip
        self._cm = None
        self.patient_id: int | None = None

    def __enter__(self) -> Session:
        self._cm = self.db.write()
        return self._cm.__enter__()

    def __exit__(self, exc_type, exc, tb):
        suppressed = self._cm.__exit__(exc_type, exc, tb)
        if isinstance(exc, PermissionDenied) and not getattr(exc, "audited", False):
            record_denial(self.db, self.actor, self.action, self.entity, self.entity_id,
                          exc.message, self.patient_id)  # fmt: skip
            exc.audited = True
        return suppressed


def audited_read(
    db: Database,
    actor: Actor,
    action: str,
    entity: str,
    entity_id,
    *,
    patient_id: int | None,
    detail: str | None = None,
    category: str = "patient",
    new: dict | None = None,
) -> None:
    """Record that patient data was shown (security.md item 7), or that audit rows left
    the app (category "security"): one success row in a short write transaction of its
    own, after the read succeeded. The read side writes nothing else."""
    with db.write() as session:
        audit.write(
            session, actor.who(), action, entity, entity_id, at=now(),
            category=category, patient_id=patient_id, detail=detail, new=new,
        )  # fmt: skip
