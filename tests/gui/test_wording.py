"""kit/wording.py: the owner-after-a-move and day-name rules the board, the lists, the
detail dialog and the reason dialog share."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

from practiceboard.gui.kit.wording import month_day, new_owner, now_owns, owner_after, short_date

TODAY = date(2026, 11, 29)


def option(owner_after_id, name=None):
    return SimpleNamespace(owner_after_id=owner_after_id, owner_after_name=name)


def test_who_owns_the_task_after_a_move():
    card = SimpleNamespace(owner_id=1)
    assert new_owner(card, option(None), 5) is None  # the move keeps the owner
    assert new_owner(card, option(1, "Fran"), 5) is None
    assert new_owner(card, option(5, "Me"), 5) == "you"
    assert new_owner(card, option(7, "Dr. Pat Provider"), 5) == "Dr. Pat Provider"
    assert new_owner(card, option(7), 5) == "someone else"
    assert owner_after(card, option(5), 5) == "After this move, you will own the task."
    assert owner_after(card, option(1), 5) == ""


def test_the_sentence_after_a_saved_move_starts_with_a_capital():
    assert now_owns("you") == "You now own it."
    assert now_owns("Dr. Pat Provider") == "Dr. Pat Provider now owns it."
    assert now_owns("someone else") == "Someone else now owns it."


def test_day_names():
    assert short_date(TODAY, TODAY) == "Today"
    assert short_date(date(2026, 11, 30), TODAY) == "Tomorrow"
    assert short_date(date(2026, 11, 28), TODAY) == "Yesterday"
    assert short_date(date(2026, 3, 4), TODAY) == "Mar 4"
    assert month_day(TODAY, TODAY) == "Nov 29"
    assert month_day(date(2027, 3, 4), TODAY) == "Mar 4, 2027"
