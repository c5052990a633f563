"""Reading a task's documents and dependencies for its detail, and how big the
database is. A list reads task_documents only: no query here touches a document's
content (document_chunks), which services.documents streams when a file is opened."""

from __future__ import annotations

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from practiceboard.core.actor import Actor
from practiceboard.core.rows import BlockerRow, DocumentRow
from practiceboard.db.engine import Database
from practiceboard.db.models import Task, TaskDocument
from practiceboard.domain.documents import KIND_WORDS
from practiceboard.domain.errors import NotFound, PermissionDenied
from practiceboard.domain.policy import Cap
from practiceboard.queries.cards import Snapshot, blocker_is_late, load_snapshot

_COLUMNS = (
    TaskDocument.id, TaskDocument.task_id, TaskDocument.kind, TaskDocument.label,
    TaskDocument.filename, TaskDocument.content_type, TaskDocument.size, TaskDocument.sha256,
    TaskDocument.reference, TaskDocument.added_by_id, TaskDocument.added_at,
)  # fmt: skip


def _visible_task(session: Session, snap: Snapshot, task_id: int):
    row = session.execute(
        select(Task.workflow_id, Task.patient_id).where(Task.id == task_id)
    ).first()
    if row is None:
        raise NotFound("That task no longer exists. Refresh and try again.")
    if not snap.policy.sees_workflow(row.workflow_id):
        raise PermissionDenied("Your role does not work on this kind of task.")
    return row


def task_documents(db: Database, actor: Actor, task_id: int) -> list[DocumentRow]:
    """The task's documents (removed ones left off), oldest first. On a patient's task
    a role without patient.view sees that documents are there, not what they are."""
    with db.read() as session:
        snap = load_snapshot(session, actor)
        task = _visible_task(session, snap, task_id)
        hide = task.patient_id is not None and not snap.policy.can(Cap.PATIENT_VIEW)
        rows = session.execute(
            select(*_COLUMNS)
            .where(TaskDocument.task_id == task_id, TaskDocument.removed_at.is_(None))
            .order_by(TaskDocument.added_at, TaskDocument.id)
        ).all()
    out = []
    for r in rows:
        words = "Reference" if r.kind == "reference" else KIND_WORDS.get(r.content_type, "File")
        out.append(DocumentRow(
            r.id, r.task_id, r.kind, None if hide else r.label, None if hide else r.filename,
            r.content_type, words, r.size, r.sha256, None if hide else r.reference,
            snap.users.get(r.added_by_id, ""), r.added_at, hide,
        ))  # fmt: skip
    return out


def dependencies(
    db: Database, actor: Actor, task_id: int
) -> tuple[BlockerRow | None, list[BlockerRow]]:
    """(the task this one waits on, the open tasks waiting on it)."""
    with db.read() as session:
        snap = load_snapshot(session, actor)
        _visible_task(session, snap, task_id)
        blocked_by = session.scalar(select(Task.blocked_by_id).where(Task.id == task_id))
        cols = (Task.id, Task.ref, Task.title, Task.status_id, Task.owner_id, Task.closed_at,
                Task.due_date, Task.status_since)  # fmt: skip
        rows = session.execute(
            select(*cols).where(Task.blocked_by_id == task_id).order_by(Task.id)
        ).all()
        mine = (
            session.execute(select(*cols).where(Task.id == blocked_by)).first()
            if blocked_by is not None
            else None
        )

    def row(r) -> BlockerRow:
        return BlockerRow(
            r.id, r.ref, r.title, snap.statuses[r.status_id].name, snap.users.get(r.owner_id, ""),
            r.closed_at is not None,
            blocker_is_late(snap, r.closed_at, r.due_date, r.status_id, r.status_since),
        )  # fmt: skip

    return (row(mine) if mine else None), [row(r) for r in rows]


def size_words(db: Database) -> str:
    """ "412.3 MB, of which documents 380.0 MB (76 files)" for the About box."""
    from practiceboard.domain.documents import megabytes

    total, docs, count = database_size(db, with_count=True)
    if not count:
        return f"{megabytes(total)} (no documents attached)"
    return f"{megabytes(total)}, of which documents {megabytes(docs)} ({count} " + (
        "file)" if count == 1 else "files)"
    )


def database_size(db: Database, *, with_count: bool = False):
    """(bytes the whole database takes, bytes of document content kept in it) and, with
    ``with_count``, how many files (removed ones included: they are kept for the audit)."""
    with db.read() as session:
        docs, count = session.execute(
            select(func.coalesce(func.sum(TaskDocument.size), 0), func.count(TaskDocument.id))
            .where(TaskDocument.kind == "file")
        ).one()  # fmt: skip
        if session.get_bind().dialect.name == "postgresql":
            total = session.scalar(text("SELECT pg_database_size(current_database())"))
        else:
            pages = session.scalar(text("PRAGMA page_count"))
            size = session.scalar(text("PRAGMA page_size"))
            total = pages * size
    if with_count:
        return int(total or 0), int(docs), int(count)
    return int(total or 0), int(docs)
