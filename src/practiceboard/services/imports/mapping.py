"""Which column holds what, and what a cell's words mean in PracticeBoard.

``propose`` reads a header and proposes a target for each column it recognises; the
person confirms or changes it. The mapping (columns, plus the practice's own words for
owners, statuses and workflows) is plain JSON: the CLI reads it from ``--mapping FILE``,
and the app remembers it per file layout (the header row's fingerprint).
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime

from practiceboard.domain.errors import ValidationError

# target -> (label, header words that propose it). Order: how the wizard lists them.
TASK_TARGETS: dict[str, tuple[str, tuple[str, ...]]] = {
    "title": ("Title", ("title", "task", "subject", "summary", "description", "what")),
    "workflow": ("Workflow", ("workflow", "type", "tasktype", "category", "queue", "kind")),
    "status": ("Status", ("status", "state", "stage")),
    "owner": ("Owner", ("owner", "assignedto", "assignee", "assigned", "responsible", "who")),
    "due_date": ("Due date", ("due", "duedate", "dueby", "deadline", "followupdate", "duedt")),
    "patient_mrn": (
        "Patient MRN",
        ("mrn", "patientmrn", "medicalrecordnumber", "chartnumber", "chart", "patientid"),
    ),  # fmt: skip
    "payer": ("Payer", ("payer", "insurance", "insurer", "payor", "plan")),
    "provider": ("Provider", ("provider", "doctor", "physician", "orderingprovider", "pcp")),
    "location": ("Location", ("location", "site", "office", "clinic")),
    "priority": ("Priority", ("priority", "urgency")),
    "notes": ("Notes", ("notes", "note", "comments", "comment", "details")),
    "detail": (
        "Workflow detail (referred to, procedure, claim…)",
        (
            "detail",
            "referredto",
            "procedure",
            "medication",
            "test",
            "claim",
            "claimnumber",
            "recordsfrom",
            "document",
            "item",
            "specialty",
        ),
    ),  # fmt: skip
}
PATIENT_TARGETS: dict[str, tuple[str, tuple[str, ...]]] = {
    "mrn": ("MRN", ("mrn", "medicalrecordnumber", "chartnumber", "chart", "patientid")),
    "name": ("Name", ("name", "patientname", "patient", "fullname")),
    "first_name": ("First name", ("firstname", "first", "givenname")),
    "last_name": ("Last name", ("lastname", "last", "surname", "familyname")),
    "date_of_birth": ("Date of birth", ("dob", "dateofbirth", "birthdate", "birthday", "born")),
    "phone": ("Phone", ("phone", "phonenumber", "telephone", "tel", "mobile", "cell")),
    "provider": ("Primary provider", ("provider", "primaryprovider", "pcp", "doctor")),
    "programs": ("Programs", ("programs", "program", "enrollment", "enrolment", "enrolled")),
}
KINDS = {"tasks": TASK_TARGETS, "patients": PATIENT_TARGETS}
IGNORE = ""  # a column mapped to nothing is left out

# the value maps a mapping may carry: cell words -> username / status / workflow key
VALUE_MAPS = ("owners", "statuses", "workflows", "providers")


def _squash(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def layout_of(header: tuple[str, ...]) -> str:
    """The fingerprint of a header row: files with the same columns share a mapping."""
    joined = "\x1f".join(_squash(h) for h in header)
    return hashlib.sha256(joined.encode()).hexdigest()[:32]


@dataclass
class Mapping:
    """Column name -> target, the practice's words for people, statuses and workflows,
    the workflow for rows that name none, and (patients) whether to update existing MRNs."""

    kind: str
    columns: dict[str, str] = field(default_factory=dict)
    owners: dict[str, str] = field(default_factory=dict)
    statuses: dict[str, str] = field(default_factory=dict)
    workflows: dict[str, str] = field(default_factory=dict)
    providers: dict[str, str] = field(default_factory=dict)
    default_workflow: str | None = None
    update_existing: bool = False

    def to_json(self) -> dict:
        return {
            "columns": dict(self.columns), "owners": dict(self.owners),
            "statuses": dict(self.statuses), "workflows": dict(self.workflows),
            "providers": dict(self.providers), "default_workflow": self.default_workflow,
            "update_existing": self.update_existing,
        }  # fmt: skip

    @classmethod
    def from_json(cls, kind: str, data: dict) -> Mapping:
        if not isinstance(data, dict):
            raise ValidationError("The mapping file must hold one JSON object.")
        targets = KINDS[kind]
        columns = data.get("columns") or {}
        if not isinstance(columns, dict):
            raise ValidationError("The mapping's “columns” must map column names to fields.")
        for column, target in columns.items():
            if target and target not in targets:
                known = ", ".join(targets)
                raise ValidationError(
                    f"The mapping sends column “{column}” to “{target}”, which is not a field "
                    f"PracticeBoard imports. Use one of: {known}."
                )
        maps = {}
        for key in VALUE_MAPS:
            value = data.get(key) or {}
            if not isinstance(value, dict):
                raise ValidationError(f"The mapping's “{key}” must map words to names.")
            maps[key] = {str(k).strip().lower(): str(v) for k, v in value.items()}
        return cls(
            kind=kind, columns={str(k): str(v or "") for k, v in columns.items()},
            default_workflow=data.get("default_workflow"),
            update_existing=bool(data.get("update_existing", False)), **maps,
        )  # fmt: skip

    @classmethod
    def load(cls, kind: str, text: str) -> Mapping:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ValidationError(
                f"The mapping file is not valid JSON (line {exc.lineno}: {exc.msg})."
            ) from None
        return cls.from_json(kind, data)

    def column_of(self, header: tuple[str, ...], target: str) -> int | None:
        for i, name in enumerate(header):
            if self.columns.get(name) == target:
                return i
        return None

    def mapped(self, header: tuple[str, ...]) -> dict[str, int]:
        """target -> column index, for the columns of this header the mapping uses."""
        out: dict[str, int] = {}
        for i, name in enumerate(header):
            target = self.columns.get(name)
            if target and target not in out:
                out[target] = i
        return out


def propose(kind: str, header: tuple[str, ...]) -> Mapping:
    """A first guess from the header's words; each target is proposed at most once."""
    targets = KINDS[kind]
    taken: set[str] = set()
    columns: dict[str, str] = {}
    # Exact words first, then words that contain a known word ("Assigned To (staff)").
    for exact in (True, False):
        for name in header:
            if name in columns and columns[name]:
                continue
            word = _squash(name)
            for target, (_label, words) in targets.items():
                if target in taken or not word:
                    continue
                hit = word in words if exact else any(len(w) > 3 and w in word for w in words)
                if hit:
                    columns[name] = target
                    taken.add(target)
                    break
    return Mapping(kind, {name: columns.get(name, IGNORE) for name in header if name})


