"""The append-only, tamper-evident audit log (security.md items 7–9).

Each row carries an HMAC-SHA256 of its own fields chained to the previous row's
hash. The key lives outside the database (a file in the config folder, or
PRACTICEBOARD_AUDIT_KEY), so someone who can write to the database cannot
recompute the chain. Writers serialize on the chain: SQLite's BEGIN IMMEDIATE
already does; PostgreSQL takes a transaction-level advisory lock.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import logging
import os
import re
import secrets
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import event, select, text
from sqlalchemy.orm import Session

from practiceboard.core.paths import config_dir, data_dir, shared_place
from practiceboard.core.settings import env, read
from practiceboard.db.models import AuditEntry, Setting
from practiceboard.domain.errors import PracticeBoardError

GENESIS = "0" * 64
_CHAIN_LOCK = 7_310_001  # pg advisory lock id for the audit chain
_KEY_CACHE: dict[str, bytes] = {}  # database id -> its key, once checked against the database
_KEY_CHECK_LABEL = b"PracticeBoard audit key check v1"
_KEY_TEXT = re.compile(r"[0-9a-fA-F]{64}")
_HEAD_INFO = "practiceboard.audit_head"  # Session.info: the head a write batch left
_LAST_INFO = "practiceboard.audit_last"  # Session.info: the row this batch wrote last
log = logging.getLogger(__name__)


class AuditKeyMissing(PracticeBoardError):
    """This PC has no key for a database that already has one."""


class AuditKeyInvalid(PracticeBoardError):
    """A key file or PRACTICEBOARD_AUDIT_KEY that is not a key at all."""


class AuditKeyWrong(PracticeBoardError):
    """This PC's key is a key, but not this database's."""


def key_folder() -> Path:
    return shared_place("audit-keys", config_dir() / "audit-keys")


def _key_path(database_id: str) -> Path:
    # The PC's shared folder when the installer made one, unless this user already has it.
    name = f"audit-keys/{database_id}.key"
    return shared_place(name, config_dir() / "audit-keys" / f"{database_id}.key")


_HOW_TO_GET_IT = (
    "copy the file {name} from the folder “audit-keys” in PracticeBoard's configuration folder "
    "of the PC that set the database up into {folder} on this PC, or have an admin run "
    "“practiceboard audit key export FILE” there and “practiceboard audit key import FILE” here"
)


def parse_key(text: str, source: str) -> bytes:
    """A key from its text (64 hexadecimal characters); a sentence when it is not one."""
    value = text.strip()
    if not _KEY_TEXT.fullmatch(value):
        raise AuditKeyInvalid(
            f"{source} is not an audit key (it should be 64 characters, 0–9 and a–f, as "
            "PracticeBoard writes it). Copy the key again from the PC that set the database "
            "up, or import it with “practiceboard audit key import FILE”."
        )
    return bytes.fromhex(value)


def key_check(key: bytes) -> str:
    """The check value stored with the database: proves a key is its key, reveals nothing."""
    return hmac.new(key, _KEY_CHECK_LABEL, hashlib.sha256).hexdigest()


def database_id(session: Session) -> str:
    row = session.get(Setting, "database_id")
    found = read("database_id", None if row is None else row.value)
    if found is None:  # only raw SQL can remove it; never make a key for "None"
        raise PracticeBoardError(
            "This database has lost its id (the database_id setting), so its audit key cannot "
            "be found. Restore the database from a backup."
        )
    return found


def local_key(database_id: str) -> bytes | None:
    """This PC's key for the database (PRACTICEBOARD_AUDIT_KEY first), None when it has none."""
    from_env = env("PRACTICEBOARD_AUDIT_KEY")
    if from_env:
        return parse_key(from_env, "PRACTICEBOARD_AUDIT_KEY")
    path = _key_path(database_id)
    try:
        text_ = path.read_text(encoding="ascii", errors="replace")
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise AuditKeyInvalid(
            f"The audit key file {path} cannot be read ({exc.strerror or exc})."
        ) from None
    return parse_key(text_, f"The file {path}")


