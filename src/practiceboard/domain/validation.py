"""Input checks with messages a clinic user understands. Each returns the cleaned value.

Every piece of text a person gives passes through here on its way into the database
(the services call these; the dialogs call the same checks early so the message shows
beside the field). Besides length, text is checked for characters that have no place
in a clinic's records: the NUL byte (PostgreSQL cannot store it), other control
characters (only newline and tab, in long text), and the bidirectional overrides
(U+202A–U+202E, U+2066–U+2069) that make a name or title display as something it is not.
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime

from practiceboard.domain.errors import ValidationError

TITLE_MAX = 200
DETAILS_MAX = 4000
NOTE_MAX = 2000
CHECKLIST_ITEMS_MAX = 50
CHECKLIST_TEXT_MAX = 200
PASSWORD_MIN = 12
PASSWORD_MAX = 256
ID_MAX = 2**63 - 1  # the largest id either engine can store

# C0 controls, DEL and C1 controls. Short text turns tab, newline and carriage return
# into spaces (as it does every run of white space); long text keeps newline and tab.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def _what(field: str | None, label: str | None) -> str:
    return label or (field or "text").replace("_", " ")


def plain(value: str | None, field: str | None = None, label: str | None = None, *,
          multiline: bool = False) -> str | None:  # fmt: skip
    """``value`` when it holds no NUL byte, no control character (newline and tab are
    allowed when ``multiline``) and no bidirectional override; else ValidationError.
    Carriage returns of Windows line ends become plain newlines in long text."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValidationError(f"The {_what(field, label)} must be text.", field)
    if "\x00" in value:
        raise ValidationError(
            f"The {_what(field, label)} contains a NUL character, which cannot be stored. "
            "Type it again rather than pasting it.",
            field,
        )
    if _SURROGATE.search(value):
        raise ValidationError(
            f"The {_what(field, label)} contains a broken character. Type it again rather "
            "than pasting it.",
            field,
        )
    if multiline:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
        bad = _CONTROL.search(value)
    else:
        bad = _CONTROL.search(value.replace("\t", " ").replace("\n", " ").replace("\r", " "))
    if bad:
        raise ValidationError(
            f"The {_what(field, label)} contains an invisible control character "
            f"(U+{ord(bad.group()):04X}). Type it again rather than pasting it.",
            field,
        )
    if _BIDI.search(value):
        raise ValidationError(
            f"The {_what(field, label)} contains a hidden character that changes the direction "
            "of the text, so it would not show as typed. Type it again rather than pasting it.",
            field,
        )
    return value


def _clean(value: str | None, field: str | None = None, label: str | None = None) -> str:
    value = plain(value, field, label)
    return " ".join(value.split()) if value is not None else ""


def title(value: str | None) -> str:
    text = _clean(value, "title")
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
    text = (plain(value, "details", multiline=True) or "").strip()
    if len(text) > DETAILS_MAX:
        raise ValidationError(
            f"The details are {len(text)} characters; keep them under {DETAILS_MAX}. "
            "Clinical narrative belongs in the EHR.",
            "details",
        )
    return text


def note(value: str | None, *, required: bool = True) -> str | None:
    text = (plain(value, "note", multiline=True) or "").strip()
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
    text = _clean(value, field, label)
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
    name = (plain(value, "username", "user name") or "").strip().lower()
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
    name = _clean(value, "display_name", "name")
    if not name or len(name) > PERSON_NAME_MAX:
        raise ValidationError(
            "Give the person's name as it should appear on cards.", "display_name"
        )
    return name


def checklist(items, *, field: str = "checklist") -> list[dict]:
    """A task's checklist: at most CHECKLIST_ITEMS_MAX items, each a dict with a ``text``
    of at most CHECKLIST_TEXT_MAX characters (kept plain) and a ``done`` flag. The one
    check for creating a task and editing it."""
    if items is None:
        return []
    if not isinstance(items, list | tuple):
        raise ValidationError(
            f"A checklist is a list of at most {CHECKLIST_ITEMS_MAX} items.", field
        )
    if len(items) > CHECKLIST_ITEMS_MAX:
        raise ValidationError(
            f"A checklist has at most {CHECKLIST_ITEMS_MAX} items; this one has {len(items)}.",
            field,
        )
    out = []
    for number, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            raise ValidationError(f"Checklist item {number} is not an item with a text.", field)
        text = _clean(None if item.get("text") is None else item.get("text"), field,
                      f"checklist item {number}")  # fmt: skip
        if not text:
            raise ValidationError(f"Checklist item {number} needs some text.", field)
        if len(text) > CHECKLIST_TEXT_MAX:
            raise ValidationError(
                f"Checklist item {number} is {len(text)} characters; keep it under "
                f"{CHECKLIST_TEXT_MAX}.",
                field,
            )
        out.append({"text": text, "done": bool(item.get("done"))})
    return out


def record_id(value, what: str = "item", field: str | None = None) -> int:
    """An id as the database can hold it (a whole number from 1 to 2^63 - 1); else a
    ValidationError that says the item does not exist — never an overflow underneath."""
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= ID_MAX:
        raise ValidationError(f"That {what} does not exist.", field)
    return value


def optional_id(value, what: str = "item", field: str | None = None) -> int | None:
    return None if value is None else record_id(value, what, field)


def calendar_date(value, label: str = "date", field: str | None = None) -> date | None:
    """A calendar date (None stays None); a string, a number or a date-time is refused
    with a sentence rather than failing in the driver."""
    if value is None:
        return None
    if isinstance(value, datetime) or not isinstance(value, date):
        raise ValidationError(f"The {label} must be a calendar date, picked from the calendar.",
                              field or label.replace(" ", "_"))  # fmt: skip
    return value


def moment(value, label: str = "time", field: str | None = None) -> datetime | None:
    """An aware date-time (None stays None); anything else is refused with a sentence."""
    if value is None:
        return None
    if not isinstance(value, datetime) or value.tzinfo is None:
        raise ValidationError(f"The {label} must be a date and time.", field)
    return value


def password(value, username: str | None = None, minimum: int = PASSWORD_MIN) -> str:
    """A new password: at least ``minimum`` (never fewer than PASSWORD_MIN) characters
    after trimming, at most PASSWORD_MAX, not one character repeated, not the user name.
    Returns it as given (the spaces a person typed are part of it)."""
    minimum = max(PASSWORD_MIN, minimum)
    if not isinstance(value, str):
        raise ValidationError("Type a password.", "password")
    if "\x00" in value:
        raise ValidationError("The password contains a NUL character; type another.", "password")
    trimmed = value.strip()
    if len(value) > PASSWORD_MAX:
        raise ValidationError(
            f"Passwords may be at most {PASSWORD_MAX} characters long.", "password"
        )
    if len(trimmed) < minimum:
        raise ValidationError(
            f"Passwords must be at least {minimum} characters long, not counting spaces at "
            "either end. A few words in a row make a good one.",
            "password",
        )
    if len(set(trimmed)) == 1:
        raise ValidationError(
            "A password cannot be one character repeated; a few words in a row make a good one.",
            "password",
        )
    name = (username or "").strip().lower()
    if name and not trimmed.lower().replace(name, "").strip():
        raise ValidationError("The password cannot be the user name; choose another.", "password")
    return value


def minutes_left(seconds: float) -> int:
    """Whole minutes to tell a person who waits ``seconds``: rounded up (14 minutes and
    a few seconds is 15), never less than 1."""
    return max(1, math.ceil(round(seconds) / 60))
