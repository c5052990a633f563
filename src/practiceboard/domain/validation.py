"""Input checks with messages a clinic user understands. Each returns the cleaned value."""

from __future__ import annotations

from practiceboard.domain.errors import ValidationError

TITLE_MAX = 200
DETAILS_MAX = 4000
NOTE_MAX = 2000


def _clean(value: str | None) -> str:
    return " ".join((value or "").split()) if value is not None else ""


def title(value: str | None) -> str:
    text = _clean(value)
    if not text:
        raise ValidationError("Give the task a short title, for example “MRI prior auth”.", "title")
    if len(text) > TITLE_MAX:
        raise ValidationError(
            f"The title is {len(text)} characters; keep it under {TITLE_MAX}. "
            "Put the rest in the details.",
            "title",
        )
    return text


def details(value: str | None) -> str:
    text = (value or "").strip()
    if len(text) > DETAILS_MAX:
        raise ValidationError(
            f"The details are {len(text)} characters; keep them under {DETAILS_MAX}. "
            "Clinical narrative belongs in the EHR.",
            "details",
        )
    return text


def note(value: str | None, *, required: bool = True) -> str | None:
    text = (value or "").strip()
    if not text:
        if required:
            raise ValidationError("Write the note before saving it.", "note")
        return None
    if len(text) > NOTE_MAX:
        raise ValidationError(
            f"The note is {len(text)} characters; keep it under {NOTE_MAX}.", "note"
        )
    return text


def short_text(value: str | None, field: str, limit: int, label: str | None = None) -> str | None:
    text = _clean(value)
    if not text:
        return None
    if len(text) > limit:
        raise ValidationError(
            f"The {label or field} is too long (at most {limit} characters).", field
        )
    return text


def priority(value: int) -> int:
    if value not in (0, 1, 2, 3):
        raise ValidationError("Priority must be low, normal, high or urgent.", "priority")
    return value


def workflow_fields(declared: list[dict] | None, given: dict | None) -> dict:
    """The workflow's own intake fields: required ones filled, unknown ones refused."""
    given = dict(given or {})
    declared = declared or []
    known = {f["key"]: f for f in declared}
    unknown = [k for k in given if k not in known]
    if unknown:
        raise ValidationError(f"This workflow has no field called “{unknown[0]}”.", unknown[0])
    out = {}
    for f in declared:
        value = short_text(
            None if given.get(f["key"]) is None else str(given[f["key"]]),
            f["key"],
            200,
            f["label"],
        )
        if f.get("required") and not value:
            raise ValidationError(f"Fill in “{f['label']}”.", f["key"])
        if value:
            out[f["key"]] = value
    return out


USERNAME_MAX = 64
PERSON_NAME_MAX = 120


def username(value: str | None) -> str:
    """A sign-in name: lower case letters, digits, dots, dashes, underscores."""
    name = (value or "").strip().lower()
    if (
        not name
        or len(name) > USERNAME_MAX
        or not name.replace(".", "").replace("_", "").replace("-", "").isalnum()
    ):
        raise ValidationError(
            "User names use letters, digits, dots, dashes or underscores (at most 64).", "username"
        )
    return name


def person_name(value: str | None) -> str:
    """A person's name as it appears on cards."""
    name = _clean(value)
    if not name or len(name) > PERSON_NAME_MAX:
        raise ValidationError(
            "Give the person's name as it should appear on cards.", "display_name"
        )
    return name
