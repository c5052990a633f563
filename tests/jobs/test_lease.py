"""Practice-wide jobs: one PC holds the lease; another takes over once it expires."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from practiceboard.jobs import lease

T0 = datetime(2026, 3, 4, 15, 0, tzinfo=UTC)
MINUTE = timedelta(minutes=1)


def test_one_holder_at_a_time_and_takeover_after_expiry(db):
    assert lease.take(db, "care-tasks", "pc-1", MINUTE, T0)
    assert not lease.take(db, "care-tasks", "pc-2", MINUTE, T0 + timedelta(seconds=30))
    assert lease.take(db, "care-tasks", "pc-1", MINUTE, T0 + timedelta(seconds=50))  # renewed
    assert not lease.take(db, "care-tasks", "pc-2", MINUTE, T0 + timedelta(seconds=100))
    # pc-1 went to sleep: its lease ran out at 1:50; pc-2 takes over.
    assert lease.take(db, "care-tasks", "pc-2", MINUTE, T0 + timedelta(seconds=111))
    assert lease.holder_of(db, "care-tasks", T0 + timedelta(seconds=112)) == "pc-2"
    assert not lease.take(db, "care-tasks", "pc-1", MINUTE, T0 + timedelta(seconds=120))


def test_a_clean_exit_gives_the_lease_up_at_once(db):
    assert lease.take(db, "report", "pc-1", MINUTE, T0)
    lease.release(db, "report", "pc-1", T0 + timedelta(seconds=5))
    assert lease.holder_of(db, "report", T0 + timedelta(seconds=6)) is None
    assert lease.take(db, "report", "pc-2", MINUTE, T0 + timedelta(seconds=6))


def test_only_the_holder_records_a_run_or_releases(db):
    assert lease.take(db, "backup", "pc-1", MINUTE, T0)
    lease.release(db, "backup", "pc-2", T0)  # not theirs: nothing happens
    assert lease.holder_of(db, "backup", T0) == "pc-1"
    lease.ran(db, "backup", "pc-1", T0)
    lease.ran(db, "backup", "pc-2", T0 + MINUTE)
    from practiceboard.db.models import SchedulerLease

    with db.read() as s:
        assert s.get(SchedulerLease, "backup").last_run_at == T0
