"""A person's alerts for the notification center: newest first, the unread count,
and their alert choices."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from practiceboard.core.actor import Actor, actor_policy
from practiceboard.core.unit import refusals_audited
from practiceboard.db.engine import Database
from practiceboard.db.models import AlertPreference, Notification
from practiceboard.domain.alerts import DEFAULT_DIGEST, Pending

LIST_LIMIT = 200


@dataclass(frozen=True, slots=True)
class AlertRow(Pending):
    """A recorded alert as the notification center lists it: and whether it was read."""

    read_at: datetime | None

    @property
    def unread(self) -> bool:
        return self.read_at is None


@dataclass(frozen=True, slots=True)
class AlertChoices:
    muted_kinds: frozenset[str]
    sound: bool
    digest_time: str  # HH:MM


@refusals_audited("alerts.view", "notification")
def my_alerts(db: Database, actor: Actor, *, limit: int = LIST_LIMIT) -> list[AlertRow]:
    with db.read() as session:
        actor_policy(session, actor)
        rows = session.execute(
            select(Notification.id, Notification.kind, Notification.title, Notification.body,
                   Notification.task_id, Notification.created_at, Notification.read_at)
            .where(Notification.user_id == actor.user_id)
            .order_by(Notification.created_at.desc(), Notification.id.desc())
            .limit(max(1, min(limit, LIST_LIMIT)))
        )  # fmt: skip
        return [AlertRow(*r) for r in rows]


@refusals_audited("alerts.view", "notification")
def unread_count(db: Database, actor: Actor) -> int:
    with db.read() as session:
        actor_policy(session, actor)
        return session.scalar(
            select(func.count(Notification.id)).where(
                Notification.user_id == actor.user_id, Notification.read_at.is_(None)
            )
        )


@refusals_audited("alerts.view", "notification")
def alert_choices(db: Database, actor: Actor) -> AlertChoices:
    with db.read() as session:
        actor_policy(session, actor)
        row = session.get(AlertPreference, actor.user_id)
        if row is None:
            return AlertChoices(frozenset(), True, f"{DEFAULT_DIGEST:%H:%M}")
        return AlertChoices(frozenset(row.muted_kinds or ()), row.sound, row.digest_time)
