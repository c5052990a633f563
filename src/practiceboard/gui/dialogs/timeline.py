"""A task's history and notes as plain-text list items, newest first, with times in
the practice's own time zone ("Wed Mar 4, 9:05 AM")."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QListWidget, QListWidgetItem

from practiceboard.core.rows import TimelineEntry
from practiceboard.domain.dates import moment_label
from practiceboard.gui.kit import theme
from practiceboard.gui.kit.tooltips import plain_tip
from practiceboard.gui.kit.wording import reason_words

# Which icon a kind of event wears in the list (status moves use the category icons).
KIND_ICONS = {
    "created": "new", "status": "active", "handoff": "queue", "decision": "review",
    "note": "reason", "reopen": "refresh", "edit": "active", "watch": "watched",
    "unwatch": "watched",
}  # fmt: skip


def entry_text(entry: TimelineEntry, zone: str) -> str:
    """Who and when, what happened, the reason and the note, one per line."""
    lines = [f"{moment_label(entry.at, zone)} · {entry.actor_name}"]
    if entry.kind != "note":
        lines.append(entry.summary)
    if entry.reason_label:
        lines.append(f"Reason: {reason_words(entry.reason_label)}")
    if entry.note:
        lines.append(entry.note if entry.kind == "note" else f"Note: {entry.note}")
    return "\n".join(lines)


def fill_timeline(widget: QListWidget, entries: Sequence[TimelineEntry], zone: str) -> None:
    widget.clear()
    for entry in reversed(entries):
        item = QListWidgetItem(theme.icon(KIND_ICONS.get(entry.kind, "active")), "")
        item.setText(entry_text(entry, zone))
        item.setToolTip(plain_tip(entry.summary))
        item.setFlags(Qt.ItemFlag.ItemIsEnabled)
        widget.addItem(item)


def fill_notes(widget: QListWidget, entries: Sequence[TimelineEntry], zone: str) -> int:
    """The notes only; returns how many there are."""
    widget.clear()
    notes = [e for e in entries if e.kind == "note"]
    for entry in reversed(notes):
        item = QListWidgetItem(entry_text(entry, zone))
        item.setFlags(Qt.ItemFlag.ItemIsEnabled)
        widget.addItem(item)
    if not notes:
        empty = QListWidgetItem("No notes yet. Add the first one below.")
        empty.setFlags(Qt.ItemFlag.NoItemFlags)
        widget.addItem(empty)
    return len(notes)
