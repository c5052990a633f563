"""Words the client shows in more than one place, written once: who owns a task after
a move, and how a day is named. (A rule the services also need belongs below gui/;
these are only about how the desktop client says things.)"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from practiceboard.core.rows import Card, MoveOption


def new_owner(card: Card, option: MoveOption, actor_id: int | None) -> str | None:
    """Who the task goes to with this move: "you", a name, "someone else"; None when
    its owner stays."""
    if option.owner_after_id is None or option.owner_after_id == card.owner_id:
        return None
    if option.owner_after_id == actor_id:
        return "you"
    return option.owner_after_name or "someone else"


def now_owns(name: str) -> str:
    """'You now own it.' / 'Dr. Pat Provider now owns it.' after a saved move (a
    sentence, so "someone else" starts with a capital)."""
    verb = "own" if name == "you" else "owns"
    return f"{name[0].upper()}{name[1:]} now {verb} it."


def owner_after(card: Card, option: MoveOption, actor_id: int | None) -> str:
    """'After this move, NAME will own the task.' — or '' when the owner stays."""
    name = new_owner(card, option, actor_id)
    return f"After this move, {name} will own the task." if name else ""


def month_day(day: date, today: date) -> str:
    """ "Mar 4", or "Mar 4, 2027" in another year than today's."""
    text = f"{day:%b} {day.day}"
    return text if day.year == today.year else f"{text}, {day.year}"


def short_date(day: date, today: date) -> str:
    """ "Today", "Tomorrow", "Yesterday", else ``month_day``."""
    delta = (day - today).days
    if delta == 0:
        return "Today"
    if delta == 1:
        return "Tomorrow"
    if delta == -1:
        return "Yesterday"
    return month_day(day, today)
