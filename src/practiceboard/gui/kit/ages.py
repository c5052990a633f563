"""Ages that tick: a card's ages were computed when its rows were read; between two
reads the screen adds the time since then, so "3m in status" becomes "4m in status"
a minute later without asking the database. ``AppSignals.minute`` asks every view
to repaint its ages; the main window emits it once a minute.
"""

from __future__ import annotations

import time
from collections.abc import Callable

MINUTE_MS = 60_000

clock: Callable[[], float] = time.monotonic  # tests move it


class ReadAt:
    """When a view's rows were read; ``since()`` is the seconds passed since then."""

    def __init__(self) -> None:
        self.at = clock()

    def mark(self) -> None:
        self.at = clock()

    def since(self) -> float:
        return max(0.0, clock() - self.at)
