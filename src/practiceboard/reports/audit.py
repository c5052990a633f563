"""The audit report as a CSV file (Excel-safe, see csvfile): one line per audit row,
every field, times in UTC. The rows come from queries.audit.export_rows, which
records the export in the audit log."""

from __future__ import annotations

from pathlib import Path

from practiceboard.core.actor import Actor
from practiceboard.core.rows import AuditFilter, AuditRow
from practiceboard.db.engine import Database
from practiceboard.queries import audit as audit_queries
from practiceboard.reports.csvfile import write_csv

HEADER = ("id", "at (UTC)", "user id", "user name", "workstation", "action", "entity",
          "entity id", "patient id", "category", "outcome", "detail", "old values",
          "new values")  # fmt: skip


def line(r: AuditRow) -> tuple:
    return (r.id, r.at.strftime("%Y-%m-%d %H:%M:%S"), r.user_id, r.username, r.workstation,
            r.action, r.entity, r.entity_id, r.patient_id, r.category, r.outcome, r.detail,
            r.old_values, r.new_values)  # fmt: skip


def export_csv(
    db: Database, actor: Actor, filt: AuditFilter, path: Path, *, sort: str = "at",
    descending: bool = False,
) -> int:  # fmt: skip
    """Write the rows ``filt`` matches to ``path``; returns how many (the export is
    audited by the query that read them)."""
    rows = audit_queries.export_rows(db, actor, filt, sort=sort, descending=descending,
                                     target=Path(path).name)  # fmt: skip
    write_csv(Path(path), HEADER, (line(r) for r in rows))
    return len(rows)
