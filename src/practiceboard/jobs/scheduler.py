"""The app's scheduler: APScheduler in a background thread pool, no Qt.

Each job is a plain function returning a plain value; the scheduler hands the value
(or the exception) to ``on_result(name, value)`` / ``on_error(name, exc)``, which
in the desktop app is a Qt bridge that re-emits it as a signal on the GUI thread.

- Missed runs coalesce: after sleep or a busy spell a job runs once to catch up,
  not once per missed interval (``coalesce=True``, no misfire limit).
- A job never overlaps itself (``max_instances=1``).
- Practice-wide jobs first take their lease (``jobs.lease``); the PC that does not
  hold it skips the run.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger

from practiceboard.db.engine import Database
from practiceboard.domain.errors import loggable
from practiceboard.jobs import lease

log = logging.getLogger(__name__)

SKIPPED = object()  # what a practice-wide job "returns" on a PC without its lease


class Scheduler:
    def __init__(
        self,
        db: Database,
        holder: str,
        on_result: Callable[[str, Any], None],
        on_error: Callable[[str, BaseException], None] | None = None,
    ):
        self.db, self.holder = db, holder
        self.on_result, self.on_error = on_result, on_error
        self._jobs: dict[str, Callable[[], Any]] = {}
        self._leased: set[str] = set()  # practice-wide jobs: theirs to give up on shutdown
        self._aps = BackgroundScheduler(
            timezone=UTC,
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
        )

    # ---------------------------------------------------------------- jobs

    def every(self, name: str, fn: Callable[[], Any], seconds: float, *, first_in: float = 0.0):
        """A per-PC job (e.g. the signed-in user's alert scan)."""
        self._add(name, fn, seconds, first_in)

    def practice_wide(
        self,
        name: str,
        fn: Callable[[], Any],
        seconds: float,
        *,
        first_in: float = 0.0,
        lease_seconds: float | None = None,
    ):
        """A job that must run on one PC only; the lease lasts ``lease_seconds`` (default:
        the interval), so another PC takes over within two periods of this one stopping."""
        period = timedelta(seconds=lease_seconds or seconds)

        def leased() -> Any:
            if not lease.take(self.db, name, self.holder, period):
                return SKIPPED
            result = fn()
            lease.ran(self.db, name, self.holder)
            return result

        self._leased.add(name)
        self._add(name, leased, seconds, first_in)

    def _add(self, name: str, fn: Callable[[], Any], seconds: float, first_in: float) -> None:
        self._jobs[name] = fn
        start = datetime.now(UTC) + timedelta(seconds=first_in)
        self._aps.add_job(
            self._run, IntervalTrigger(seconds=seconds, timezone=UTC), args=(name,), id=name,
            name=name, next_run_time=start, replace_existing=True,
        )  # fmt: skip

    def _run(self, name: str) -> None:  # a pool thread: no widgets, only callbacks
        try:
            result = self._jobs[name]()
        except Exception as exc:
            log.error("scheduled job %s failed: %s", name, loggable(exc))
            if self.on_error is not None:
                self.on_error(name, exc)
            return
        if result is not SKIPPED:
            self.on_result(name, result)

    def run_now(self, name: str) -> None:
        """Run a job once, now, in the caller's thread (the CLI, tests, "check now")."""
        self._run(name)

    def postpone(self, name: str, seconds: float) -> None:
        """Skip runs for a while (e.g. "pause alerts for 1 hour")."""
        job = self._aps.get_job(name)
        if job is not None:
            job.modify(next_run_time=datetime.now(UTC) + timedelta(seconds=seconds))

    # ---------------------------------------------------------------- life

    def start(self) -> None:
        self._aps.start()

    @property
    def running(self) -> bool:
        return self._aps.running

    def shutdown(self) -> None:
        """Stop; a job in flight finishes, and this PC's leases are given up."""
        if self._aps.running:
            self._aps.shutdown(wait=True)
        for name in self._leased:
            try:
                lease.release(self.db, name, self.holder)
            except Exception:  # the database may be gone already (offline): leases expire
                log.warning("could not release the lease of %s", name)
