"""Saved filters: the filter combinations a person uses every day, kept under a
name of their choosing. Each person sees and changes only their own.

Read them with queries.lookups.saved_filters.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from practiceboard.core.actor import Actor, actor_policy, require
from practiceboard.core.clock import now
from practiceboard.core.rows import TaskFilter
from practiceboard.core.unit import audited
from practiceboard.db import audit
from practiceboard.db.engine import Database
from practiceboard.db.models import SavedFilter
from practiceboard.domain import validation
from practiceboard.domain.errors import NotFound, ValidationError
from practiceboard.domain.policy import Cap

NAME_MAX = 80
GONE = "That saved filter no longer exists. Refresh and try again."


def clean_name(name: str | None) -> str:
    text = " ".join((validation.plain(name, "name") or "").split())
    if not text:
        raise ValidationError("Give the filter a name, for example “My overdue referrals”.", "name")
    if len(text) > NAME_MAX:
        raise ValidationError(
            f"The name is {len(text)} characters; keep it under {NAME_MAX}.", "name"
        )
    return text


def _taken(name: str) -> ValidationError:
    return ValidationError(
        f"You already have a filter called “{name}”. Pick another name or delete that one first.",
        "name",
    )


def save_filter(db: Database, actor: Actor, name: str, filt: TaskFilter) -> int:
    """Keep ``filt`` under ``name`` for the actor; returns the saved filter's id."""
    name = clean_name(name)
    if not isinstance(filt, TaskFilter):
        raise ValidationError("Only a task filter can be saved.", "filter")
    if filt.is_empty():
        raise ValidationError("Pick at least one filter before saving it.", "filter")
    data = filt.to_dict()
    try:
        with audited(db, actor, "filter.save", "saved_filter") as session:
            require(actor_policy(session, actor), Cap.TASK_VIEW)
            # Names compare case-insensitively: "Overdue" and "overdue" would look the same.
            for existing in session.scalars(
                select(SavedFilter.name).where(SavedFilter.user_id == actor.user_id)
            ):
                if existing.lower() == name.lower():
                    raise _taken(existing)
            at = now()
            row = SavedFilter(user_id=actor.user_id, name=name, filters=data, created_at=at)
            session.add(row)
            session.flush()
            audit.write(
                session, actor.who(), "filter.save", "saved_filter", row.id, at=at,
                new={"name": name, "filters": data},
            )  # fmt: skip
            return row.id
    except IntegrityError:
        # The same person saved the same name from another PC a moment ago.
        raise _taken(name) from None


def delete_filter(db: Database, actor: Actor, filter_id: int) -> None:
    """Delete one of the actor's own saved filters."""
    with audited(db, actor, "filter.delete", "saved_filter", filter_id) as session:
        require(actor_policy(session, actor), Cap.TASK_VIEW)
        row = session.get(SavedFilter, filter_id)
        # Someone else's filter is reported as missing: its name is none of our business.
        if row is None or row.user_id != actor.user_id:
            raise NotFound(GONE)
        old = {"name": row.name, "filters": row.filters}
        session.delete(row)
        session.flush()
        audit.write(
            session, actor.who(), "filter.delete", "saved_filter", filter_id, at=now(), old=old
        )
