"""The editable fields of a task as plain values: what was loaded, how two values
compare (the way the service would store them) and how one reads to a person."""

from __future__ import annotations

from datetime import date

from practiceboard.core.rows import PRIORITY_LABELS, TaskDetail

# In form order; the names services.task_actions.edit_task takes.
FIELDS = ("title", "details", "due_date", "priority", "payer", "provider_id")
FIELD_LABELS = {
    "title": "Title", "details": "Details", "due_date": "Due date", "priority": "Priority",
    "payer": "Payer", "provider_id": "Provider",
}  # fmt: skip


def values_of(detail: TaskDetail) -> dict:
    card = detail.card
    return {
        "title": card.title,
        "details": detail.details,
        "due_date": card.due_date,
        "priority": card.priority,
        "payer": card.payer,
        "provider_id": card.provider_id,
    }


def normalized(key: str, value):
    """The value as the service would store it, so stray spaces are not an edit."""
    if key == "title":
        return " ".join((value or "").split())
    if key == "payer":
        return " ".join((value or "").split()) or None
    if key == "details":
        return (value or "").strip()
    return value


def display_value(key: str, value, provider_names: dict) -> str:
    if value is None or value == "":
        return {"due_date": "no due date", "provider_id": "no provider"}.get(key, "(empty)")
    if key == "due_date" and isinstance(value, date):
        return f"{value:%b} {value.day}, {value.year}"
    if key == "priority":
        return PRIORITY_LABELS[value]
    if key == "provider_id":
        return provider_names.get(value, "another provider")
    text = str(value)
    return f"“{text if len(text) <= 60 else text[:59] + '…'}”"


def mrn_text(mrn: str) -> str:
    """ "MRN 10093", but not "MRN MRN-10093" for practices whose MRNs carry the word."""
    return mrn if mrn[:3].upper() == "MRN" else f"MRN {mrn}"
