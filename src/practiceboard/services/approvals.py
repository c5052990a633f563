"""The approvals inbox: ask for a decision, then approve, reject or send back.

Each action finds its target status from the workflow definition (the first
review status; the status whose ``decision`` is approved / rejected /
sent_back), so a practice that renames or adds statuses keeps working. The move
itself is tasks.move_in: the same rules, handoffs, events and audit row as a
drag on the board.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from practiceboard.core import definitions
from practiceboard.core.actor import Actor, load_policy, require
from practiceboard.core.clock import now
from practiceboard.core.people import require_active
from practiceboard.db.engine import Database
from practiceboard.db.models import TaskEvent, User
from practiceboard.domain import validation
from practiceboard.domain.decisions import WORDS, Decision
from practiceboard.domain.errors import InvalidTransition, ValidationError
from practiceboard.domain.policy import Cap
from practiceboard.domain.workflow import Category, WorkflowDef
from practiceboard.services.tasks import (
    TaskSaved,
    changing,
    check_visible,
    move_in,
)


def request_approval(
    db: Database,
    actor: Actor,
    task_id: int,
    *,
    expected_version: int | None,
    provider_id: int | None = None,
) -> TaskSaved:
    """Send the task for a decision: into the workflow's first review status, to the
    provider named on it (``provider_id`` names or changes them), else to the
    least-loaded member of the workflow's approver role."""
    with changing(db, actor, "approval.request", task_id, expected_version) as (
        session, policy, task,
    ):  # fmt: skip
        require(policy, Cap.APPROVAL_REQUEST)
        check_visible(policy, task)
        wf = definitions.load_workflow(session, task.workflow_id)
        review = next((s for s in wf.statuses if s.category is Category.REVIEW), None)
        if review is None:
            raise InvalidTransition(f"{wf.name} tasks do not go through approval.")
        src = wf.status(task.status_id)
        if src.category is Category.REVIEW:
            raise InvalidTransition(
                f"{task.ref} is already waiting for a decision (it is in “{src.name}”)."
            )
        also = None
        if provider_id is not None and provider_id != task.provider_id:
            check_approver(session, wf, provider_id)
            also = ({"provider_id": task.provider_id}, {"provider_id": provider_id})
            task.provider_id = provider_id
            session.add(TaskEvent(task_id=task.id, at=now(), actor_id=actor.user_id, kind="edit",
                                  data={"fields": ["provider_id"]}))  # fmt: skip
        return move_in(session, actor, policy, task, review.id, also=also)


def check_approver(session: Session, wf: WorkflowDef, user_id: int) -> None:
    """The person named to decide must be active, see the workflow and decide approvals."""
    require_active(session, user_id, "provider")
    person = load_policy(session, user_id)
    if not (person.sees_workflow(wf.id) and person.can(Cap.APPROVAL_DECIDE)):
        name = session.get(User, user_id).display_name
        raise ValidationError(
            f"{name} cannot decide {wf.name} requests. Pick someone who can.", "provider"
        )


def approve(
    db: Database,
    actor: Actor,
    task_id: int,
    *,
    expected_version: int | None,
    note: str | None = None,
) -> TaskSaved:
    return _decide(db, actor, task_id, Decision.APPROVED, expected_version, None, note)


def reject(
    db: Database,
    actor: Actor,
    task_id: int,
    *,
    expected_version: int | None,
    reason_id: int | None,
    note: str | None = None,
) -> TaskSaved:
    """Reject with a rejection reason; the task goes back to its requester."""
    return _decide(db, actor, task_id, Decision.REJECTED, expected_version, reason_id, note)


def send_back(
    db: Database,
    actor: Actor,
    task_id: int,
    *,
    expected_version: int | None,
    reason_id: int | None,
    note: str | None = None,
) -> TaskSaved:
    """Ask the requester for more information (a needs-info reason); they resubmit
    with request_approval."""
    return _decide(db, actor, task_id, Decision.SENT_BACK, expected_version, reason_id, note)


def _decide(
    db: Database,
    actor: Actor,
    task_id: int,
    decision: Decision,
    expected_version: int | None,
    reason_id: int | None,
    note: str | None,
) -> TaskSaved:
    note = validation.note(note, required=False)
    action = WORDS[decision].action
    with changing(db, actor, action, task_id, expected_version) as (session, policy, task):
        require(policy, Cap.APPROVAL_DECIDE)
        check_visible(policy, task)
        wf = definitions.load_workflow(session, task.workflow_id)
        src = wf.status(task.status_id)
        if src.category is not Category.REVIEW:
            raise InvalidTransition(
                f"{task.ref} is not waiting for a decision (it is in “{src.name}”)."
            )
        target = next(
            (t.to_status_id for t in wf.moves_from(src.id)
             if wf.status(t.to_status_id).decision == decision),
            None,
        )  # fmt: skip
        if target is None:
            raise InvalidTransition(
                f"{wf.name}: a request in “{src.name}” cannot be {WORDS[decision].past} from there."
            )
        return move_in(session, actor, policy, task, target, reason_id, note)
