"""core.like: what the user typed matches literally, on both engines."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from practiceboard.core.like import LIKE_ESCAPE, contains, escape_like, starts_with
from practiceboard.db.models import Patient

NAMES = ["50% off", "5000 off", "a_b", "axb", "back\\slash", "one/two", "onextwo", "plain"]


def test_escape_like_escapes_the_wildcards_and_itself():
    assert escape_like("50%") == f"50{LIKE_ESCAPE}%"
    assert escape_like("a_b") == f"a{LIKE_ESCAPE}_b"
    assert escape_like(LIKE_ESCAPE) == LIKE_ESCAPE * 2
    assert escape_like("plain text") == "plain text"


@pytest.fixture
def names(db):
    at = datetime(2026, 3, 4, tzinfo=UTC)
    with db.write() as s:
        for i, name in enumerate(NAMES):
            s.add(Patient(mrn=f"M-{i}", display_name=name, search_name=name, active=True,
                          version=1, created_at=at, updated_at=at))  # fmt: skip
    return db


def _found(db, condition) -> list[str]:
    with db.read() as s:
        return sorted(s.scalars(select(Patient.search_name).where(condition)))


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("0%", ["50% off"]),
        ("a_b", ["a_b"]),
        ("\\", ["back\\slash"]),
        ("/", ["one/two"]),
        ("off", ["50% off", "5000 off"]),
    ],
)
def test_contains_matches_what_was_typed(names, typed, expected):
    assert _found(names, contains(Patient.search_name, typed)) == expected


def test_starts_with_is_a_literal_prefix(names):
    assert _found(names, starts_with(Patient.search_name, "50%")) == ["50% off"]
    assert _found(names, starts_with(func.lower(Patient.search_name), "ONE/".lower())) == [
        "one/two"
    ]
    assert _found(names, starts_with(Patient.search_name, "%")) == []
