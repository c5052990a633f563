"""The alert scan and the hand-over of what waits to be shown.

``scan`` reads the facts, applies the rules and records what is new; ``deliver``
takes the person's unshown alerts and groups them for the screen (nothing during
quiet hours: they wait for the next opening and arrive as one digest).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from practiceboard.core.clock import now
from practiceboard.db.engine import Database
from practiceboard.domain.alert_rules import alerts_for
from practiceboard.domain.alerts import Alert, Delivery, deliveries
from practiceboard.queries.alerts import opened_at, scan_facts
from practiceboard.services import notifications

SCAN_SECONDS = 60  # each open app: its person's scan and hand-over
PRACTICE_SCAN_SECONDS = 300  # one PC, under a lease: everyone's (a few minutes late is fine)


@dataclass(frozen=True)
class Raised:
    """An alert this scan recorded (no other PC or earlier scan had)."""

    notification_id: int
    alert: Alert


def scan(db: Database, at: datetime | None = None, user_id: int | None = None) -> list[Raised]:
    """One scan for one person (the signed-in user's job) or everyone (the CLI, the
    practice-wide job). A second scan at the same moment raises nothing."""
    at = at or now()
    alerts = alerts_for(scan_facts(db, at, user_id), user_id)
    ids = notifications.record(db, alerts, at)
    return [Raised(i, a) for i, a in zip(ids, alerts, strict=True) if i is not None]


def deliver(db: Database, user_id: int, at: datetime | None = None) -> list[Delivery]:
    """What to show this person now, grouped; nothing while the practice is closed."""
    at = at or now()
    opened = opened_at(db, at)
    if opened is None:
        return []
    return deliveries(notifications.hand_over(db, user_id, at), opened)
