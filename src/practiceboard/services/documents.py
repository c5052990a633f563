"""Documents on tasks: attach a file, add a reference to one kept elsewhere, write one
out (to open it or to save a copy), remove one.

Files are kept in the database (task_documents for what a list shows, document_chunks
for the bytes, a chunk at a time), so a practice on the LAN server needs no shared
folder. A file's type is judged by its own bytes (domain.documents): programs and
scripts are refused whatever their name; its size against the ``document_max_mb``
setting; its SHA-256 is computed while it is stored and checked again whenever it is
written out. Every attach, open, save and removal is one audited transaction naming
the task's patient; on a patient's task a role that may not see the patient may not
open, attach or remove its documents.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from practiceboard.core import definitions
from practiceboard.core.actor import Actor, actor_policy, require
from practiceboard.core.clock import now
from practiceboard.core.rows import MoveOption
from practiceboard.core.unit import audited, get_or_404
from practiceboard.db import audit
from practiceboard.db.engine import Database
from practiceboard.db.models import DocumentChunk, ReasonCode, Task, TaskDocument
from practiceboard.domain import documents as rules
from practiceboard.domain.errors import NotFound, PermissionDenied, ValidationError
from practiceboard.domain.policy import Cap, Policy
from practiceboard.services.task_actions import allowed_moves
from practiceboard.services.tasks import audit_category, check_visible

CHUNK = 256 * 1024
TASKS = Task.__table__
PATIENT_DOCUMENT = (
    "This document belongs to a patient's task, and your role does not allow seeing "
    "patients. Ask your practice manager if you need it."
)


@dataclass(frozen=True)
class DocumentSaved:
    id: int
    task_id: int
    label: str
    size: int
    sha256: str | None
    content_type: str | None
    # The task waited on records ("Records pending", or a status waiting on records):
    # the app offers to move it on (next_step_after_records).
    was_waiting_on_records: bool = False


RECORDS_REASON = "records_pending"


def _waiting_on_records(session: Session, task: Task) -> bool:
    if task.closed_at is not None:
        return False
    if task.reason_code_id is not None:
        reason = session.get(ReasonCode, task.reason_code_id)
        if reason is not None and reason.key == RECORDS_REASON:
            return True
    status = definitions.load_workflow(session, task.workflow_id).status(task.status_id)
    return status.category == "waiting" and "records" in status.key


def next_step_after_records(db: Database, actor: Actor, task_id: int) -> MoveOption | None:
    """The move to offer once the records a task waited on are attached: the first
    status after the current one in the workflow's order that is not another wait
    (ready to schedule on a referral; received on a records request), which this user
    may make without a reason; None when there is none."""
    with db.read() as session:
        task = get_or_404(session, Task, task_id, "task")
        wf = definitions.load_workflow(session, task.workflow_id)
        here = wf.status(task.status_id).position
        later = {s.id for s in wf.statuses if s.position > here}
    for option in allowed_moves(db, actor, task_id):
        if (
            option.allowed and not option.reason_kind and not option.is_reopen
            and option.to_status_id in later and option.category in ("active", "review", "done")
        ):  # fmt: skip
            return option
    return None


class DocumentDamaged(ValidationError):
    """The stored bytes no longer match their SHA-256."""


def _check_task(policy: Policy, task: Task, *, changing: bool) -> None:
    require(policy, Cap.TASK_VIEW)
    check_visible(policy, task)
    if task.patient_id is not None and not policy.can(Cap.PATIENT_VIEW):
        raise PermissionDenied(PATIENT_DOCUMENT)
    if changing:
        require(policy, Cap.TASK_EDIT_OWN)
        if task.closed_at is not None:
            raise ValidationError(f"{task.ref} is closed. Reopen it before changing its documents.")


def _counter(session: Session, task_id: int, step: int) -> None:
    """The task's live document count, without touching its version (attaching is not
    an edit anyone editing the task's fields must reload for)."""
    session.execute(
        update(TASKS).where(TASKS.c.id == task_id)
        .values(document_count=TASKS.c.document_count + step)
    )  # fmt: skip


def attach_file(
    db: Database, actor: Actor, task_id: int, path: Path | str, *, label: str | None = None
) -> DocumentSaved:
    """Attach the file at ``path`` (read a chunk at a time, never whole)."""
    path = Path(path)
    try:
        stream = path.open("rb")
    except OSError as exc:
        raise ValidationError(
            f"{path.name} could not be read: {exc.strerror or exc}.", "file"
        ) from exc
    with stream:
        return attach_stream(db, actor, task_id, stream, filename=path.name, label=label)


