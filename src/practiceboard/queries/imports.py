"""The import history and the mapping remembered for a file layout."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import aliased

from practiceboard.core import definitions
from practiceboard.core.actor import Actor, actor_policy
from practiceboard.core.rows import ImportBatchRow
from practiceboard.db.engine import Database
from practiceboard.db.models import ImportBatch, ImportLayout, User
from practiceboard.domain.errors import PermissionDenied
from practiceboard.domain.policy import Cap

HISTORY_LIMIT = 100


def history(db: Database, actor: Actor, limit: int = HISTORY_LIMIT) -> list[ImportBatchRow]:
    """The practice's imports, newest first (those who may import see them)."""
    with db.read() as session:
        policy = actor_policy(session, actor)
        if not (policy.can(Cap.TASK_CREATE) or policy.can(Cap.PATIENT_EDIT)):
            raise PermissionDenied("Your role does not import spreadsheets.")
        by, undo = aliased(User), aliased(User)
        q = (
            select(ImportBatch, by.display_name, undo.display_name)
            .join(by, by.id == ImportBatch.created_by_id)
            .outerjoin(undo, undo.id == ImportBatch.undone_by_id)
            .order_by(ImportBatch.created_at.desc(), ImportBatch.id.desc())
            .limit(limit)
        )
        return [
            ImportBatchRow(
                b.id,
                b.kind,
                b.file_name,
                b.created_at,
                who,
                b.created_count,
                b.updated_count,
                b.skipped_count,
                b.error_count,
                b.undone_at,
                undone_by,
            )  # fmt: skip
            for b, who, undone_by in session.execute(q)
        ]


def remembered_mapping(db: Database, kind: str, layout: str) -> dict | None:
    """The mapping last confirmed for files with this header (see imports.mapping.layout_of)."""
    with db.read() as session:
        return session.scalars(
            select(ImportLayout.mapping).where(
                ImportLayout.kind == kind, ImportLayout.layout == layout
            )
        ).first()


@dataclass(frozen=True)
class ImportChoices:
    """What the import wizard offers when a word of the file needs mapping."""

    workflows: tuple[tuple[str, str, tuple[tuple[str, str], ...]], ...]  # key, name, statuses
    people: tuple[tuple[str, str], ...]  # username, name (active accounts)


def import_choices(db: Database, actor: Actor) -> ImportChoices:
    with db.read() as session:
        actor_policy(session, actor)
        workflows = tuple(
            (wf.key, wf.name, tuple((s.key, s.name) for s in sorted(wf.statuses,
                                                                   key=lambda s: s.position)))
            for wf in definitions.all_workflows(session)
        )  # fmt: skip
        people = tuple(
            session.execute(
                select(User.username, User.display_name)
                .where(User.active)
                .order_by(User.display_name)
            ).tuples()
        )
        return ImportChoices(workflows, people)
