"""The nightly backup: a practice-wide job (one PC, under its lease) that checks every few
minutes and, once the practice's backup time has passed (22:00 unless configured in
Practice settings; set empty, there is no nightly backup), backs the database up into
the backup folder when tonight's copy is not there yet — checked
after writing (SQLite ``integrity_check``, ``pg_restore --list``) and recorded as the
practice's last verified backup. It keeps 7 daily and 4 weekly nightly copies and removes
older ones (manual and before-upgrade backups are left alone). A PC that was off at night
catches up at its next start; the file's presence is the record.

A verified backup made after tonight's backup time by other means (the server PC's scheduled
``practiceboard backup``, Back up now) counts as tonight's. The managers and admins are told
when a nightly backup fails, and when the last verified backup (made by anyone) is older
than two days. A PC without pg_dump (a front-desk PC of a PostgreSQL practice) gives the
job up for one that can, without an alert of its own.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select

from practiceboard.core.clock import now
from practiceboard.core.definitions import practice_calendar, setting
from practiceboard.db.backup import (
    BackupError,
    NoPgDump,
    backup_database,
    last_verified_backup,
    record_backup,
)
from practiceboard.db.engine import Database
from practiceboard.db.models import Role, User, UserRole
from practiceboard.domain.alerts import Alert, AlertKind, parse_clock
from practiceboard.jobs import lease
from practiceboard.services import notifications
from practiceboard.services.backups import backup_folder

log = logging.getLogger(__name__)

JOB = "backup:nightly"
CHECK_SECONDS = 600
DAILY, WEEKLY = 7, 4
STALE = timedelta(days=2)
_NIGHTLY = re.compile(r"^practiceboard-.*-nightly-(\d{8})\.(db|dump)$")


@dataclass(frozen=True)
class Nightly:
    written: Path | None  # tonight's backup, when this run made it
    removed: tuple[Path, ...]  # older nightly copies past the retention
    told: int  # people told of a failed or overdue backup
    problem: str | None = None  # why tonight's backup could not be made


def nightly_files(folder: Path) -> dict[date, list[Path]]:
    """The nightly backups in a folder, by the practice date they were made for."""
    found: dict[date, list[Path]] = {}
    try:
        entries = list(folder.iterdir())
    except OSError:
        return found
    for path in entries:
        m = _NIGHTLY.match(path.name)
        if m:
            day = datetime.strptime(m.group(1), "%Y%m%d").date()
            found.setdefault(day, []).append(path)
    return found


def to_keep(
    days: Iterable[date], today: date, daily: int = DAILY, weekly: int = WEEKLY
) -> set[date]:
    """The days whose backups stay: the ``daily`` newest, and the last one of each of the
    ``weekly`` most recent weeks before this one."""
    newest_first = sorted(set(days), reverse=True)
    keep = set(newest_first[:daily])
    this_week = today.isocalendar()[:2]
    last_of_week: dict[tuple[int, int], date] = {}
    for day in newest_first:
        week = day.isocalendar()[:2]
        if week != this_week:
            last_of_week.setdefault(week, day)
    for week in sorted(last_of_week, reverse=True)[:weekly]:
        keep.add(last_of_week[week])
    return keep


def prune(folder: Path, today: date) -> tuple[Path, ...]:
    files = nightly_files(folder)
    keep = to_keep(files, today)
    removed = []
    for day, paths in sorted(files.items()):
        if day in keep:
            continue
        for path in paths:
            try:
                path.unlink()
                removed.append(path)
            except OSError as exc:  # held open, read-only share: tried again tomorrow
                log.warning("could not remove old backup %s: %s", path, exc)
    return tuple(removed)


def run(db: Database, *, at: datetime | None = None, folder: Path | None = None) -> Nightly | None:
    """Make tonight's backup when it is due and missing, prune, and tell when backups are
    failing or overdue; None when there was nothing to do."""
    at = at or now()
    with db.read() as session:
        cal = practice_calendar(session)
        nightly = (setting(session, "backup_time") or "").strip()
    if not nightly:  # the practice switched the nightly backup off (Practice settings)
        return None
    when = parse_clock(nightly)
    folder = folder or backup_folder(db)
    today = cal.local_date(at)
    due = datetime.combine(today, when, tzinfo=cal.tzinfo())
    written, removed, problem, told = None, (), None, 0
    last = last_verified_backup(db)
    done_tonight = today in nightly_files(folder) or (last is not None and last[0] >= due)
    if at >= due and not done_tonight:
        try:
            written = backup_database(db, label=f"nightly-{today:%Y%m%d}", folder=folder)
            record_backup(db, written, at)
            removed = prune(folder, today)
            log.info("nightly backup written to %s", written)
        except NoPgDump as exc:
            # This PC cannot back the server up: give the lease up for a PC that can (or
            # the server's own scheduled backup); the overdue alert tells if none does.
            lease.release(db, JOB, db.workstation)
            problem = exc.message
        except BackupError as exc:
            problem = exc.message
            told += _tell(db, f"backup:failed:{today:%Y%m%d}", "Last night's backup failed",
                          f"{problem} Backup folder: {folder}", at)  # fmt: skip
    told += tell_if_stale(db, at, today)
    if written is None and not removed and not told and problem is None:
        return None
    return Nightly(written, removed, told, problem)


def tell_if_stale(db: Database, at: datetime, today: date) -> int:
    """Tell the managers and admins (once a day) when the last verified backup is older
    than two days — or, two days after the practice started, when there is none."""
    last = last_verified_backup(db)
    if last is not None:
        if at - last[0] <= STALE:
            return 0
        body = (
            f"The last good backup was made on {last[0]:%Y-%m-%d} ({last[2]}): {last[1]}. "
            "Check that the backup folder is reachable (is the USB drive plugged in?) and "
            "use Back up now in Admin › Backups."
        )
    else:
        with db.read() as session:
            started = session.scalar(select(func.min(User.created_at)))
        if started is None or at - started <= STALE:
            return 0
        body = "No backup has been made yet. Use Back up now in Admin › Backups."
    return _tell(db, f"backup:stale:{today:%Y%m%d}", "No good backup for over 2 days", body, at)


def _tell(db: Database, key: str, title: str, body: str, at: datetime) -> int:
    with db.read() as session:
        people = session.scalars(
            select(User.id)
            .join(UserRole, UserRole.user_id == User.id)
            .join(Role, Role.id == UserRole.role_id)
            .where(Role.key.in_(("manager", "admin")), User.active.is_(True))
            .distinct()
            .order_by(User.id)
        ).all()
    alerts = [Alert(uid, AlertKind.BACKUP, key, title, body[:1000]) for uid in people]
    return sum(1 for i in notifications.record(db, alerts, at) if i is not None)
