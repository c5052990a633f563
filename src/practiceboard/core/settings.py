"""Every setting, declared once: the practice's settings (rows of the ``settings``
table, with their defaults) and the environment variables the app reads.

The rest of the code asks here (``env`` for an environment variable) or through
``core.definitions.setting`` (a practice setting: its row, read as ``read`` says)
and never reads ``os.environ`` or a raw settings value itself, so this module is
the whole list of what can be configured and how. It imports nothing of ours,
so ``db/`` may use it too.
"""

from __future__ import annotations

import copy
import os
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class SettingDef:
    """One practice setting: its key, type, default and what it does."""

    key: str
    type: type
    default: Any
    description: str
    seeded: bool = True  # written into a new database with its default


# In the order a new database seeds them.
_DECLARED = (
    SettingDef("practice_name", str, "Your practice", "The practice's name, as staff know it."),
    SettingDef(
        "calendar",
        dict,
        {
            "timezone": None,
            "workdays": [0, 1, 2, 3, 4],
            "opens": "08:00",
            "closes": "17:00",
            "observe_us_federal_holidays": True,
            "extra_holidays": [],
            "state": None,
        },  # fmt: skip
        "Business hours, workdays and holidays (SLA clocks and due dates); timezone None "
        "means this PC's own time zone; state (a two-letter code) adds that state's own "
        "holidays.",
    ),
    SettingDef("lockout_attempts", int, 5, "Wrong passwords in a row before an account locks."),
    SettingDef("lockout_minutes", int, 15, "How long a locked account stays locked."),
    SettingDef(
        "idle_lock_minutes", int, 10, "Minutes without input before the screen locks (0: never)."
    ),
    SettingDef("min_password_length", int, 12, "The shortest password an account may have."),
    SettingDef(
        "alerts_show_titles",
        bool,
        False,
        "Desktop alerts also show the task's title. Off by default: a title may name a "
        "patient, and alerts appear on lock screens and over other people's work.",
        seeded=False,
    ),
    SettingDef(
        "last_verified_backup",
        dict,
        None,
        "The last backup made and checked by `practiceboard backup` (when, where, on which "
        "PC): a PC that cannot back up the server itself may upgrade the schema after one "
        "made recently.",
        seeded=False,
    ),
    SettingDef(
        "approval_request_templates",
        list,
        [
            {
                "workflow": "signoff",
                "name": "Prior auth letter — sign",
                "question": "Please review and sign the prior authorization letter.",
                "checklist": ["Letter attached", "Diagnosis codes checked"],
            },
            {
                "workflow": "signoff",
                "name": "Standing order — renew",
                "question": "Renew this standing order for another year?",
                "checklist": ["Current order attached"],
            },
            {
                "workflow": "supply",
                "name": "Supply over $500 — approve",
                "question": "This order is over $500. Approve the purchase?",
                "checklist": ["Vendor quote attached", "Budget line named"],
            },
        ],
        "Requests for approval staff start from (workflow key, name, question, checklist).",
        seeded=False,
    ),
    SettingDef(
        "approval_outcome_notes",
        list,
        [
            {"decision": "approved", "text": "Approved — schedule within 2 weeks."},
            {"decision": "approved", "text": "Approved as requested."},
            {"decision": "rejected", "text": "Rejected — please discuss with me first."},
            {"decision": "sent_back", "text": "Please attach the missing document and resubmit."},
            {"decision": "sent_back", "text": "Please call me about this request."},
        ],
        "The practice's common decision notes, one click away when deciding (decision, text).",
        seeded=False,
    ),
    SettingDef(
        "care_days_ahead",
        int,
        14,
        "Care plan tasks are generated this many days before they are due; a generated "
        "task's aging clock starts that many days before its due date, not when generated.",
        seeded=False,
    ),
    SettingDef(
        "care_min_upcoming",
        int,
        3,
        "Each care plan intervention keeps at least this many upcoming tasks generated, "
        "however far ahead (a monthly check-in shows its next three).",
        seeded=False,
    ),
    SettingDef(
        "weekly_report_day",
        int,
        0,
        "The weekday (0 Monday … 6 Sunday) on which last week's aging report is written "
        "into the reports folder.",
        seeded=False,
    ),
    SettingDef(
        "weekly_report_time",
        str,
        "07:00",
        "The practice time (HH:MM) from which that day's weekly aging report is written.",
        seeded=False,
    ),
    SettingDef(
        "reports_folder",
        str,
        "",
        "Where the weekly aging report's PDFs go (a shared folder suits a practice with "
        "several PCs); empty means the 'Reports' folder in the app's data folder.",
        seeded=False,
    ),
    SettingDef(
        "database_id",
        str,
        None,
        "Identifies this database to its audit key (kept outside the database); made once, "
        "when the database is created.",
        seeded=False,
    ),
    SettingDef(
        "audit_key_check",
        str,
        None,
        "The audit key's check value (an HMAC of a fixed label): tells a PC holding the wrong "
        "key apart from a tampered log; stored with the first audit row.",
        seeded=False,
    ),
    SettingDef(
        "last_restore_audit_id",
        int,
        None,
        "The audit row of the latest restore made through the app: a PC whose record of the "
        "log's last row predates it takes the restore for what it is, not for lost rows.",
        seeded=False,
    ),
    SettingDef(
        "fhir_mrn_system",
        str,
        "urn:practiceboard:mrn",
        "The identifier system of the practice's MRNs in FHIR exports and imports (the EHR's "
        "own system URI, if it has one).",
        seeded=False,
    ),
)
_DECLARED += (
    SettingDef(
        "backup_folder",
        str,
        "",
        "Where the nightly backup goes (a USB drive or a network share); empty means the "
        "'backups' folder in the app's data folder.",
        seeded=False,
    ),
    SettingDef(
        "backup_time",
        str,
        "22:00",
        "The practice time (HH:MM) from which the nightly backup is made; empty: no "
        "nightly backup.",
        seeded=False,
    ),
    SettingDef(
        "refresh_seconds",
        int,
        60,
        "Every this many seconds an open window reads its view again from the database, "
        "besides the changes it is told about (at least 15); ages on screen tick each minute.",
        seeded=False,
    ),
    SettingDef(
        "document_max_mb",
        int,
        25,
        "The largest file, in MB, that may be attached to a task (documents are kept in "
        "the database, so backups grow with them).",
        seeded=False,
    ),
)
SETTINGS: dict[str, SettingDef] = {d.key: d for d in _DECLARED}