# ---------------------------------------------------------------- cell values

_FORMATS = (
    "%m/%d/%Y", "%m/%d/%y", "%Y-%m-%d", "%m-%d-%Y", "%m-%d-%y", "%m.%d.%Y", "%b %d, %Y",
    "%b %d %Y", "%B %d, %Y", "%B %d %Y", "%d-%b-%Y", "%d-%b-%y", "%d %b %Y", "%Y/%m/%d",
    "%m/%d/%Y %H:%M", "%m/%d/%Y %I:%M %p", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S",
)  # fmt: skip


def parse_date(value, what: str = "date") -> date | None:
    """A date as US spreadsheets write it (3/4/2026, 03/04/26, 2026-03-04, Mar 4, 2026,
    4-Mar-2026) or as a workbook stores it; None for an empty cell."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = " ".join(str(value).split())
    for fmt in _FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValidationError(
        f"“{text}” is not a {what} PracticeBoard understands; write it like 03/04/2026.", what
    )


_PRIORITY_WORDS = {
    "low": 0, "routine": 1, "normal": 1, "medium": 1, "": 1, "high": 2, "urgent": 3,
    "stat": 3, "asap": 3, "critical": 3,
}  # fmt: skip


def parse_priority(value) -> int:
    if value is None:
        return 1
    if isinstance(value, int | float) and not isinstance(value, bool):
        number = int(value)
        if 0 <= number <= 3:
            return number
    text = str(value).strip().lower()
    if text in _PRIORITY_WORDS:
        return _PRIORITY_WORDS[text]
    if text.isdigit() and 0 <= int(text) <= 3:
        return int(text)
    raise ValidationError(
        f"“{value}” is not a priority; use low, normal, high or urgent (or 0 to 3).", "priority"
    )


def text_of(value) -> str:
    """A cell as text: numbers without a trailing .0, dates in ISO form, blanks empty."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if not value.time() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return " ".join(str(value).split())


def fingerprint(kind: str, values: dict[str, object]) -> str:
    """The same row (by the fields it maps, whatever the column order) gives the same
    fingerprint, so a second import of the file recognises it."""
    norm = {k: text_of(v).lower() for k, v in sorted(values.items())}
    blob = json.dumps([kind, norm], sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(blob.encode()).hexdigest()
