"""Exporting a list as a file: the capability check, the patient columns left out for a
role that may not see patients, and one audit row with what was exported and how many
rows. The caller hands the writing in (``write``), so a file that cannot be written
leaves no audit row claiming it was."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from practiceboard.core.actor import Actor, actor_policy, require
from practiceboard.core.clock import now
from practiceboard.core.unit import audited
from practiceboard.db import audit
from practiceboard.db.engine import Database
from practiceboard.domain.policy import Cap

WHAT_MAX = 120


def export_rows(
    db: Database,
    actor: Actor,
    what: str,
    header: Sequence[str],
    rows: Sequence[Sequence],
    patient_columns: Sequence[int],
    write: Callable[[list[str], list[list]], object],
) -> int:
    """Write the rows through ``write(header, rows)`` and audit it; the number of rows.
    Columns in ``patient_columns`` go only to a role with patient.view."""
    with audited(db, actor, "export.csv", "list") as session:
        policy = actor_policy(session, actor)
        require(policy, Cap.EXPORT)
        patients_ok = policy.can(Cap.PATIENT_VIEW)
        keep = [i for i in range(len(header)) if patients_ok or i not in set(patient_columns)]
        out_header = [header[i] for i in keep]
        out_rows = [[row[i] if i < len(row) else None for i in keep] for row in rows]
        write(out_header, out_rows)
        with_patients = patients_ok and any(i in keep for i in patient_columns)
        audit.write(
            session, actor.who(), "export.csv", "list", at=now(),
            category="patient" if with_patients else "operational", detail=what[:WHAT_MAX],
            new={"list": what[:WHAT_MAX], "rows": len(out_rows), "columns": out_header},
        )  # fmt: skip
        return len(out_rows)
