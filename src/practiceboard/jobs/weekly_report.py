"""The Monday report: a practice-wide job (one PC, under its lease) that runs every few
minutes and, once the practice's report time on its report day has passed (Monday 07:00
unless configured), writes last week's aging report into the reports folder when it is
not there yet, and tells the managers. A PC that was off on Monday catches up at its next
start, once: the file's presence is the record. The PDF itself is drawn by the caller's
``write_pdf`` (Qt's printing lives in gui/)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from practiceboard.core.clock import now
from practiceboard.core.definitions import practice_calendar, setting
from practiceboard.core.paths import data_dir, private_dir, shared_place
from practiceboard.db.engine import Database
from practiceboard.db.models import Role, User, UserRole
from practiceboard.domain.alerts import Alert, AlertKind, parse_clock
from practiceboard.domain.weeks import Week, week_of
from practiceboard.reports import weekly
from practiceboard.reports.weekly import WeeklyReport
from practiceboard.services import notifications

log = logging.getLogger(__name__)

CHECK_SECONDS = 300
JOB_NAME = "report:weekly"
READY = "Weekly aging report ready"


@dataclass(frozen=True)
class Written:
    week: str
    path: Path
    told: int  # managers told


def reports_folder(db: Database) -> Path:
    with db.read() as session:
        folder = (setting(session, "reports_folder") or "").strip()
    # The default folder is this user's own (or the PC's shared one an installer made); one
    # the practice configured (a shared folder for the managers) keeps the access its owner gave it.
    return Path(folder) if folder else private_dir(shared_place("Reports", data_dir() / "Reports"))


def due_week(db: Database, at: datetime) -> Week | None:
    """The week whose report should exist at ``at``: the one before this practice week,
    once this week's report day and time have passed; None before then."""
    with db.read() as session:
        cal = practice_calendar(session)
        day = setting(session, "weekly_report_day")
        when = parse_clock(setting(session, "weekly_report_time"))
    this = week_of(cal.local_date(at))
    local = datetime.combine(this.monday + timedelta(days=min(6, max(0, day))), when,
                             tzinfo=cal.tzinfo())  # fmt: skip
    return this.previous() if at >= local else None


def run(
    db: Database,
    write_pdf: Callable[[WeeklyReport, Path], Path],
    *,
    at: datetime | None = None,
    folder: Path | None = None,
) -> Written | None:
    """Write the due report if it is missing; None when there is nothing to do."""
    at = at or now()
    week = due_week(db, at)
    if week is None:
        return None
    target = (folder or reports_folder(db)) / weekly.file_name(week)
    if target.exists():
        return None
    report = weekly.build(db, weekly.report_actor(db, workstation="scheduler"), week, now=at)
    write_pdf(report, target)
    told = _tell_managers(db, week, target, at)
    log.info("weekly aging report %s written to %s", week.label, target)
    return Written(week.label, target, told)


def _tell_managers(db: Database, week: Week, path: Path, at: datetime) -> int:
    with db.read() as session:
        managers = session.scalars(
            select(User.id)
            .join(UserRole, UserRole.user_id == User.id)
            .join(Role, Role.id == UserRole.role_id)
            .where(Role.key == "manager", User.active.is_(True))
            .distinct()
        ).all()
    alerts = [
        Alert(
            uid,
            AlertKind.REPORT_READY,
            f"report:{week.label}",
            f"{READY}: {week.title()}",
            str(path),
        )  # fmt: skip
        for uid in managers
    ]
    return sum(1 for i in notifications.record(db, alerts, at) if i is not None)