def seed_values() -> dict[str, Any]:
    """key -> default of every setting a new database starts with."""
    return {d.key: copy.deepcopy(d.default) for d in _DECLARED if d.seeded}


def read(key: str, stored: Any) -> Any:
    """A declared setting's value from what its row holds (``None``: no row or no
    value): the default when missing, and when of the wrong type (only raw SQL could
    store one). A number stored as text ("15") still counts."""
    declared = SETTINGS[key]
    if stored is None:
        return copy.deepcopy(declared.default)
    if declared.type is int and not isinstance(stored, bool):
        try:
            return int(stored)
        except (TypeError, ValueError):
            return declared.default
    if not isinstance(stored, declared.type) or isinstance(stored, bool) != (declared.type is bool):
        return copy.deepcopy(declared.default)
    return stored


# ---------------------------------------------------------------- the environment

ENVIRONMENT: dict[str, str] = {
    "PRACTICEBOARD_HOME": "One folder for the app's data and configuration, instead of the "
    "per-user folders (portable installs, tests).",
    "PRACTICEBOARD_DB": "The database URL, ahead of the saved connection (--db comes first).",
    "PRACTICEBOARD_AUDIT_KEY": "The audit log's key (hex), instead of the key file on this PC.",
    "PRACTICEBOARD_ADMIN_PASSWORD": "The admin's password for scripted commands (init, and "
    "commands that sign the admin in), instead of asking.",
    "PRACTICEBOARD_USER_PASSWORD": "A new account's password for scripted user commands, "
    "instead of asking.",
    "PRACTICEBOARD_APP_PASSWORD": "The password of the app's PostgreSQL login role for "
    "a scripted “server setup”, instead of asking.",
    "PRACTICEBOARD_PG_DUMP": "Where pg_dump is (the program or its folder), ahead of the "
    "PATH and PostgreSQL's standard install folders.",
    "PRACTICEBOARD_SQLITE_JOURNAL": "WAL or DELETE: the SQLite journal mode, instead of WAL "
    "on a local disk and DELETE on a network share (tests run the suite in both).",
    "TZ": "This PC's time zone (an IANA name such as America/Chicago), ahead of the system's.",
    "PRACTICEBOARD_PASSWORD": "The password of the person a scripted import or export "
    "signs in as (--as), instead of asking.",
}


def env(name: str) -> str | None:
    """The value of a declared environment variable; None when unset or empty."""
    if name not in ENVIRONMENT:
        raise KeyError(f"{name} is not a declared environment variable (core.settings)")
    return os.environ.get(name) or None