def attach_stream(
    db: Database, actor: Actor, task_id: int, stream: BinaryIO, *, filename: str,
    label: str | None = None,
) -> DocumentSaved:  # fmt: skip
    """Attach what a seekable binary stream holds, under ``filename``."""
    name = os.path.basename(filename or "").strip()[:255] or "document"
    text = rules.label(label, fallback=name)
    ctype = rules.content_type(name, stream)
    guard = audited(db, actor, "document.attach", "task", task_id)
    with guard as session:
        policy = actor_policy(session, actor)
        task = get_or_404(session, Task, task_id, "task")
        guard.patient_id = task.patient_id
        _check_task(policy, task, changing=True)
        limit = int(definitions.setting(session, "document_max_mb"))
        size = stream.seek(0, os.SEEK_END)
        stream.seek(0)
        rules.check_size(name, size, limit)
        at = now()
        doc = TaskDocument(
            task_id=task.id, kind="file", label=text, filename=name, content_type=ctype, size=0,
            added_by_id=actor.user_id, added_at=at,
        )  # fmt: skip
        session.add(doc)
        session.flush()
        digest, total, seq = hashlib.sha256(), 0, 0
        while chunk := stream.read(CHUNK):
            total += len(chunk)
            rules.check_size(name, total, limit)  # the file grew while being read
            digest.update(chunk)
            session.execute(
                DocumentChunk.__table__.insert().values(document_id=doc.id, seq=seq, data=chunk)
            )
            seq += 1
        doc.size, doc.sha256 = total, digest.hexdigest()
        _counter(session, task.id, 1)
        session.flush()
        audit.write(
            session, actor.who(), "document.attach", "task", task.id, at=at,
            patient_id=task.patient_id, category=audit_category(task),
            new={"document_id": doc.id, "label": text, "filename": name, "type": ctype,
                 "size": total, "sha256": doc.sha256},
        )  # fmt: skip
        return DocumentSaved(doc.id, task.id, text, total, doc.sha256, ctype,
                             _waiting_on_records(session, task))  # fmt: skip


def add_reference(
    db: Database, actor: Actor, task_id: int, *, label: str, reference: str
) -> DocumentSaved:
    """A document kept elsewhere: a path on the clinic's file share, an EHR document id."""
    text = rules.label(label)
    where = rules.reference(reference)
    guard = audited(db, actor, "document.reference", "task", task_id)
    with guard as session:
        policy = actor_policy(session, actor)
        task = get_or_404(session, Task, task_id, "task")
        guard.patient_id = task.patient_id
        _check_task(policy, task, changing=True)
        at = now()
        doc = TaskDocument(task_id=task.id, kind="reference", label=text, reference=where,
                           size=0, added_by_id=actor.user_id, added_at=at)  # fmt: skip
        session.add(doc)
        _counter(session, task.id, 1)
        session.flush()
        audit.write(
            session, actor.who(), "document.reference", "task", task.id, at=at,
            patient_id=task.patient_id, category=audit_category(task),
            new={"document_id": doc.id, "label": text, "reference": where},
        )  # fmt: skip
        return DocumentSaved(doc.id, task.id, text, 0, None, None,
                             _waiting_on_records(session, task))  # fmt: skip


def _live_document(session: Session, document_id: int) -> tuple[TaskDocument, Task]:
    doc = session.get(TaskDocument, document_id)
    if doc is None or doc.removed_at is not None:
        raise NotFound("That document was removed from the task. Refresh and try again.")
    return doc, get_or_404(session, Task, doc.task_id, "task")


def write_out(
    db: Database, actor: Actor, document_id: int, target: Path | str, *, purpose: str = "open"
) -> Path:
    """Write an attached file to ``target`` (``purpose`` "open": into the private folder
    the app opens it from; "save": a copy the user chose to keep), a chunk at a time,
    checking its SHA-256; audited as document.open or document.save."""
    if purpose not in ("open", "save"):
        raise ValueError(purpose)
    action = f"document.{purpose}"
    target = Path(target)
    guard = audited(db, actor, action, "document", document_id)
    with guard as session:
        policy = actor_policy(session, actor)
        doc, task = _live_document(session, document_id)
        guard.patient_id = task.patient_id
        _check_task(policy, task, changing=False)
        if doc.kind != "file":
            raise ValidationError(
                f"“{doc.label}” is kept elsewhere: {doc.reference}. Open it from there.",
            )
        digest = hashlib.sha256()
        chunks = session.execute(
            select(DocumentChunk.data).where(DocumentChunk.document_id == doc.id)
            .order_by(DocumentChunk.seq).execution_options(yield_per=4)
        ).scalars()  # fmt: skip
        try:
            with target.open("wb") as out:
                for data in chunks:
                    data = bytes(data)
                    digest.update(data)
                    out.write(data)
        except OSError as exc:
            target.unlink(missing_ok=True)
            raise ValidationError(
                f"The document could not be written to {target}: {exc.strerror or exc}. "
                "Nothing was changed."
            ) from exc
        if digest.hexdigest() != doc.sha256:
            target.unlink(missing_ok=True)
            raise DocumentDamaged(
                f"“{doc.label}” no longer matches the fingerprint taken when it was attached, "
                "so it was not opened. Restore it from a backup or attach it again."
            )
        audit.write(
            session, actor.who(), action, "document", doc.id, at=now(),
            patient_id=task.patient_id, category=audit_category(task),
            detail=f"{task.ref}: {doc.label} ({doc.sha256})"[:500],
        )  # fmt: skip
        return target


def remove_document(db: Database, actor: Actor, document_id: int) -> None:
    """Take a document off its task. Soft: the row (and the file) stays for the audit."""
    guard = audited(db, actor, "document.remove", "document", document_id)
    with guard as session:
        policy = actor_policy(session, actor)
        doc, task = _live_document(session, document_id)
        guard.patient_id = task.patient_id
        _check_task(policy, task, changing=True)
        if doc.added_by_id != actor.user_id and not policy.may_edit_task(task.owner_id):
            raise PermissionDenied(
                f"Only whoever attached “{doc.label}”, the owner of {task.ref} or a manager "
                "can remove it."
            )
        at = now()
        doc.removed_at, doc.removed_by_id = at, actor.user_id
        _counter(session, task.id, -1)
        session.flush()
        audit.write(
            session, actor.who(), "document.remove", "document", doc.id, at=at,
            patient_id=task.patient_id, category=audit_category(task),
            old={"task": task.ref, "label": doc.label, "sha256": doc.sha256},
        )  # fmt: skip
