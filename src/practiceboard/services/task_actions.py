"""What people do to a task after intake: edit it, hand it off, watch it, note on it,
close and reopen it, and ask which moves they may make (for the board's menus).

Each function is one user action in one transaction with its task event(s) and
one audit row. Moves go through tasks.move_in, so a close or a reopen follows
exactly the rules of a drag on the board.
"""

from __future__ import annotations

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from practiceboard.core import definitions
from practiceboard.core.actor import Actor, actor_policy, require
from practiceboard.core.clock import now
from practiceboard.core.people import require_active
from practiceboard.core.rows import MoveOption
from practiceboard.core.unit import audited, get_or_404, refusals_audited
from practiceboard.db import audit
from practiceboard.db.engine import Database
from practiceboard.db.models import (
    HandoffNotice,
    Location,
    Note,
    Patient,
    Task,
    TaskEvent,
    TaskWatcher,
    User,
    Workflow,
)
from practiceboard.domain import validation
from practiceboard.domain.errors import InvalidTransition, PermissionDenied, ValidationError
from practiceboard.domain.policy import Cap, Policy
from practiceboard.domain.unchanged import UNCHANGED, given
from practiceboard.domain.workflow import Category, move_blocker
from practiceboard.services.tasks import (
    TaskSaved,
    audit_category,
    changing,
    check_owner,
    check_visible,
    check_visible_and_editable,
    move_in,
    move_rights,
    owner_after,
    saved,
    search_text,
)

CHECKLIST_MAX = validation.CHECKLIST_ITEMS_MAX


def edit_task(
    db: Database,
    actor: Actor,
    task_id: int,
    *,
    expected_version: int | None,
    title=UNCHANGED,
    details=UNCHANGED,
    due_date=UNCHANGED,
    priority=UNCHANGED,
    payer=UNCHANGED,
    provider_id=UNCHANGED,
    location_id=UNCHANGED,
    patient_id=UNCHANGED,
    extra=UNCHANGED,
    checklist=UNCHANGED,
) -> TaskSaved:
    """Change the given fields of an open task. Not a meaningful touch: fixing a typo
    must not make neglected work look handled. Saving without a real change writes
    nothing."""
    cleaned = _clean_fields(given(
        title=title, details=details, due_date=due_date, priority=priority, payer=payer,
        provider_id=provider_id, location_id=location_id, patient_id=patient_id, extra=extra,
        checklist=checklist,
    ))  # fmt: skip
    with changing(db, actor, "task.edit", task_id, expected_version) as (session, policy, task):
        check_visible_and_editable(policy, task)
        if task.closed_at is not None:
            raise ValidationError(f"{task.ref} is closed. Reopen it before changing it.")
        _check_references(session, policy, task, cleaned)
        changed = {k: v for k, v in cleaned.items() if getattr(task, k) != v}
        if not changed:
            return saved(task)
        old = {k: getattr(task, k) for k in changed}
        for k, v in changed.items():
            setattr(task, k, v)
        if "title" in changed or "patient_id" in changed:
            mrn = session.get(Patient, task.patient_id).mrn if task.patient_id else None
            task.search_text = search_text(task.ref, task.title, mrn)
        at = now()
        task.updated_at, task.updated_by_id = at, actor.user_id
        session.add(TaskEvent(task_id=task.id, at=at, actor_id=actor.user_id, kind="edit",
                              data={"fields": sorted(changed)}))  # fmt: skip
        session.flush()
        audit.write(
            session, actor.who(), "task.edit", "task", task.id, at=at,
            patient_id=task.patient_id or old.get("patient_id"), category=audit_category(task),
            old=old, new=changed,
        )  # fmt: skip
        return saved(task)


def _clean_fields(given: dict) -> dict:
    """Validate what can be validated without the database, before any transaction."""
    out = dict(given)
    if "title" in given:
        out["title"] = validation.title(given["title"])
    if "details" in given:
        out["details"] = validation.details(given["details"])
    if "priority" in given:
        out["priority"] = validation.priority(given["priority"])
    if "payer" in given:
        out["payer"] = validation.short_text(given["payer"], "payer", 80)
    if "due_date" in given:
        validation.calendar_date(given["due_date"], "due date")
    if "checklist" in given:
        out["checklist"] = validation.checklist(given["checklist"])  # the same as intake's
    return out


def _check_references(session: Session, policy: Policy, task: Task, cleaned: dict) -> None:
    """Checks that need the database: people, places, the patient, workflow fields."""
    require_active(session, cleaned.get("provider_id"), "provider")
    if cleaned.get("location_id") is not None:
        loc = get_or_404(session, Location, cleaned["location_id"], "location")
        if not loc.active:
            raise ValidationError(f"“{loc.name}” is no longer in use.", "location")
    if cleaned.get("patient_id") is not None:
        require(policy, Cap.PATIENT_VIEW)
        get_or_404(session, Patient, cleaned["patient_id"], "patient")
    if "extra" in cleaned:
        declared = session.get(Workflow, task.workflow_id).fields
        cleaned["extra"] = validation.workflow_fields(declared, cleaned["extra"])


