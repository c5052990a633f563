"""Searching text with SQL LIKE, where what the user typed matches literally.

A user searching for "50%" or "a_b" means those characters, not wildcards, so
every LIKE the app builds escapes ``%``, ``_`` and the escape character itself,
and names the same escape character. The pattern is always a bound parameter.
"""

from __future__ import annotations

from sqlalchemy.sql.elements import ColumnElement

# "/" rather than a backslash: it needs no quoting in SQL on either engine.
LIKE_ESCAPE = "/"


def escape_like(text: str) -> str:
    """``text`` with the LIKE wildcards (and the escape character) escaped."""
    for ch in (LIKE_ESCAPE, "%", "_"):
        text = text.replace(ch, LIKE_ESCAPE + ch)
    return text


def contains(column: ColumnElement, text: str) -> ColumnElement:
    """``column`` contains ``text`` (as typed; lower-case both sides yourself)."""
    return column.like(f"%{escape_like(text)}%", escape=LIKE_ESCAPE)


def starts_with(column: ColumnElement, text: str) -> ColumnElement:
    """``column`` begins with ``text`` (as typed)."""
    return column.like(f"{escape_like(text)}%", escape=LIKE_ESCAPE)
