"""domain.unchanged: one marker for 'the caller left this field alone'."""

from __future__ import annotations

from practiceboard.domain.unchanged import UNCHANGED, Unchanged, given


def test_there_is_one_marker():
    assert Unchanged() is UNCHANGED
    assert isinstance(UNCHANGED, Unchanged)
    assert repr(UNCHANGED) == "UNCHANGED"


def test_given_keeps_what_was_given_including_none():
    assert given(title="A", due_date=None, payer=UNCHANGED) == {"title": "A", "due_date": None}
    assert given() == {}
