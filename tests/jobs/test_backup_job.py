"""The nightly backup job, on both engines: due from the practice's backup time, written
once a night into the backup folder and recorded, 7 daily and 4 weekly copies kept, a
failure and an overdue backup told to the managers and admins once a day."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from practiceboard.core.clock import now
from practiceboard.db.backup import last_verified_backup
from practiceboard.db.models import Notification, Setting
from practiceboard.jobs import backup
from support import ny, use_new_york


def backup_at(db, hhmm: str) -> None:
    """The practice's nightly backup time (Practice settings); these tests use 02:00."""
    with db.write() as s:
        row = s.get(Setting, "backup_time")
        if row is None:
            s.add(Setting(key="backup_time", value=hhmm, updated_at=now()))
        else:
            row.value = hhmm


def told(db) -> list[tuple[int, str, str]]:
    with db.read() as s:
        return s.execute(
            select(Notification.user_id, Notification.kind, Notification.title)
            .order_by(Notification.id)
        ).tuples().all()  # fmt: skip


def test_written_once_a_night_after_the_backup_time_and_recorded(db, clock, staff, tmp_path):
    use_new_york(db)
    backup_at(db, "02:00")
    clock.set(ny(2026, 3, 5, 1, 50))
    assert backup.run(db, folder=tmp_path) is None  # before 02:00 practice time
    done = backup.run(db, at=ny(2026, 3, 5, 2, 5), folder=tmp_path)
    assert done is not None and done.written is not None and done.problem is None
    assert done.written.name.endswith("-nightly-20260305" + (".db" if db.is_sqlite else ".dump"))
    assert last_verified_backup(db)[1] == str(done.written)
    assert backup.run(db, at=ny(2026, 3, 5, 2, 15), folder=tmp_path) is None  # already there
    assert told(db) == []


def test_seven_daily_and_four_weekly_copies_are_kept():
    today = date(2026, 3, 31)  # a Tuesday
    days = [today - timedelta(days=n) for n in range(60)]
    keep = backup.to_keep(days, today)
    daily = {today - timedelta(days=n) for n in range(7)}
    sundays = {date(2026, 3, 29), date(2026, 3, 22), date(2026, 3, 15), date(2026, 3, 8)}
    assert keep == daily | sundays


def test_old_nightly_copies_are_removed_others_left(tmp_path):
    today = date(2026, 3, 31)
    for n in range(40):
        day = today - timedelta(days=n)
        (tmp_path / f"practiceboard-x-1-nightly-{day:%Y%m%d}.db").write_bytes(b"x")
    manual = tmp_path / "practiceboard-20260101-000000-1-manual.db"
    manual.write_bytes(b"x")
    removed = backup.prune(tmp_path, today)
    assert len(removed) == 40 - 10  # 7 days + 3 older Sundays (the 29th is a daily)
    assert manual.exists()
    assert len(backup.nightly_files(tmp_path)) == 10


def test_a_failed_backup_and_an_overdue_one_are_told_once_a_day(db, clock, staff, tmp_path):
    use_new_york(db)
    backup_at(db, "02:00")
    blocked = tmp_path / "usb-drive"
    blocked.write_text("a file where the folder should be")  # the folder cannot be made
    with db.write() as s:
        s.add(Setting(key="backup_folder", value=str(blocked / "backups"), updated_at=clock.now))
    clock.set(ny(2026, 3, 5, 3))
    done = backup.run(db)
    assert done is not None and done.written is None and "could not be written" in done.problem
    people = sorted([staff.admin.user_id, staff.manager.user_id])
    assert told(db) == [(uid, "backup", "Last night's backup failed") for uid in people]
    backup.run(db)  # tried again ten minutes later: fails again, told once a night
    assert len(told(db)) == 2

    clock.set(ny(2026, 3, 7, 3))  # the practice began on the 4th: no backup in 2 days
    backup.run(db)
    assert [t[2] for t in told(db)[2:]].count("No good backup for over 2 days") == 2
    backup.run(db, at=ny(2026, 3, 7, 9))
    assert [t[2] for t in told(db)].count("No good backup for over 2 days") == 2


def test_a_backup_made_another_way_tonight_counts_and_a_pc_without_pg_dump_steps_aside(
    db, clock, staff, tmp_path, monkeypatch
):
    from practiceboard.db import backup as db_backup
    from practiceboard.jobs import lease

    use_new_york(db)
    backup_at(db, "02:00")
    folder = tmp_path / "backups"
    db_backup.record_backup(db, tmp_path / "from-the-server.dump", ny(2026, 3, 5, 2, 30))
    assert backup.run(db, at=ny(2026, 3, 5, 3), folder=folder) is None
    assert not folder.exists()

    def no_pg_dump(*_a, **_k):
        raise db_backup.NoPgDump("pg_dump is not installed on this PC.")

    monkeypatch.setattr(backup, "backup_database", no_pg_dump)
    assert lease.take(db, backup.JOB, db.workstation, timedelta(minutes=10), ny(2026, 3, 6, 3))
    done = backup.run(db, at=ny(2026, 3, 6, 3), folder=folder)
    assert done is not None and done.problem == "pg_dump is not installed on this PC."
    assert told(db) == []  # no alarm for a PC that cannot: the overdue alert covers it
    assert lease.holder_of(db, backup.JOB, ny(2026, 3, 6, 3, 1)) is None  # given up


def test_the_default_time_is_ten_at_night_and_an_empty_time_switches_it_off(
    db, clock, staff, tmp_path
):
    use_new_york(db)
    assert backup.run(db, at=ny(2026, 3, 5, 21, 50), folder=tmp_path) is None
    done = backup.run(db, at=ny(2026, 3, 5, 22, 5), folder=tmp_path)
    assert done is not None and done.written is not None
    backup_at(db, "")
    assert backup.run(db, at=ny(2026, 3, 6, 23), folder=tmp_path) is None  # off
    assert len(backup.nightly_files(tmp_path)) == 1