def _missing(database_id: str) -> AuditKeyMissing:
    how = _HOW_TO_GET_IT.format(name=f"{database_id}.key", folder=key_folder())
    return AuditKeyMissing(
        "This PC does not have the audit key of this database, which already keeps an audit "
        "log, so PracticeBoard will not write to it (a second key would make every other PC "
        f"report tampering): {how}."
    )


def _wrong(database_id: str) -> AuditKeyWrong:
    how = _HOW_TO_GET_IT.format(name=f"{database_id}.key", folder=key_folder())
    return AuditKeyWrong(
        "The audit key on this PC is not this database's key (its check value does not match), "
        "so PracticeBoard will neither write to the audit log nor judge its rows: replace it — "
        f"{how}."
    )


def _stored_check(session: Session) -> str | None:
    row = session.get(Setting, "audit_key_check")
    return read("audit_key_check", None if row is None else row.value)


def _store_check(session: Session, key: bytes, at: datetime) -> None:
    row = session.get(Setting, "audit_key_check")
    if row is None:
        session.add(Setting(key="audit_key_check", value=key_check(key), updated_at=at))
    else:
        row.value, row.updated_at = key_check(key), at


def _opens_first_row(session: Session, key: bytes) -> bool:
    """A database from before check values: the key is its key when row 1 verifies."""
    first = session.scalars(select(AuditEntry).order_by(AuditEntry.id).limit(1)).first()
    return first is not None and hmac.compare_digest(
        first.row_hash, _hash(key, first.prev_hash, _fields(first))
    )


def _new_key(database_id: str) -> bytes:
    path = _key_path(database_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(FileExistsError):
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32))
    return parse_key(path.read_text(), f"The file {path}")


def check_key(session: Session, key: bytes) -> None:
    """AuditKeyWrong unless ``key`` is this database's (its check value, or row 1 of a log
    kept before check values); a database with no log yet takes any key."""
    stored = _stored_check(session)
    if stored is not None:
        if not hmac.compare_digest(stored, key_check(key)):
            raise _wrong(database_id(session))
    elif session.scalar(select(AuditEntry.id).limit(1)) is not None:
        if not _opens_first_row(session, key):
            raise _wrong(database_id(session))


def audit_key(session: Session, *, create: bool = True, at: datetime | None = None) -> bytes:
    """This database's HMAC key, checked against the check value stored with the database.

    A database with no audit log yet gets a new key (mode 0600) and its check value the
    first time one is needed (``create``, inside the writer's transaction); a database
    that already has a log never gets a second key: a PC without it is refused
    (AuditKeyMissing), and so is a PC with another key (AuditKeyWrong)."""
    dbid = database_id(session)
    if dbid in _KEY_CACHE:
        return _KEY_CACHE[dbid]
    key = local_key(dbid)
    stored = _stored_check(session)
    if stored is not None:
        if key is None:
            raise _missing(dbid)
        if not hmac.compare_digest(stored, key_check(key)):
            raise _wrong(dbid)
        _KEY_CACHE[dbid] = key
        return key
    has_log = session.scalar(select(AuditEntry.id).limit(1)) is not None
    if has_log:
        if key is None:
            raise _missing(dbid)
        if not _opens_first_row(session, key):
            raise _wrong(dbid)
    elif key is None:
        if not create:
            raise _missing(dbid)
        key = _new_key(dbid)
    if create:
        _store_check(session, key, at or datetime.now(UTC))
    return key


def install_key(session: Session, text_: str, source: str) -> Path:
    """Save a key brought from another PC (``audit key import``) after checking that it is
    this database's; returns where it now lives. Refused when PRACTICEBOARD_AUDIT_KEY
    is set (it would win over the file)."""
    key = parse_key(text_, source)
    check_key(session, key)
    if env("PRACTICEBOARD_AUDIT_KEY"):
        raise PracticeBoardError(
            "PRACTICEBOARD_AUDIT_KEY is set on this PC and wins over a key file: unset it "
            "first, or put the key there."
        )
    dbid = database_id(session)
    path = _key_path(dbid)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(key.hex())
    os.replace(tmp, path)
    _KEY_CACHE.pop(dbid, None)
    return path


def local_key_file_text(database_id: str) -> str | None:
    """The key file's text as it is now (None: no file), to put back after a refusal."""
    try:
        return _key_path(database_id).read_text()
    except OSError:
        return None


