"""The append-only, tamper-evident audit log (security.md items 7–9).

Each row carries an HMAC-SHA256 of its own fields chained to the previous row's
hash. The key lives outside the database (a file in the config folder, or
PRACTICEBOARD_AUDIT_KEY), so someone who can write to the database cannot
recompute the chain. Writers serialize on the chain: SQLite's BEGIN IMMEDIATE
already does; PostgreSQL takes a transaction-level advisory lock.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from practiceboard.core.paths import config_dir, shared_place
from practiceboard.core.settings import env, read
from practiceboard.db.models import AuditEntry, Setting
from practiceboard.domain.errors import PracticeBoardError

GENESIS = "0" * 64
_CHAIN_LOCK = 7_310_001  # pg advisory lock id for the audit chain
_KEY_CACHE: dict[str, bytes] = {}


class AuditKeyMissing(PracticeBoardError):
    pass


def _key_path(database_id: str) -> Path:
    name = f"audit-keys/{database_id}.key"
    return shared_place(name, config_dir() / "audit-keys" / f"{database_id}.key")


def audit_key(session: Session, *, create: bool = True) -> bytes:
    """This database's HMAC key; created (mode 0600) the first time it is needed."""
    from_env = env("PRACTICEBOARD_AUDIT_KEY")
    if from_env:
        return bytes.fromhex(from_env)
    row = session.get(Setting, "database_id")
    database_id = read("database_id", None if row is None else row.value)
    if database_id is None:  # only raw SQL can remove it; never make a key for "None"
        raise PracticeBoardError(
            "This database has lost its id (the database_id setting), so its audit key cannot "
            "be found. Restore the database from a backup."
        )
    if database_id in _KEY_CACHE:
        return _KEY_CACHE[database_id]
    path = _key_path(database_id)
    if not path.exists():
        if not create:
            raise AuditKeyMissing(
                f"The audit key for this database is not on this PC ({path}). Copy it from the "
                "PC that set the database up, or set PRACTICEBOARD_AUDIT_KEY."
            )
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32))
    key = bytes.fromhex(path.read_text().strip())
    _KEY_CACHE[database_id] = key
    return key


def _canonical(row: dict) -> bytes:
    return json.dumps(row, sort_keys=True, separators=(",", ":"), default=str).encode()


def _fields(e: AuditEntry) -> dict:
    at = e.at.astimezone(UTC).isoformat()
    return {
        "id": e.id, "at": at, "user_id": e.user_id, "username": e.username,
        "workstation": e.workstation, "action": e.action, "entity": e.entity,
        "entity_id": e.entity_id, "patient_id": e.patient_id, "category": e.category,
        "outcome": e.outcome, "old": e.old_values, "new": e.new_values, "detail": e.detail,
    }  # fmt: skip


def _hash(key: bytes, prev: str, fields: dict) -> str:
    return hmac.new(key, prev.encode() + _canonical(fields), hashlib.sha256).hexdigest()


def _dump(values: dict | None) -> str | None:
    return None if values is None else json.dumps(values, sort_keys=True, default=str)


@dataclass(frozen=True)
class Who:
    user_id: int | None
    username: str
    workstation: str


def write(
    session: Session,
    who: Who,
    action: str,
    entity: str,
    entity_id: object = None,
    *,
    outcome: str = "success",
    category: str = "operational",
    patient_id: int | None = None,
    old: dict | None = None,
    new: dict | None = None,
    detail: str | None = None,
    at: datetime,
) -> AuditEntry:
    """Append one row inside the caller's transaction, chained to the last one.

    ``at`` is required: the row carries the same time as the change it records (the
    services' injectable clock), never a wall-clock default that tests cannot move.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _CHAIN_LOCK})
    last = session.execute(
        select(AuditEntry.id, AuditEntry.row_hash).order_by(AuditEntry.id.desc()).limit(1)
    ).first()
    entry = AuditEntry(
        id=(last.id + 1) if last else 1,
        at=at.replace(microsecond=0),
        user_id=who.user_id, username=who.username[:64], workstation=who.workstation[:120],
        action=action, entity=entity, entity_id=None if entity_id is None else str(entity_id),
        patient_id=patient_id, category=category, outcome=outcome,
        old_values=_dump(old), new_values=_dump(new), detail=(detail or None) and detail[:500],
        prev_hash=last.row_hash if last else GENESIS, row_hash="",
    )  # fmt: skip
    entry.row_hash = _hash(audit_key(session), entry.prev_hash, _fields(entry))
    session.add(entry)
    session.flush()
    return entry


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    rows_checked: int
    broken_id: int | None = None
    problem: str = ""

    def describe(self) -> str:
        if self.ok:
            return f"Audit log intact: {self.rows_checked} rows verified."
        return f"Audit log broken at row {self.broken_id}: {self.problem}"


def verify(session: Session, batch: int = 5000) -> VerifyResult:
    """Walk the chain in id order; name the first row that does not hold."""
    key = audit_key(session, create=False)
    prev_hash, expected_id, checked, after = GENESIS, 1, 0, 0
    while True:
        rows = session.scalars(
            select(AuditEntry).where(AuditEntry.id > after).order_by(AuditEntry.id).limit(batch)
        ).all()
        if not rows:
            return VerifyResult(True, checked)
        for e in rows:
            if e.id != expected_id:
                missing = f"rows {expected_id}–{e.id - 1} are missing"
                return VerifyResult(False, checked, e.id, missing)
            if e.prev_hash != prev_hash:
                return VerifyResult(False, checked, e.id, "it does not follow the previous row")
            if not hmac.compare_digest(e.row_hash, _hash(key, e.prev_hash, _fields(e))):
                return VerifyResult(False, checked, e.id, "its contents were changed")
            prev_hash, expected_id, after = e.row_hash, e.id + 1, e.id
            checked += 1
        session.expunge_all()
