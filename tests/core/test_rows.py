"""core.rows: the one sentence part for 'who owns it after this move'."""

from __future__ import annotations

from practiceboard.core.rows import MoveOption


def _option(owner_after_id, owner_after_name=None) -> MoveOption:
    return MoveOption(7, "Review", "review", True, None, None, owner_after_id, owner_after_name)


def test_new_owner_name():
    assert _option(None).new_owner_name(1, 1) is None  # not allowed: nobody computed
    assert _option(1, "Fran").new_owner_name(1, 2) is None  # stays with its owner
    assert _option(2, "Pat").new_owner_name(1, 2) == "you"
    assert _option(3, "Dr. Pat").new_owner_name(1, 2) == "Dr. Pat"
    assert _option(3).new_owner_name(1, 2) == "someone else"