def restore_key_file(database_id: str, text_: str | None) -> None:
    """Put the key file back as ``local_key_file_text`` found it."""
    path = _key_path(database_id)
    _KEY_CACHE.pop(database_id, None)
    if text_ is None:
        path.unlink(missing_ok=True)
        return
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(text_)


def export_key(session: Session, target: Path) -> None:
    """Write this PC's key for the database to ``target`` (mode 0600; never over a file)."""
    key = audit_key(session, create=False)
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(key.hex() + "\n")


# ---------------------------------------------------------------- the head, kept on every PC


@dataclass(frozen=True)
class Head:
    """The last audit row this PC saw: its id, hash and time, signed with the key."""

    row_id: int
    row_hash: str
    at: str


def head_folder() -> Path:
    return data_dir() / "audit-heads"


def _head_path(database_id: str) -> Path:
    return head_folder() / f"{database_id}.json"


def _head_signature(key: bytes, database_id: str, head: Head) -> str:
    message = f"head|{database_id}|{head.row_id}|{head.row_hash}|{head.at}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


class HeadAltered(PracticeBoardError):
    """This PC's record of the last row it saw does not hold."""


def load_head(database_id: str, key: bytes) -> Head | None:
    """The head this PC recorded for the database, None when it never saw one;
    HeadAltered when the file is not what this PC wrote."""
    path = _head_path(database_id)
    try:
        raw = json.loads(path.read_text())
        head = Head(int(raw["row_id"]), str(raw["row_hash"]), str(raw["at"]))
        signature = str(raw["signature"])
    except FileNotFoundError:
        return None
    except (OSError, ValueError, TypeError, KeyError):
        raise HeadAltered(
            f"This PC's record of the last audit row it saw ({path}) is damaged."
        ) from None
    if not hmac.compare_digest(signature, _head_signature(key, database_id, head)):
        raise HeadAltered(
            f"This PC's record of the last audit row it saw ({path}) was altered, or signed "
            "with another key."
        )
    return head


