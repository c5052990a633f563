"""The scheduler runs jobs off the calling thread, hands results to a callback,
catches up once after a missed spell, and runs practice-wide jobs on the lease
holder only."""

from __future__ import annotations

import threading
import time

from practiceboard.jobs import lease
from practiceboard.jobs.scheduler import Scheduler


class Collector:
    def __init__(self):
        self.results, self.errors, self.threads = [], [], set()
        self.event = threading.Event()

    def on_result(self, name, value):
        self.results.append((name, value))
        self.threads.add(threading.get_ident())
        self.event.set()

    def on_error(self, name, exc):
        self.errors.append((name, str(exc)))
        self.event.set()


def test_a_job_runs_in_the_pool_and_reports_through_the_callback(sqlite_db):
    got = Collector()
    sched = Scheduler(sqlite_db, "pc-1", got.on_result, got.on_error)
    sched.every("scan", lambda: 42, seconds=3600)
    sched.start()
    try:
        assert got.event.wait(10)
    finally:
        sched.shutdown()
    assert got.results == [("scan", 42)]
    assert threading.get_ident() not in got.threads


def test_missed_runs_coalesce_into_one_catch_up(sqlite_db):
    got = Collector()
    sched = Scheduler(sqlite_db, "pc-1", got.on_result)
    # Due an hour ago with a one-minute interval: sixty missed runs, as after a sleep.
    sched.every("scan", lambda: "ran", seconds=60, first_in=-3600)
    sched.start()
    try:
        assert got.event.wait(10)
        time.sleep(0.5)
    finally:
        sched.shutdown()
    assert got.results == [("scan", "ran")]


def test_a_failing_job_is_reported_and_the_scheduler_goes_on(sqlite_db):
    got = Collector()
    sched = Scheduler(sqlite_db, "pc-1", got.on_result, got.on_error)

    def broken():
        raise RuntimeError("database offline")

    sched.every("broken", broken, seconds=3600)
    sched.run_now("broken")
    assert got.errors == [("broken", "database offline")] and got.results == []


def test_a_practice_wide_job_runs_only_where_the_lease_is_held(sqlite_db):
    first, second = Collector(), Collector()
    one = Scheduler(sqlite_db, "pc-1", first.on_result)
    two = Scheduler(sqlite_db, "pc-2", second.on_result)
    for sched in (one, two):
        sched.practice_wide("care-tasks", lambda: "generated", seconds=600)
    one.run_now("care-tasks")
    two.run_now("care-tasks")
    assert first.results == [("care-tasks", "generated")] and second.results == []
    assert lease.holder_of(sqlite_db, "care-tasks") == "pc-1"
    one.shutdown()  # a clean exit releases the lease: the other PC takes over at once
    two.run_now("care-tasks")
    assert second.results == [("care-tasks", "generated")]
