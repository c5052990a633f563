"""Noticing other PCs' changes, so an open board keeps up without a restart.

A worker thread watches the database (``db.changes.watcher_for``): on SQLite it
reads ``PRAGMA data_version`` once a second on a connection of its own; on
PostgreSQL it waits on LISTEN/NOTIFY with a one-second timeout. Either way the
GUI thread never waits on the database. A change is re-emitted on the GUI thread
as ``ctx.signals.data_changed(Change.everything())`` — another PC's change could be
anything — which every view answers by refreshing itself.

Not yanking work away from the user
-----------------------------------
While a card is being dragged or a task is being edited, a refresh would move
things under the mouse. Such code holds the live updates; changes noticed
meanwhile are remembered and announced once when the last hold is released::

    from practiceboard.gui.shell import live

    with live.hold(ctx):            # a drag: QDrag.exec() runs inside the block
        drag.exec(Qt.DropAction.MoveAction)

    self._hold = live.hold(ctx)     # an editor that stays open across events
    ...
    self._hold.release()            # on close; releasing twice is harmless

``live.hold(ctx)`` works whether or not live updates run (a view under test gets
a hold that does nothing). The main window owns the one ``LiveUpdates``.

If the database cannot be reached (a PostgreSQL server restarting, a cable
pulled), the watcher reports ``offline_changed(True, sentence)``, retries with
a growing pause, and on reconnecting announces one change so views catch up.
"""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QThread, Signal, Slot

from practiceboard.domain.errors import plain_cause
from practiceboard.gui.kit.change import Change
from practiceboard.gui.kit.context import AppContext

if TYPE_CHECKING:
    from practiceboard.db.engine import Database

log = logging.getLogger(__name__)

POLL_SECONDS = 1.0  # SQLite poll interval and PostgreSQL wait; "a refresh tick"
RETRY_FIRST, RETRY_MAX = 1.0, 30.0  # seconds between reconnection attempts


class _WatchThread(QThread):
    ready = Signal()
    noticed = Signal()
    offline = Signal(str)
    online = Signal()

    def __init__(self, db: Database, interval: float, parent: QObject | None = None):
        super().__init__(parent)
        self.setObjectName("liveUpdatesThread")
        self.db, self.interval = db, interval
        self._stop = threading.Event()

    def run(self) -> None:  # worker thread: touches no widget, only emits
        # Imported here: the PostgreSQL watcher brings psycopg, which a SQLite start-up
        # should not wait for on the GUI thread.
        from practiceboard.db.changes import watcher_for

        watcher, retry, was_offline, first = None, RETRY_FIRST, False, True
        while not self._stop.is_set():
            try:
                if watcher is None:
                    watcher = watcher_for(self.db)
                    retry = RETRY_FIRST
                    if first:
                        first = False
                        self.ready.emit()
                    if was_offline:
                        was_offline = False
                        self.online.emit()
                        self.noticed.emit()  # whatever happened meanwhile
                if self.db.is_sqlite:
                    if watcher.changed():
                        self.noticed.emit()
                    self._stop.wait(self.interval)
                elif watcher.changed(timeout=self.interval):
                    self.noticed.emit()
            except Exception as exc:  # the database went away: say so, retry later
                if watcher is not None:
                    _close(watcher)
                    watcher = None
                if not was_offline:
                    was_offline = True
                    self.offline.emit(plain_cause(exc))
                self._stop.wait(retry)
                retry = min(retry * 2, RETRY_MAX)
        if watcher is not None:
            _close(watcher)

    def stop(self) -> None:
        self._stop.set()
        self.wait()


class Hold:
    """One hold on live updates; release it once (extra releases do nothing)."""

    def __init__(self, live: LiveUpdates | None):
        self._live = live
        if live is not None:
            live._holds += 1

    def release(self) -> None:
        live, self._live = self._live, None
        if live is not None:
            live._released()

    def __enter__(self) -> Hold:
        return self

    def __exit__(self, *exc) -> None:
        self.release()


class LiveUpdates(QObject):
    """Watches the database in a thread and emits ``ctx.signals.data_changed``.

    Lives as a child of ``ctx.signals`` so ``live.hold(ctx)`` can find it.
    """

    ready = Signal()  # watching: changes committed from now on will be noticed
    changed = Signal()  # after data_changed was emitted for another PC's change
    offline_changed = Signal(bool, str)  # offline?, a sentence for the status bar

    def __init__(self, ctx: AppContext, *, interval: float = POLL_SECONDS):
        super().__init__(ctx.signals)
        self.setObjectName("liveUpdates")
        self.ctx, self.interval = ctx, interval
        self._holds = 0
        self._pending = False
        self._thread: _WatchThread | None = None
        self.offline = False

    # ---------------------------------------------------------------- running

    def start(self) -> None:
        if self._thread is not None:
            return
        self._thread = _WatchThread(self.ctx.db, self.interval, self)
        self._thread.ready.connect(self.ready)
        self._thread.noticed.connect(self._noticed)
        self._thread.offline.connect(self._went_offline)
        self._thread.online.connect(self._came_back)
        self._thread.start()

    def stop(self) -> None:
        """Stop watching (and wait for the thread); call before the window goes away."""
        thread, self._thread = self._thread, None
        if thread is not None:
            thread.stop()
            thread.deleteLater()

    @property
    def running(self) -> bool:
        return self._thread is not None

    # ---------------------------------------------------------------- holding

    def hold(self) -> Hold:
        return Hold(self)

    @property
    def held(self) -> bool:
        return self._holds > 0

    @property
    def pending(self) -> bool:
        """A change was noticed during a hold and will be announced on release."""
        return self._pending

    def _released(self) -> None:
        self._holds = max(0, self._holds - 1)
        if not self._holds and self._pending:
            self._pending = False
            self._announce()

    # ---------------------------------------------------------------- notices (GUI thread)

    @Slot()
    def _noticed(self) -> None:
        if self._holds:
            self._pending = True
        else:
            self._announce()

    def _announce(self) -> None:
        self.ctx.signals.data_changed.emit(Change.everything())  # we cannot tell what
        self.changed.emit()

    @Slot(str)
    def _went_offline(self, detail: str) -> None:
        self.offline = True
        where = "database server" if not self.ctx.db.is_sqlite else "database file"
        self.offline_changed.emit(
            True, f"Offline: the {where} cannot be reached ({detail}). Retrying…"
        )

    @Slot()
    def _came_back(self) -> None:
        self.offline = False
        self.offline_changed.emit(False, "")


def current(ctx: AppContext) -> LiveUpdates | None:
    """The LiveUpdates running for this context, if any."""
    return ctx.signals.findChild(LiveUpdates, "liveUpdates")


def hold(ctx: AppContext) -> Hold:
    """Hold live updates for ``ctx`` (a no-op hold when none run). See the module docstring."""
    return Hold(current(ctx))


def _close(watcher) -> None:
    try:
        watcher.close()
    except Exception:  # already broken; nothing more to free
        log.debug("closing a broken watcher failed")
