"""Fixtures for the read-side tests (shared helpers are in tests/support/): their
``clock`` replaces the one of tests/conftest.py."""

from __future__ import annotations

import pytest

from support import WED_10AM, Clock, use_new_york


@pytest.fixture
def clock(db, monkeypatch: pytest.MonkeyPatch) -> Clock:
    """The practice in New York and the clock at Wednesday 10:00 there (movable)."""
    use_new_york(db)
    return Clock(monkeypatch, WED_10AM)
