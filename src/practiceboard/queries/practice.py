"""The Practice settings screen's read: the practice's settings and each open status's
thresholds, for an admin."""

from __future__ import annotations

from sqlalchemy import select

from practiceboard.core import definitions
from practiceboard.core.actor import Actor, actor_policy, require
from practiceboard.core.rows import PracticeSettings, ThresholdRow
from practiceboard.db.engine import Database
from practiceboard.db.models import Status, Workflow
from practiceboard.domain.policy import Cap
from practiceboard.domain.workflow import CLOSED_CATEGORIES


def practice_settings(db: Database, actor: Actor) -> PracticeSettings:
    with db.read() as session:
        require(actor_policy(session, actor), Cap.ADMIN)
        calendar = definitions.setting(session, "calendar")
        # A database set up before the time zone was settled shows the zone in use.
        calendar["timezone"] = definitions.practice_calendar(session).timezone
        rows = session.execute(
            select(Status.id, Workflow.name, Status.name, Status.warn_hours, Status.breach_hours)
            .join(Workflow, Workflow.id == Status.workflow_id)
            .where(Status.category.not_in([str(c) for c in CLOSED_CATEGORIES]))
            .order_by(Workflow.position, Workflow.id, Status.position)
        )
        return PracticeSettings(
            practice_name=definitions.setting(session, "practice_name"),
            calendar=calendar,
            idle_lock_minutes=definitions.setting(session, "idle_lock_minutes"),
            reports_folder=definitions.setting(session, "reports_folder"),
            backup_folder=definitions.setting(session, "backup_folder"),
            backup_time=definitions.setting(session, "backup_time"),
            thresholds=tuple(ThresholdRow(*row) for row in rows),
        )
