"""Tooltips that carry what people typed (titles, names, notes, filter words).

Qt shows a tooltip as rich text whenever it *looks* like HTML (``Qt.mightBeRichText``),
so a title "<b>x</b>" would be shown as a bold x and a stray "<" could swallow the rest.
``plain_tip`` escapes every line and marks the whole as rich text, so Qt shows exactly
the characters given, line breaks kept.
"""

from __future__ import annotations

import html


def plain_tip(text: str | None) -> str:
    """A tooltip showing ``text`` literally ('' for nothing: no tooltip)."""
    if not text:
        return ""
    return "<qt>" + "<br>".join(html.escape(line) for line in text.split("\n")) + "</qt>"
