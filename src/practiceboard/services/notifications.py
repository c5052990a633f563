"""Alerts: recording what the scan raised, handing them to one app to show, marking
them read, snoozing a task's alerts, and each person's alert choices.

Recording is the scheduler's job (no person acts); it relies on the unique
(person, key) constraint, so two PCs scanning at the same moment record each alert
once. Handing over marks alerts delivered in the same transaction that reads them,
so two open apps never show the same alert twice.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from practiceboard.core.actor import Actor, actor_policy, require
from practiceboard.core.clock import now
from practiceboard.core.unit import audited, get_or_404
from practiceboard.db import audit
from practiceboard.db.engine import Database
from practiceboard.db.models import AlertPreference, AlertSnooze, Notification, Task
from practiceboard.domain import validation
from practiceboard.domain.alerts import Alert, AlertKind, Pending, parse_clock
from practiceboard.domain.errors import PermissionDenied, ValidationError
from practiceboard.domain.policy import Cap

REASON_MAX = 200
SNOOZE_HOURS = 24
HANDOVER_LIMIT = 200  # more than this waiting is shown as one group anyway


def record(db: Database, alerts: Sequence[Alert], at: datetime | None = None) -> list[int | None]:
    """Record new alerts; ones already recorded (by anyone) are skipped. Returns, for each
    alert in order, the id of the row this call inserted, or None when it was not new."""
    if not alerts:
        return []
    at = at or now()
    inserted: list[int | None] = []
    with db.write() as session:
        insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
        for a in alerts:
            stmt = (
                insert(Notification)
                .values(
                    user_id=a.user_id,
                    task_id=a.task_id,
                    kind=a.kind.value,
                    title=a.title,
                    body=a.body,
                    dedupe_key=a.dedupe_key,
                    created_at=at,
                )  # fmt: skip
                .on_conflict_do_nothing(index_elements=["user_id", "dedupe_key"])
                .returning(Notification.id)
            )
            inserted.append(session.execute(stmt).scalar())
    return inserted


def hand_over(db: Database, user_id: int, at: datetime | None = None) -> list[Pending]:
    """The person's alerts not yet shown, marked shown now — to this caller only."""
    at = at or now()
    with db.write() as session:
        q = (
            select(Notification)
            .where(Notification.user_id == user_id, Notification.delivered_at.is_(None))
            .order_by(Notification.created_at, Notification.id)
            .limit(HANDOVER_LIMIT)
        )
        if session.get_bind().dialect.name == "postgresql":
            q = q.with_for_update(skip_locked=True)  # SQLite: BEGIN IMMEDIATE serialises
        rows = list(session.scalars(q))
        for n in rows:
            n.delivered_at = at
        return [Pending(n.id, n.kind, n.title, n.body, n.task_id, n.created_at) for n in rows]


def mark_read(db: Database, actor: Actor, ids: Iterable[int] | None = None) -> int:
    """Mark some (or, with None, all) of the actor's unread alerts read; returns how many."""
    at = now()
    with db.write() as session:
        actor_policy(session, actor)  # a disabled account may do nothing
        stmt = (
            update(Notification)
            .where(Notification.user_id == actor.user_id, Notification.read_at.is_(None))
            .values(read_at=at)
        )
        if ids is not None:
            stmt = stmt.where(Notification.id.in_(sorted(set(ids))))
        return session.execute(stmt).rowcount or 0


def snooze(
    db: Database, actor: Actor, task_id: int, reason: str, hours: float = SNOOZE_HOURS
) -> datetime:
    """Hold back the actor's alerts about one task for ``hours`` (a day by default), with
    a reason; audited. Returns when the snooze ends."""
    text = " ".join((validation.plain(reason, "reason") or "").split())
    if not text:
        raise ValidationError("Say why these alerts can wait, for example “payer called back”.",
                              "reason")  # fmt: skip
    if len(text) > REASON_MAX:
        raise ValidationError(f"Keep the reason under {REASON_MAX} characters.", "reason")
    at = now()
    until = at + timedelta(hours=hours)
    guard = audited(db, actor, "alert.snooze", "task", task_id)
    with guard as session:
        task = get_or_404(session, Task, task_id, "task")
        guard.patient_id = task.patient_id
        policy = actor_policy(session, actor)
        require(policy, Cap.TASK_VIEW)
        if not policy.sees_workflow(task.workflow_id):
            raise PermissionDenied("Your role does not work on this kind of task.")
        row = session.scalars(
            select(AlertSnooze).where(
                AlertSnooze.user_id == actor.user_id, AlertSnooze.task_id == task_id
            )
        ).first()
        if row is None:
            row = AlertSnooze(user_id=actor.user_id, task_id=task_id)
            session.add(row)
        row.until, row.reason, row.created_at = until, text, at
        audit.write(
            session, actor.who(), "alert.snooze", "task", task_id, at=at,
            patient_id=task.patient_id, new={"until": until.isoformat(), "reason": text},
        )  # fmt: skip
    return until


def set_preferences(
    db: Database,
    actor: Actor,
    *,
    muted_kinds: Iterable[str] = (),
    sound: bool = True,
    digest_time: str = "08:00",
) -> None:
    """The actor's own alert choices: kinds they do not want, sound, digest time."""
    muted = sorted(set(muted_kinds))
    known = {k.value for k in AlertKind}
    if unknown := [k for k in muted if k not in known]:
        raise ValidationError(f"There is no alert called {unknown[0]!r}.", "muted_kinds")
    clock = parse_clock(digest_time)
    if f"{clock:%H:%M}" != (digest_time or "").strip().zfill(5):
        raise ValidationError("Give the digest time as hours and minutes, like 07:30.",
                              "digest_time")  # fmt: skip
    at = now()
    with audited(db, actor, "alert.preferences", "user", actor.user_id) as session:
        actor_policy(session, actor)
        row = session.get(AlertPreference, actor.user_id)
        old = None if row is None else {"muted": row.muted_kinds, "sound": row.sound,
                                        "digest_time": row.digest_time}  # fmt: skip
        if row is None:
            row = AlertPreference(user_id=actor.user_id)
            session.add(row)
        row.muted_kinds, row.sound, row.digest_time = muted, bool(sound), f"{clock:%H:%M}"
        row.updated_at = at
        audit.write(
            session, actor.who(), "alert.preferences", "user", actor.user_id, at=at, old=old,
            new={"muted": muted, "sound": bool(sound), "digest_time": f"{clock:%H:%M}"},
        )  # fmt: skip