def note_head(database_id: str, key: bytes, head: Head) -> None:
    """Record ``head`` as the last row this PC saw, unless it already saw a later one."""
    try:
        seen = load_head(database_id, key)
    except HeadAltered:
        return  # verify reports it; nothing replaces it
    if seen is not None and seen.row_id >= head.row_id:
        return
    path = _head_path(database_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    body = {"row_id": head.row_id, "row_hash": head.row_hash, "at": head.at,
            "signature": _head_signature(key, database_id, head)}  # fmt: skip
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        json.dump(body, fh)
    os.replace(tmp, path)


def forget_head(session: Session) -> None:
    """A deliberate restore (``db/restore.py``): the log this PC saw is knowingly replaced
    by an older one, so the head it kept no longer stands; the restore's own audit row
    records the new one. Other PCs find that row (``restore_since``) and let their own
    head go the same way."""
    _head_path(database_id(session)).unlink(missing_ok=True)


RESTORE_ACTION = "database.restore"
RESTORE_SETTING = "last_restore_audit_id"  # where other PCs find the restore's row


def write_restore(session: Session, who: Who, *, at: datetime, new: dict) -> AuditEntry:
    """The restore's own audit row, and a pointer to it that other PCs read by key (the
    log itself has no index by action: a search would read every row)."""
    entry = write(session, who, RESTORE_ACTION, "database", None, category="system", at=at,
                  new=new)  # fmt: skip
    pointer = session.get(Setting, RESTORE_SETTING)
    if pointer is None:
        session.add(Setting(key=RESTORE_SETTING, value=entry.id, updated_at=at))
    else:
        pointer.value, pointer.updated_at = entry.id, at
    return entry


def restore_since(session: Session, key: bytes, head: Head) -> AuditEntry | None:
    """The latest deliberate restore, when it was written at or after the row this PC saw
    last: a ``database.restore`` row whose own signature holds. It explains why the log
    no longer reaches this PC's head: a PC put the database back to a backup on purpose,
    through the app, and the log says who and when. A database put back by copying a
    file has no such row, and neither can one be added without the key."""
    pointer = session.get(Setting, RESTORE_SETTING)
    ident = read(RESTORE_SETTING, None if pointer is None else pointer.value)
    row = session.get(AuditEntry, ident) if ident is not None else None
    if row is None or row.action != RESTORE_ACTION:
        return None
    seen_at = datetime.fromisoformat(head.at)
    written = row.at if row.at.tzinfo else row.at.replace(tzinfo=UTC)
    if written < seen_at:
        return None  # restored before this PC's head: it does not explain a later loss
    if not hmac.compare_digest(row.row_hash, _hash(key, row.prev_hash, _fields(row))):
        return None
    return row


def remember_head(session: Session) -> None:
    """At exit: record the log's last row as seen by this PC (rows other PCs wrote too).
    Nothing when this PC cannot sign (no key, or the wrong one) or the log is empty."""
    dbid = database_id(session)
    try:
        key = audit_key(session, create=False)
    except (AuditKeyMissing, AuditKeyWrong, AuditKeyInvalid):
        return
    last = session.execute(
        select(AuditEntry.id, AuditEntry.row_hash, AuditEntry.at)
        .order_by(AuditEntry.id.desc())
        .limit(1)
    ).first()
    if last is not None and _head_may_move_on(session, dbid, key, last):
        note_head(dbid, key, Head(last.id, last.row_hash, _utc_text(last.at)))


def _head_may_move_on(session: Session, dbid: str, key: bytes, last) -> bool:
    """Whether this PC's head may move on to ``last`` (the log's last row): the log still
    holds the row this PC saw last, or a deliberate restore replaced that log since (then
    the old head is let go here, as the restoring PC let go of its own). Otherwise the
    head must not move past the loss, so that verify keeps telling it."""
    try:
        head = load_head(dbid, key)
    except HeadAltered:
        return False
    if head is None:
        return True
    if last is not None and last.id >= head.row_id:
        if last.id == head.row_id:
            seen = last.row_hash
        else:
            seen = session.scalar(select(AuditEntry.row_hash).where(AuditEntry.id == head.row_id))
        if seen == head.row_hash:
            return True
    if restore_since(session, key, head) is None:
        return False
    forget_head(session)
    return True


def _utc_text(at: datetime) -> str:
    return (at if at.tzinfo else at.replace(tzinfo=UTC)).astimezone(UTC).isoformat()


@event.listens_for(Session, "after_commit")
def _head_after_commit(session: Session) -> None:
    """Each write batch that appended to the log records its last row on this PC, once
    the batch itself commits: SQLAlchemy also calls this when a savepoint is released,
    and a batch that fails after its savepoints (care generation, an import) must not
    leave this PC naming rows that were rolled back."""
    if session.in_nested_transaction():
        return
    session.info.pop(_LAST_INFO, None)
    pending = session.info.pop(_HEAD_INFO, None)
    if pending is None:
        return
    dbid, key, head, intact = pending
    if not intact:  # the log no longer reaches this PC's head: keep it, so verify tells
        return
    try:
        note_head(dbid, key, head)
    except OSError as exc:  # the change is committed; verify will compare what it can
        log.warning("Could not record the audit log's head on this PC: %s", exc.strerror)


@event.listens_for(Session, "after_rollback")
def _head_after_rollback(session: Session) -> None:
    """A rollback (of the batch or of a savepoint in it) may have taken rows off the end:
    the next write reads the chain's end again, and the head waits for the next batch."""
    session.info.pop(_HEAD_INFO, None)
    session.info.pop(_LAST_INFO, None)


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
class _Last:
    """The chain's end as a write needs it (the row the next one chains onto)."""

    id: int
    row_hash: str


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
    # The chain's end: read once per batch. Once read, no other PC can append before this
    # batch ends (PostgreSQL: the advisory lock below, held to the end of the transaction;
    # SQLite: BEGIN IMMEDIATE), so later rows of the batch chain onto what it wrote.
    last = session.info.get(_LAST_INFO)
    if last is None:
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
    key = audit_key(session, at=at)
    entry.row_hash = _hash(key, entry.prev_hash, _fields(entry))
    session.add(entry)
    session.flush()
    session.info[_LAST_INFO] = _Last(entry.id, entry.row_hash)
    dbid, head = database_id(session), Head(entry.id, entry.row_hash, _utc_text(entry.at))
    pending = session.info.get(_HEAD_INFO)
    intact = pending[3] if pending else _head_may_move_on(session, dbid, key, last)
    session.info[_HEAD_INFO] = (dbid, key, head, intact)
    return entry


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    rows_checked: int
    broken_id: int | None = None
    problem: str = ""
    kind: str = "intact"  # intact | restored | tampered | truncated | wrong_key
    note: str = ""  # restored: what replaced the log this PC had seen

    def describe(self) -> str:
        if self.ok:
            return f"Audit log intact: {self.rows_checked} rows verified." + (
                f" {self.note}" if self.note else ""
            )
        if self.kind == "wrong_key":
            return f"Audit log not checked: {self.problem}"
        if self.broken_id is None:
            return f"Audit log broken: {self.problem}"
        return f"Audit log broken at row {self.broken_id}: {self.problem}"


def verify(session: Session, batch: int = 5000) -> VerifyResult:
    """Walk the chain in id order; name the first row that does not hold. Then hold the
    log against the last row this PC saw: rows cut off the end, a wiped log or an older
    copy of the database fail too. A key that is not the database's is told apart
    (kind ``wrong_key``): its rows were not judged."""
    dbid = database_id(session)
    try:
        key = audit_key(session, create=False)
    except AuditKeyWrong as exc:
        return VerifyResult(False, 0, None, exc.message, "wrong_key")
    try:
        head = load_head(dbid, key)
    except HeadAltered as exc:
        return VerifyResult(False, 0, None, exc.message, "tampered")
    prev_hash, expected_id, checked, after = GENESIS, 1, 0, 0
    hash_at_head: str | None = None
    while True:
        rows = session.scalars(
            select(AuditEntry).where(AuditEntry.id > after).order_by(AuditEntry.id).limit(batch)
        ).all()
        if not rows:
            break
        for e in rows:
            if e.id != expected_id:
                missing = f"rows {expected_id}–{e.id - 1} are missing"
                return VerifyResult(False, checked, e.id, missing, "tampered")
            if e.prev_hash != prev_hash:
                problem = "it does not follow the previous row"
                return VerifyResult(False, checked, e.id, problem, "tampered")
            if not hmac.compare_digest(e.row_hash, _hash(key, e.prev_hash, _fields(e))):
                return VerifyResult(False, checked, e.id, "its contents were changed", "tampered")
            if head is not None and e.id == head.row_id:
                hash_at_head = e.row_hash
            prev_hash, expected_id, after = e.row_hash, e.id + 1, e.id
            checked += 1
        session.expunge_all()
    result = _against_head(head, checked, hash_at_head)
    if result.ok or head is None:
        return result
    restore = restore_since(session, key, head)
    if restore is None:
        return result
    note = (
        f"The database was restored from a backup on {restore.at:%Y-%m-%d %H:%M} UTC by "
        f"{restore.username} (row {restore.id}); the log this PC saw before then "
        f"(up to row {head.row_id}) was replaced on purpose."
    )
    return VerifyResult(True, checked, None, "", "restored", note)


def _against_head(head: Head | None, checked: int, hash_at_head: str | None) -> VerifyResult:
    """The whole chain holds; does it still reach the last row this PC saw?"""
    if head is None:
        return VerifyResult(True, checked)
    seen = f"this PC saw it reach row {head.row_id} (written {head.at[:16].replace('T', ' ')} UTC)"
    if checked == 0:
        problem = f"the log is empty, but {seen}: all {head.row_id} rows were wiped."
        return VerifyResult(False, 0, None, problem, "truncated")
    if checked < head.row_id:
        lost = head.row_id - checked
        rows = (
            f"row {head.row_id} was"
            if lost == 1
            else f"{lost} rows ({checked + 1}–{head.row_id}) were"
        )
        problem = (
            f"the log ends at row {checked}, but {seen}: {rows} cut off its end, or the "
            "database was put back to an older copy."
        )
        return VerifyResult(False, checked, checked + 1, problem, "truncated")
    if hash_at_head != head.row_hash:
        problem = (
            f"it is not the log {seen}: that row was replaced, so the rows up to it were "
            "rewritten or the database was put back to another copy."
        )
        return VerifyResult(False, checked, head.row_id, problem, "tampered")
    return VerifyResult(True, checked)
