"""Scheduled alert jobs, their results handed to the GUI thread as signals.

Two jobs per signed-in app: this person's scan and hand-over (every minute), and
the practice-wide scan that records alerts for everyone (every five minutes, on one
PC at a time, under a lease), so a person whose app is closed still finds their
alerts waiting and the managers get their bundle of breaches.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, Signal

from practiceboard.core.actor import Actor
from practiceboard.db.engine import Database
from practiceboard.gui.kit.errors import sentence
from practiceboard.jobs import alerts, care, weekly_report
from practiceboard.jobs import backup as nightly_backup
from practiceboard.jobs.alerts import PRACTICE_SCAN_SECONDS, SCAN_SECONDS
from practiceboard.jobs.scheduler import Scheduler

log = logging.getLogger(__name__)

PAUSE_SECONDS = 3600


class AlertBridge(QObject):
    """``delivered(list[Delivery])`` on the GUI thread whenever something is to be shown;
    ``failed(str)`` when a scan could not run (the database is away: it retries)."""

    delivered = Signal(object)
    failed = Signal(str)
    paused_changed = Signal(bool)

    def __init__(
        self,
        db: Database,
        actor: Actor,
        parent: QObject | None = None,
        *,
        every: float = SCAN_SECONDS,
        practice_every: float = PRACTICE_SCAN_SECONDS,
        first_in: float = 2.0,
    ):
        super().__init__(parent)
        self.db, self.actor = db, actor
        self._mine = f"alerts:{actor.user_id}"
        self.paused = False
        self.scheduler = Scheduler(db, db.workstation, self._result, self._error)
        self.scheduler.every(self._mine, self._my_alerts, every, first_in=first_in)
        self.scheduler.practice_wide(
            "alerts:practice", self._practice, practice_every, first_in=first_in
        )
        # Care plan tasks generated ahead (issue 8): practice-wide, as this PC's user.
        self.scheduler.practice_wide(
            care.JOB, lambda: care.generate(db, actor, db.workstation), care.EVERY_SECONDS,
            first_in=first_in + 30,
        )  # fmt: skip
        # The Monday aging report: written once, on one PC, caught up at the next start.
        self.scheduler.practice_wide(
            weekly_report.JOB_NAME, self._weekly_report, weekly_report.CHECK_SECONDS,
            first_in=first_in + 20,
        )  # fmt: skip
        # The nightly backup (issue 12): once a night, on one PC; overdue backups told.
        self.scheduler.practice_wide(
            nightly_backup.JOB, lambda: nightly_backup.run(db), nightly_backup.CHECK_SECONDS,
            first_in=first_in + 40,
        )  # fmt: skip

    # ---------------------------------------------------------------- in the pool

    def _my_alerts(self):
        alerts.scan(self.db, user_id=self.actor.user_id)
        return alerts.deliver(self.db, self.actor.user_id)

    def _practice(self):
        return len(alerts.scan(self.db))

    def _weekly_report(self):
        from practiceboard.gui.printing.document import write_pdf

        return weekly_report.run(self.db, write_pdf)

    def _result(self, name: str, value) -> None:  # a pool thread: only emit
        if name != self._mine:
            return
        if self.paused:
            self.paused = False
            self.paused_changed.emit(False)
        if value:
            self.delivered.emit(value)  # queued to the GUI thread

    def _error(self, name: str, exc: BaseException) -> None:
        # Never the driver's own text (it may quote SQL and patient text): plain words.
        self.failed.emit(f"Alerts could not be checked: {sentence(exc, '{detail}.')}")

    # ---------------------------------------------------------------- control

    def start(self) -> None:
        if not self.scheduler.running:
            self.scheduler.start()

    def check_now(self) -> None:
        """Scan and hand over at once, in the caller's thread (tests, "check now")."""
        self.scheduler.run_now(self._mine)

    def pause(self, seconds: float = PAUSE_SECONDS) -> None:
        """Show nothing for a while; alerts are still recorded and arrive afterwards."""
        self.scheduler.postpone(self._mine, seconds)
        self.paused = True
        self.paused_changed.emit(True)

    def stop(self) -> None:
        self.scheduler.shutdown()
