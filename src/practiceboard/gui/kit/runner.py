"""Run service and query calls off the GUI thread; results come back as signals.

Workers never touch widgets: a QRunnable calls the function, then emits the
result through a QObject that lives on the GUI thread, so the callback runs
there (queued connection).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot

from practiceboard.domain.errors import loggable

log = logging.getLogger(__name__)


class _Relay(QObject):
    done = Signal(object)
    failed = Signal(object)


class _Job(QRunnable):
    def __init__(self, fn: Callable[[], Any], relay: _Relay):
        super().__init__()
        self.fn, self.relay = fn, relay
        self.setAutoDelete(True)

    def run(self) -> None:  # worker thread
        try:
            result = self.fn()
        except Exception as exc:  # delivered to the GUI thread, shown there
            if not hasattr(exc, "message"):
                log.error("background job failed: %s", loggable(exc))  # no message: it may
                # quote SQL with the values bound to it
            self._deliver(self.relay.failed, exc)
            return
        self._deliver(self.relay.done, result)

    @staticmethod
    def _deliver(signal, value) -> None:
        try:
            signal.emit(value)
        except RuntimeError:
            pass  # the app is shutting down and the relay is gone: nobody is waiting


class Runner(QObject):
    """``runner.submit(fn, on_done, on_error)``: fn runs in the pool, callbacks on the GUI thread.

    ``busy_changed`` tells the status bar when work is in flight.
    """

    busy_changed = Signal(bool)

    def __init__(self, parent: QObject | None = None, pool: QThreadPool | None = None):
        super().__init__(parent)
        self.pool = pool or QThreadPool.globalInstance()
        self._in_flight: set[_Relay] = set()

    def submit(
        self,
        fn: Callable[[], Any],
        on_done: Callable[[Any], None] | None = None,
        on_error: Callable[[Exception], None] | None = None,
    ) -> None:
        relay = _Relay()  # created on the GUI thread, so its slots run there
        self._in_flight.add(relay)
        if len(self._in_flight) == 1:
            self.busy_changed.emit(True)

        def finish() -> None:
            self._in_flight.discard(relay)
            relay.deleteLater()
            if not self._in_flight:
                self.busy_changed.emit(False)

        @Slot(object)
        def done(result: Any) -> None:
            finish()
            if on_done is not None:
                on_done(result)

        @Slot(object)
        def failed(exc: Exception) -> None:
            finish()
            if on_error is not None:
                on_error(exc)
            else:
                log.error("unhandled background error: %s", loggable(exc))

        relay.done.connect(done)
        relay.failed.connect(failed)
        self.pool.start(_Job(fn, relay))

    @property
    def busy(self) -> bool:
        return bool(self._in_flight)

    def wait(self, msecs: int = 10_000) -> bool:
        """For shutdown and tests: wait until the pool is idle."""
        return self.pool.waitForDone(msecs)
