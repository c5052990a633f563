"""Tasks made and moved through the services, as staff would: intake with each default
workflow's required fields, and moves named by status key."""

from __future__ import annotations

from sqlalchemy import select

from practiceboard.core.actor import Actor
from practiceboard.db.engine import Database
from practiceboard.db.models import Task, Workflow
from practiceboard.services.tasks import TaskDraft, TaskSaved, create_task, move_task

from .ids import reason_id, status_id, wf_id
from .records import version

# Each default workflow's required intake fields.
FIELDS: dict[str, dict[str, str]] = {
    "referral": {"referred_to": "Cardiology"},
    "prior_auth": {"procedure": "MRI lumbar spine"},
    "records": {"records_from": "General Hospital"},
    "lab_followup": {"test": "A1c"},
    "billing": {"claim": "C-1001"},
    "supply": {"item": "Nitrile gloves x10"},
    "signoff": {"document": "Standing order"},
    "care_task": {},
}


def new_task(
    db: Database, actor: Actor, wf_key: str = "referral", title: str = "Cardiology referral", **kw
) -> TaskSaved:
    """A task through intake, with the workflow's required fields unless ``extra`` is given
    (intake routes its owner unless ``owner_id`` is given)."""
    kw.setdefault("extra", FIELDS[wf_key])
    return create_task(db, actor, TaskDraft(workflow_id=wf_id(db, wf_key), title=title, **kw))


def make_task(db: Database, actor: Actor, wf_key: str, title: str, **kw) -> int:
    """new_task's id, owned by its creator unless ``owner_id`` says otherwise."""
    kw.setdefault("owner_id", actor.user_id)
    return new_task(db, actor, wf_key, title, **kw).id


def move(db: Database, actor: Actor, task_id: int, to: str, reason: tuple[str, str] | None = None,
         note: str | None = None, owner: int | None = None) -> None:  # fmt: skip
    """Move a task to the status keyed ``to`` of its own workflow, at its current version;
    ``reason`` is (kind, key)."""
    with db.read() as s:
        wf_key = s.execute(
            select(Workflow.key)
            .join(Task, Task.workflow_id == Workflow.id)
            .where(Task.id == task_id)
        ).scalar_one()
    move_task(
        db, actor, task_id, status_id(db, wf_key, to), expected_version=version(db, task_id),
        reason_id=reason_id(db, *reason) if reason else None, note=note, new_owner_id=owner,
    )  # fmt: skip
