"""Sentences the client shows in more than one place, written once: who will own a
task after a move, who owns it now, and how near a day is. The rules under them live
below gui/ (``MoveOption.new_owner_name``, ``domain.dates``); these are only how the
desktop client says them."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from practiceboard.domain.dates import day_label

if TYPE_CHECKING:
    from practiceboard.core.rows import Card, MoveOption


def now_owns(name: str) -> str:
    """'You now own it.' / 'Dr. Pat Provider now owns it.' after a saved move (a
    sentence, so "someone else" starts with a capital)."""
    verb = "own" if name == "you" else "owns"
    return f"{name[0].upper()}{name[1:]} now {verb} it."


def owner_after(card: Card, option: MoveOption, actor_id: int | None) -> str:
    """'After this move, NAME will own the task.' — or '' when the owner stays."""
    name = option.new_owner_name(card.owner_id, actor_id)
    return f"After this move, {name} will own the task." if name else ""


def short_date(day: date, today: date) -> str:
    """ "Today", "Tomorrow", "Yesterday", else ``domain.dates.day_label``."""
    delta = (day - today).days
    if delta == 0:
        return "Today"
    if delta == 1:
        return "Tomorrow"
    if delta == -1:
        return "Yesterday"
    return day_label(day, today)


def reason_words(label: str | None) -> str:
    """A reason's label as an outcome shows it: without the picker's helper text
    ("Other (note required)" reads "Other")."""
    if not label:
        return ""
    text = label.strip()
    if text.lower().endswith("(note required)"):
        text = text[: -len("(note required)")].rstrip()
    return text
