"""kit/wording.py: the owner-after-a-move and day-name sentences the board, the lists,
the detail dialog and the reason dialog share, over the rules they stand on
(MoveOption.new_owner_name, domain.dates.day_label)."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

from practiceboard.core.rows import MoveOption
from practiceboard.domain.dates import day_label
from practiceboard.gui.kit.wording import now_owns, owner_after, short_date

TODAY = date(2026, 11, 29)


def option(owner_after_id, name=None) -> MoveOption:
    return MoveOption(
        to_status_id=2, to_status_name="Next", category="active", allowed=True, blocker=None,
        reason_kind=None, owner_after_id=owner_after_id, owner_after_name=name,
    )  # fmt: skip


def test_who_owns_the_task_after_a_move():
    card = SimpleNamespace(owner_id=1)
    assert option(None).new_owner_name(card.owner_id, 5) is None  # the move keeps the owner
    assert option(1, "Fran").new_owner_name(card.owner_id, 5) is None
    assert option(5, "Me").new_owner_name(card.owner_id, 5) == "you"
    assert option(7, "Dr. Pat Provider").new_owner_name(card.owner_id, 5) == "Dr. Pat Provider"
    assert option(7).new_owner_name(card.owner_id, 5) == "someone else"
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
    assert day_label(TODAY, TODAY) == "Nov 29"
    assert day_label(date(2027, 3, 4), TODAY) == "Mar 4, 2027"
