"""The audit report (security.md item 10): the audit log for a date range, filtered and
sorted by every field, in SQL with bound parameters and allow-listed sort keys, a page
at a time. Only for a role holding ``audit.view`` (the admin); a refusal is audited.
Taking the rows out of the app (``export_rows``: the CLI's CSV and the view's Export)
is itself written to the audit log."""

from __future__ import annotations

from dataclasses import fields
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from practiceboard.core.actor import Actor, actor_policy, require
from practiceboard.core.like import contains
from practiceboard.core.rows import AUDIT_FIELDS, AuditFilter, AuditPage, AuditRow
from practiceboard.core.unit import audited_read, refusals_audited
from practiceboard.db.engine import Database
from practiceboard.db.models import AuditEntry
from practiceboard.domain.errors import ValidationError
from practiceboard.domain.policy import Cap

MAX_PAGE = 500
EXPORT_LIMIT = 200_000  # rows in one export; narrow the range for more
SORTS = {name: getattr(AuditEntry, name) for name in AUDIT_FIELDS}
_TEXT = ("username", "workstation", "action", "entity", "entity_id", "category", "outcome",
         "detail")  # fmt: skip
_COLUMNS = (
    AuditEntry.id, AuditEntry.at, AuditEntry.user_id, AuditEntry.username,
    AuditEntry.workstation, AuditEntry.action, AuditEntry.entity, AuditEntry.entity_id,
    AuditEntry.patient_id, AuditEntry.category, AuditEntry.outcome, AuditEntry.detail,
    AuditEntry.old_values, AuditEntry.new_values,
)  # fmt: skip


def _utc(at: datetime) -> datetime:
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)


def _where(filt: AuditFilter) -> list:
    if filt.start is not None and filt.end is not None and filt.end <= filt.start:
        raise ValidationError("The report's end must come after its start.", "end")
    clauses = []
    if filt.start is not None:
        clauses.append(AuditEntry.at >= _utc(filt.start))
    if filt.end is not None:
        clauses.append(AuditEntry.at < _utc(filt.end))
    for name in _TEXT:
        wanted = (getattr(filt, name) or "").strip().lower()
        if wanted:
            clauses.append(contains(func.lower(SORTS[name]), wanted))
    if filt.patient_id is not None:
        clauses.append(AuditEntry.patient_id == filt.patient_id)
    if filt.row_id is not None:
        clauses.append(AuditEntry.id == filt.row_id)
    return clauses


def _ordered(query, sort: str, descending: bool):
    if sort not in SORTS:
        raise ValidationError(f"The audit report cannot be sorted by “{sort}”.", "sort")
    column = SORTS[sort]
    first = column.desc() if descending else column.asc()
    tie = AuditEntry.id.desc() if descending else AuditEntry.id.asc()
    return query.order_by(first, tie) if sort != "id" else query.order_by(first)


def _row(r) -> AuditRow:
    return AuditRow(*r[:1], _utc(r[1]), *r[2:])


def _check(session: Session, actor: Actor) -> None:
    require(actor_policy(session, actor), Cap.AUDIT_VIEW)


@refusals_audited("audit.report", "audit_log")
def audit_report(
    db: Database,
    actor: Actor,
    filt: AuditFilter = AuditFilter(),
    *,
    sort: str = "at",
    descending: bool = True,
    offset: int = 0,
    limit: int = 100,
) -> AuditPage:
    """One page of the audit log as ``filt`` narrows it, sorted by ``sort``."""
    if offset < 0 or not 0 < limit <= MAX_PAGE:
        raise ValidationError(f"Ask for between 1 and {MAX_PAGE} rows at a time.", "limit")
    with db.read() as session:
        _check(session, actor)
        where = _where(filt)
        total = session.scalar(select(func.count()).select_from(AuditEntry).where(*where)) or 0
        query = _ordered(select(*_COLUMNS).where(*where), sort, descending)
        rows = session.execute(query.offset(offset).limit(limit)).all()
    return AuditPage(tuple(_row(r) for r in rows), total, offset)


@refusals_audited("audit.export", "audit_log")
def export_rows(
    db: Database,
    actor: Actor,
    filt: AuditFilter,
    *,
    sort: str = "at",
    descending: bool = False,
    target: str = "",
) -> list[AuditRow]:
    """Every row ``filt`` matches (up to EXPORT_LIMIT), for a file; the export is audited
    (what was asked for, how many rows, where to) once the rows were read."""
    with db.read() as session:
        _check(session, actor)
        where = _where(filt)
        total = session.scalar(select(func.count()).select_from(AuditEntry).where(*where)) or 0
        if total > EXPORT_LIMIT:
            raise ValidationError(
                f"That is {total:,} rows; export at most {EXPORT_LIMIT:,} at a time (narrow "
                "the dates or add a filter).",
                "end",
            )
        query = _ordered(select(*_COLUMNS).where(*where), sort, descending)
        rows = [_row(r) for r in session.execute(query)]
    asked = {k: v for k, v in describe(filt).items() if v}
    audited_read(db, actor, "audit.export", "audit_log", None, patient_id=filt.patient_id,
                 category="security", detail=f"{len(rows)} rows to {target or 'a file'}",
                 new=asked)  # fmt: skip
    return rows


def describe(filt: AuditFilter) -> dict[str, str]:
    """The filter as plain values (for the export's audit row and the CSV's heading)."""
    out: dict[str, str] = {}
    for field in fields(filt):
        name, value = field.name, getattr(filt, field.name)
        out[name] = "" if value is None else (value.isoformat() if isinstance(value, datetime)
                                               else str(value))  # fmt: skip
    return out
