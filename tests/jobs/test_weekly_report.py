"""The Monday report job: due from the report day and time (Monday 07:00 practice time
unless configured), written once into the reports folder, caught up after a missed
Monday, and the managers told with the file to open."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from practiceboard.db.models import Notification, Setting
from practiceboard.domain.weeks import Week
from practiceboard.jobs import weekly_report
from practiceboard.reports.weekly import WeeklyReport, to_html
from support import ny, use_new_york, weekly_history
from support.weekly import THIS


def as_html(report: WeeklyReport, path: Path) -> Path:
    """The document the PDF printer lays out (tests/gui draws the real PDF)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(to_html(report), encoding="utf-8")
    return path


@pytest.fixture
def practice(db, staff, clock):
    use_new_york(db)
    weekly_history(db, staff, clock)
    return db


def told(db) -> list[tuple[int, str, str]]:
    with db.read() as s:
        return s.execute(
            select(Notification.user_id, Notification.kind, Notification.body)
        ).tuples().all()  # fmt: skip


def test_due_from_monday_seven_practice_time(practice):
    assert weekly_report.due_week(practice, ny(2025, 7, 14, 6, 59)) is None
    assert weekly_report.due_week(practice, ny(2025, 7, 14, 7, 0)) == THIS
    assert weekly_report.due_week(practice, ny(2025, 7, 17, 12)) == THIS  # later that week


def test_written_once_and_the_managers_told(practice, staff, tmp_path):
    at = ny(2025, 7, 14, 7, 5)
    assert weekly_report.run(practice, as_html, at=at, folder=tmp_path) is not None
    path = tmp_path / "Weekly aging report 2025-W28.pdf"
    assert "Weekly aging report" in path.read_text(encoding="utf-8")
    assert told(practice) == [(staff.manager.user_id, "report_ready", str(path))]
    # every five minutes after: the file is there, nothing more to do
    assert weekly_report.run(practice, as_html, at=at.replace(minute=10), folder=tmp_path) is None
    assert len(told(practice)) == 1


def test_a_missed_monday_is_caught_up_once(practice, tmp_path):
    wednesday = ny(2025, 7, 16, 9)
    written = weekly_report.run(practice, as_html, at=wednesday, folder=tmp_path)
    assert written is not None and written.week == "2025-W28"
    assert weekly_report.run(practice, as_html, at=wednesday, folder=tmp_path) is None


def test_the_day_time_and_folder_are_settings(practice, tmp_path):
    shared = tmp_path / "shared"
    stamp = datetime.now(UTC)
    with practice.write() as s:
        for key, value in (("weekly_report_day", 2), ("weekly_report_time", "09:30"),
                           ("reports_folder", str(shared))):  # fmt: skip
            s.merge(Setting(key=key, value=value, updated_at=stamp))
    assert weekly_report.due_week(practice, ny(2025, 7, 16, 9, 29)) is None
    assert weekly_report.due_week(practice, ny(2025, 7, 16, 9, 30)) == THIS
    assert weekly_report.reports_folder(practice) == shared
    written = weekly_report.run(practice, as_html, at=ny(2025, 7, 16, 10))
    assert written.path == shared / "Weekly aging report 2025-W28.pdf"
    assert Week(THIS.monday).label == written.week
