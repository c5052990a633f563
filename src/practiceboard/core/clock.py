"""The one clock everything that stamps or compares a time asks.

Tests (and the demo, which replays months of history) replace ``source``;
``now()`` always reads it at call time, so a replacement takes effect everywhere.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

source: Callable[[], datetime] = lambda: datetime.now(UTC)  # noqa: E731


def now() -> datetime:
    return source()