def hand_off(
    db: Database,
    actor: Actor,
    task_id: int,
    new_owner_id: int,
    *,
    expected_version: int | None,
    note: str | None = None,
) -> TaskSaved:
    """Give an open task to someone else: its owner may, anyone else needs task.reassign."""
    note = validation.note(note, required=False)
    with changing(db, actor, "task.handoff", task_id, expected_version) as (
        session, policy, task,
    ):  # fmt: skip
        check_visible(policy, task)
        if task.owner_id == policy.user_id:
            require(policy, Cap.TASK_EDIT_OWN)
        elif not policy.can(Cap.TASK_REASSIGN):
            raise PermissionDenied("Only a manager can hand someone else's task to another person.")
        if task.closed_at is not None:
            raise ValidationError(f"{task.ref} is closed. Reopen it before handing it over.")
        wf = definitions.load_workflow(session, task.workflow_id)
        check_owner(session, wf, new_owner_id)
        if new_owner_id == task.owner_id:
            name = session.get(User, new_owner_id).display_name
            raise ValidationError(f"{task.ref} already belongs to {name}.", "owner")
        at = now()
        old_owner = task.owner_id
        session.add(TaskEvent(task_id=task.id, at=at, actor_id=actor.user_id, kind="handoff",
                              from_owner_id=old_owner, to_owner_id=new_owner_id, manual=True,
                              note=note))  # fmt: skip
        task.owner_id = new_owner_id
        task.last_touched_at = task.updated_at = at
        task.updated_by_id = actor.user_id
        # "New to you" in the new owner's queue until they open it.
        session.execute(delete(HandoffNotice).where(HandoffNotice.task_id == task.id))
        if new_owner_id != actor.user_id:
            session.add(HandoffNotice(user_id=new_owner_id, task_id=task.id,
                                      from_user_id=actor.user_id, at=at, note=note))  # fmt: skip
        session.flush()
        audit.write(
            session, actor.who(), "task.handoff", "task", task.id, at=at,
            patient_id=task.patient_id, category=audit_category(task),
            old={"owner_id": old_owner}, new={"owner_id": new_owner_id, "note": note},
        )  # fmt: skip
        return saved(task)


def watch(db: Database, actor: Actor, task_id: int) -> bool:
    """Follow a task's changes. True when this started watching (False: already was)."""
    return _set_watch(db, actor, task_id, True)


def unwatch(db: Database, actor: Actor, task_id: int) -> bool:
    """Stop following a task. True when this stopped watching (False: was not)."""
    return _set_watch(db, actor, task_id, False)


def _set_watch(db: Database, actor: Actor, task_id: int, on: bool) -> bool:
    action = "task.watch" if on else "task.unwatch"
    guard = audited(db, actor, action, "task", task_id)
    with guard as session:
        policy = actor_policy(session, actor)
        task = _readable(session, policy, task_id)
        guard.patient_id = task.patient_id
        row = session.get(TaskWatcher, (task.id, actor.user_id))
        if (row is not None) == on:
            return False  # already as asked: nothing changes, nothing to record
        if on:
            session.add(TaskWatcher(task_id=task.id, user_id=actor.user_id))
        else:
            session.delete(row)
        at = now()
        session.add(TaskEvent(task_id=task.id, at=at, actor_id=actor.user_id,
                              kind="watch" if on else "unwatch"))  # fmt: skip
        session.flush()
        audit.write(
            session, actor.who(), action, "task", task.id, at=at, patient_id=task.patient_id,
            category=audit_category(task), old={"watching": not on}, new={"watching": on},
        )  # fmt: skip
        return True


def mark_seen(db: Database, actor: Actor, task_id: int) -> bool:
    """The owner opened a task handed to them: it is no longer "new to you". True when
    a notice was cleared. Nothing about the task changes, so no event is written."""
    with audited(db, actor, "task.seen", "task", task_id) as session:
        policy = actor_policy(session, actor)
        task = _readable(session, policy, task_id)
        notice = session.get(HandoffNotice, (actor.user_id, task.id))
        if notice is None:
            return False
        session.delete(notice)
        session.flush()
        return True


def _readable(session: Session, policy: Policy, task_id: int) -> Task:
    require(policy, Cap.TASK_VIEW)
    task = get_or_404(session, Task, task_id, "task")
    check_visible(policy, task)
    return task


