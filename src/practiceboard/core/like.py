"""Searching text with SQL LIKE, where what the user typed matches literally.

A user searching for "50%" or "a_b" means those characters, not wildcards, so
every LIKE the app builds escapes ``%``, ``_`` and the escape character itself,
and names the same escape character. The pattern is always a bound parameter.
"""

from __future__ import annotations

import re

from sqlalchemy.sql.elements import ColumnElement

from practiceboard.domain.errors import ValidationError

# "/" rather than a backslash: it needs no quoting in SQL on either engine.
LIKE_ESCAPE = "/"


# A NUL byte (PostgreSQL refuses it in any text parameter) or half of a UTF-16 pair
# (no engine can encode it) can never match stored text, which refuses both.
_UNSEARCHABLE = re.compile("[\x00\ud800-\udfff]")


def escape_like(text: str) -> str:
    """``text`` with the LIKE wildcards (and the escape character) escaped; a search
    for a character no stored text can hold is refused with a sentence (a raw
    ``DataError`` on PostgreSQL before)."""
    if _UNSEARCHABLE.search(text):
        raise ValidationError(
            "The search contains a hidden character that no record can hold (pasted from "
            "another program?). Type the search again.",
            "search",
        )
    for ch in (LIKE_ESCAPE, "%", "_"):
        text = text.replace(ch, LIKE_ESCAPE + ch)
    return text


def contains(column: ColumnElement, text: str) -> ColumnElement:
    """``column`` contains ``text`` (as typed; lower-case both sides yourself)."""
    return column.like(f"%{escape_like(text)}%", escape=LIKE_ESCAPE)


def starts_with(column: ColumnElement, text: str) -> ColumnElement:
    """``column`` begins with ``text`` (as typed)."""
    return column.like(f"{escape_like(text)}%", escape=LIKE_ESCAPE)