def add_note(db: Database, actor: Actor, task_id: int, text: str) -> int:
    """Add a short operational note; returns the note's id.

    Anyone who sees the task's workflow may note on it (that is how a requester or a
    watcher asks the owner something). A note is a meaningful touch. It never
    conflicts: it does not bump the task's version, so nobody's open edit goes stale.
    """
    body = validation.note(text)
    guard = audited(db, actor, "task.note", "task", task_id)
    with guard as session:
        policy = actor_policy(session, actor)
        task = _readable(session, policy, task_id)
        guard.patient_id = task.patient_id
        at = now()
        note = Note(task_id=task.id, author_id=actor.user_id, at=at, body=body)
        session.add(note)
        session.add(TaskEvent(task_id=task.id, at=at, actor_id=actor.user_id, kind="note",
                              note=body))  # fmt: skip
        # A plain UPDATE, not an ORM flush, so the version column stays as it is.
        session.execute(
            update(Task).where(Task.id == task.id).values(last_note_at=at, last_touched_at=at)
            .execution_options(synchronize_session=False)
        )  # fmt: skip
        session.flush()
        audit.write(
            session, actor.who(), "task.note", "task", task.id, at=at, patient_id=task.patient_id,
            category=audit_category(task), new={"note_id": note.id, "note": body},
        )  # fmt: skip
        return note.id


def close_task(
    db: Database,
    actor: Actor,
    task_id: int,
    to_status_id: int | None = None,
    *,
    expected_version: int | None,
    reason_id: int | None = None,
    note: str | None = None,
) -> TaskSaved:
    """Move a task to a done or cancelled status (default: the first done status the
    workflow allows from where it is). A closed task only goes on along a follow-on
    step its workflow has, e.g. an approved supply request to “Ordered”."""
    note = validation.note(note, required=False)
    with changing(db, actor, "task.close", task_id, expected_version) as (
        session, policy, task,
    ):  # fmt: skip
        check_visible(policy, task)
        wf = definitions.load_workflow(session, task.workflow_id)
        src = wf.status(task.status_id)
        if to_status_id is None:
            if not src.is_open:
                raise InvalidTransition(f"{task.ref} is already closed (it is in “{src.name}”).")
            done = [
                s for s in (wf.status(t.to_status_id) for t in wf.moves_from(src.id))
                if s.category is Category.DONE and not s.decision
            ]  # fmt: skip
            if not done:
                raise InvalidTransition(
                    f"{task.ref} cannot be closed from “{src.name}”. Move it on first."
                )
            to_status_id = done[0].id
        elif wf.has_status(to_status_id):
            dst = wf.status(to_status_id)
            if dst.is_open:
                raise ValidationError(f"“{dst.name}” is not a closing status.", "status")
            if dst.decision:
                raise ValidationError(
                    f"“{dst.name}” records a decision: use Approve, Reject or Send back.", "status"
                )
        return move_in(session, actor, policy, task, to_status_id, reason_id, note)


def reopen_task(
    db: Database,
    actor: Actor,
    task_id: int,
    *,
    expected_version: int | None,
    reason_id: int | None,
    note: str | None = None,
) -> TaskSaved:
    """Reopen a closed task along its workflow's reopen transition (a reason is required)."""
    note = validation.note(note, required=False)
    with changing(db, actor, "task.reopen", task_id, expected_version) as (
        session, policy, task,
    ):  # fmt: skip
        check_visible(policy, task)
        wf = definitions.load_workflow(session, task.workflow_id)
        src = wf.status(task.status_id)
        if src.is_open:
            raise InvalidTransition(f"{task.ref} is still open (it is in “{src.name}”).")
        reopen = next((t for t in wf.moves_from(src.id) if t.is_reopen), None)
        if reopen is None:
            raise InvalidTransition(f"{wf.name} tasks cannot be reopened from “{src.name}”.")
        return move_in(session, actor, policy, task, reopen.to_status_id, reason_id, note)


@refusals_audited("task.moves", "task", "task_id")
def allowed_moves(db: Database, actor: Actor, task_id: int) -> list[MoveOption]:
    """Every other status of the task's workflow, saying whether this user may move
    the task there, why not, which reason it needs and who would own it after."""
    with db.read() as session:
        policy = actor_policy(session, actor)
        task = _readable(session, policy, task_id)
        wf = definitions.load_workflow(session, task.workflow_id)
        rights = move_rights(policy, task, wf)
        names: dict[int, str] = {}
        options = []
        for dst in wf.statuses:
            if dst.id == task.status_id:
                continue
            t = wf.transition(task.status_id, dst.id)
            blocker = rights.refusal or move_blocker(wf, task.status_id, dst.id, rights.can)
            owner = None
            if blocker is None and t is not None:
                owner, _ = owner_after(session, wf, task, t)
                if owner not in names:
                    names[owner] = session.scalar(select(User.display_name).where(User.id == owner))
            options.append(MoveOption(
                to_status_id=dst.id, to_status_name=dst.name, category=str(dst.category),
                allowed=blocker is None, blocker=blocker,
                reason_kind=str(t.reason_kind) if t is not None and t.reason_kind else None,
                owner_after_id=owner, owner_after_name=names.get(owner),
                is_reopen=bool(t is not None and t.is_reopen),
            ))  # fmt: skip
        return options
