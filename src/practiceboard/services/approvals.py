"""The approvals inbox: ask for a decision, then approve, reject or send back;
resubmit what came back, pass a request to another approver, decide several at once.

Each action finds its target status from the workflow definition (the first
review status; the status whose ``decision`` is approved / rejected /
sent_back), so a practice that renames or adds statuses keeps working. The move
itself is tasks.move_in: the same rules, handoffs, events and audit row as a
drag on the board.

Rules kept here, not in the GUI:

- A requester never decides their own request (the task's requester, or whoever
  asked this round), and a request is never routed to the person asking.
- One approver wins: a decision on a request someone else decided first is refused
  with "already decided by NAME at TIME", and nothing is decided twice.
- The SLA clock of a request is paused while it waits on the requester: a resubmitted
  request's ``status_since`` is set back by the business hours its earlier rounds
  already spent in review, so every SLA reading (cards, needs attention, alerts)
  counts the approver's time only (see docs/decisions.md).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from practiceboard.core import definitions
from practiceboard.core.actor import Actor, load_policy, require
from practiceboard.core.clock import now
from practiceboard.core.people import require_active
from practiceboard.core.unit import check_version
from practiceboard.db import audit
from practiceboard.db.engine import Database
from practiceboard.db.models import Task, TaskEvent, User
from practiceboard.domain import validation
from practiceboard.domain.dates import changed_at_label
from practiceboard.domain.decisions import WORDS, Decision
from practiceboard.domain.errors import (
    ConflictError,
    InvalidTransition,
    PermissionDenied,
    PracticeBoardError,
    ValidationError,
)
from practiceboard.domain.policy import Cap
from practiceboard.domain.workflow import Category, WorkflowDef
from practiceboard.services.tasks import (
    TaskSaved,
    audit_category,
    changing,
    check_visible,
    move_in,
    saved,
)

QUESTION_MAX = 500  # tasks.reason_note holds the question of the current round
OWN_REQUEST = "You asked for this decision, so someone else must make it."


def request_approval(
    db: Database,
    actor: Actor,
    task_id: int,
    *,
    expected_version: int | None,
    provider_id: int | None = None,
    question: str | None = None,
    template: str | None = None,
) -> TaskSaved:
    """Send the task for a decision: into the workflow's first review status, to the
    provider named on it (``provider_id`` names or changes them), else to the
    least-loaded member of the workflow's approver role other than the requester.

    ``question`` is what the approver is asked (on a resubmission: the answer to
    what they asked); ``template`` names one of the practice's request templates
    (setting ``approval_request_templates``), whose question fills an empty one and
    whose checklist items are added to the task's. A resubmission (from a sent-back
    status) keeps the SLA time the request already spent in review."""
    question = validation.short_text(question, "question", QUESTION_MAX, "question")
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
        resubmit = src.decision == Decision.SENT_BACK
        old_extra: dict = {}
        new_extra: dict = {}
        if template:
            tpl = request_template(session, wf.key, template)
            question = question or tpl["question"]
            have = {item.get("text") for item in task.checklist or ()}
            added = [{"text": t, "done": False} for t in tpl["checklist"] if t not in have]
            if added:
                old_extra["checklist"] = list(task.checklist or ())
                task.checklist = [*(task.checklist or ()), *added]
                new_extra["checklist"] = task.checklist
            new_extra["template"] = tpl["name"]
        if provider_id is not None and provider_id != task.provider_id:
            if provider_id in (actor.user_id, task.requester_id):
                raise ValidationError(OWN_REQUEST + " Pick another approver.", "provider")
            check_approver(session, wf, provider_id)
            old_extra["provider_id"], new_extra["provider_id"] = task.provider_id, provider_id
            task.provider_id = provider_id
            session.add(TaskEvent(task_id=task.id, at=now(), actor_id=actor.user_id, kind="edit",
                                  data={"fields": ["provider_id"]}))  # fmt: skip
        picked = _approver_not_requester(session, wf, task, actor)
        banked = review_hours_so_far(session, wf, task) if resubmit else 0.0
        result = move_in(
            session, actor, policy, task, review.id, None, question, picked,
            also=(old_extra, new_extra) if new_extra else None,
        )  # fmt: skip
        if banked > 0:
            # The request already waited this long on its approver in earlier rounds.
            cal = definitions.practice_calendar(session)
            task.status_since = cal.business_cutoff(task.status_since, banked)
            session.flush()
            result = saved(task)
        return result


def request_template(session: Session, workflow_key: str, name: str) -> dict:
    """One of the practice's request templates of this workflow, cleaned; a
    ValidationError when there is none by that name."""
    for tpl in definitions.setting(session, "approval_request_templates") or ():
        if (
            isinstance(tpl, dict)
            and tpl.get("workflow") == workflow_key
            and tpl.get("name") == name
        ):
            return {
                "name": name,
                "question": str(tpl.get("question") or "")[:QUESTION_MAX],
                "checklist": [str(t)[:200] for t in tpl.get("checklist") or () if str(t).strip()],
            }
    raise ValidationError(f"There is no request template called “{name}” here.", "template")


def _approver_not_requester(session: Session, wf: WorkflowDef, task: Task, actor: Actor):
    """The approver to hand to when the rule would hand the request to the person
    asking (their own name on the task, or they are the least-loaded approver):
    the least-loaded other approver. None when the rule's pick is fine."""
    asking = {actor.user_id, task.requester_id}
    if task.provider_id is not None:
        if task.provider_id in asking:
            raise ValidationError(
                OWN_REQUEST + " Name another provider on the request.", "provider"
            )
        return None
    pick = definitions.least_loaded_member(session, wf.approver_role_id)
    if pick is None or pick not in asking:
        return None
    other = other_approvers(session, wf, exclude=asking)
    if not other:
        raise ValidationError(
            OWN_REQUEST + " No one else can decide these requests yet; ask your practice manager.",
            "provider",
        )
    return other[0]


def other_approvers(session: Session, wf: WorkflowDef, *, exclude: set[int]) -> list[int]:
    """Active members of the workflow's approver role, least loaded first, but these."""
    return [
        u
        for u in definitions.least_loaded_members(session, wf.approver_role_id)
        if u not in exclude
    ]


def review_hours_so_far(session: Session, wf: WorkflowDef, task: Task) -> float:
    """Business hours this request has spent in review in its earlier rounds: the
    review stints since it was last asked fresh (a move into review from anywhere but
    a sent-back status starts a new request)."""
    cal = definitions.practice_calendar(session)
    rows = session.execute(
        select(TaskEvent.at, TaskEvent.from_status_id, TaskEvent.to_status_id)
        .where(TaskEvent.task_id == task.id, TaskEvent.kind.in_(("created", "status", "reopen")))
        .order_by(TaskEvent.at, TaskEvent.id)
    ).all()
    banked, since = 0.0, None

    def in_review(sid):
        return sid is not None and wf.has_status(sid) and wf.status(sid).category is Category.REVIEW

    for at, frm, to in rows:
        if in_review(to) and not in_review(frm):
            came_back = (
                frm is not None
                and wf.has_status(frm)
                and (wf.status(frm).decision == Decision.SENT_BACK)
            )
            if not came_back:
                banked = 0.0
            since = at
        elif in_review(frm) and not in_review(to) and since is not None:
            banked += cal.business_hours(since, at)
            since = None
    return banked


def requested_by(session: Session, wf: WorkflowDef, task_id: int) -> int | None:
    """Who asked for the current (or last) decision: the actor of the last move into
    review from outside it."""
    review = [s.id for s in wf.statuses if s.category is Category.REVIEW]
    return session.scalar(
        select(TaskEvent.actor_id)
        .where(
            TaskEvent.task_id == task_id,
            TaskEvent.kind.in_(("status", "reopen")),
            TaskEvent.to_status_id.in_(review),
            TaskEvent.from_status_id.not_in(review),
        )
        .order_by(TaskEvent.at.desc(), TaskEvent.id.desc())
        .limit(1)
    )


def reassign_approval(
    db: Database,
    actor: Actor,
    task_id: int,
    to_user_id: int,
    *,
    expected_version: int | None,
    reason: str | None,
) -> TaskSaved:
    """Pass a pending request to another approver, with a reason: its approver (or a
    manager) names someone who may decide it. The SLA clock keeps running: the
    request has waited as long as it has."""
    reason = validation.short_text(reason, "reason", QUESTION_MAX, "reason")
    if not reason:
        raise ValidationError("Say why you are passing this request on.", "reason")
    with changing(db, actor, "approval.reassign", task_id, expected_version) as (
        session, policy, task,
    ):  # fmt: skip
        check_visible(policy, task)
        wf = definitions.load_workflow(session, task.workflow_id)
        src = wf.status(task.status_id)
        if src.category is not Category.REVIEW:
            raise InvalidTransition(
                f"{task.ref} is not waiting for a decision (it is in “{src.name}”)."
            )
        holder = policy.user_id in (task.owner_id, task.provider_id)
        if not (policy.can(Cap.TASK_REASSIGN) or (holder and policy.can(Cap.APPROVAL_DECIDE))):
            raise PermissionDenied(
                "Only the approver holding this request or a manager can pass it on."
            )
        if to_user_id in (task.requester_id, requested_by(session, wf, task.id)):
            raise ValidationError(OWN_REQUEST + " Pick another approver.", "provider")
        if to_user_id == task.owner_id:
            name = session.get(User, to_user_id).display_name
            raise ValidationError(f"{task.ref} already waits on {name}.", "provider")
        check_approver(session, wf, to_user_id)
        at = now()
        old = {"owner_id": task.owner_id, "provider_id": task.provider_id}
        session.add(TaskEvent(task_id=task.id, at=at, actor_id=actor.user_id, kind="handoff",
                              from_owner_id=task.owner_id, to_owner_id=to_user_id, manual=True,
                              note=reason, data={"approval": "reassign"}))  # fmt: skip
        task.owner_id = task.provider_id = to_user_id
        task.last_touched_at = task.updated_at = at
        task.updated_by_id = actor.user_id
        session.flush()
        audit.write(
            session, actor.who(), "approval.reassign", "task", task.id, at=at,
            patient_id=task.patient_id, category=audit_category(task), old=old,
            new={"owner_id": to_user_id, "provider_id": to_user_id, "reason": reason},
        )  # fmt: skip
        return saved(task)


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
    try:
        with changing(db, actor, action, task_id, None) as (session, policy, task):
            require(policy, Cap.APPROVAL_DECIDE)
            check_visible(policy, task)
            wf = definitions.load_workflow(session, task.workflow_id)
            src = wf.status(task.status_id)
            if src.category is not Category.REVIEW:
                if (
                    task.decided_by_id is not None
                    and expected_version is not None
                    and (task.version != expected_version)
                ):
                    raise already_decided(session, task)
                raise InvalidTransition(
                    f"{task.ref} is not waiting for a decision (it is in “{src.name}”)."
                )
            check_version(session, task, expected_version, task.ref)
            if actor.user_id in (task.requester_id, requested_by(session, wf, task.id)):
                raise PermissionDenied(OWN_REQUEST)
            target = next(
                (t.to_status_id for t in wf.moves_from(src.id)
                 if wf.status(t.to_status_id).decision == decision),
                None,
            )  # fmt: skip
            if target is None:
                raise InvalidTransition(
                    f"{wf.name}: a request in “{src.name}” cannot be "
                    f"{WORDS[decision].past} from there."
                )
            return move_in(session, actor, policy, task, target, reason_id, note)
    except ConflictError:
        # Someone committed first (seen at flush): if it was a decision, say whose.
        with db.read() as session:
            task = session.get(Task, task_id)
            wf = definitions.load_workflow(session, task.workflow_id)
            if task.decided_by_id is not None and (
                wf.status(task.status_id).category is not Category.REVIEW
            ):
                raise already_decided(session, task) from None
        raise


def already_decided(session: Session, task: Task) -> ConflictError:
    """ "REF-1 was already decided by NAME at TIME (Approved)." — the second decider's news."""
    name = session.get(User, task.decided_by_id).display_name
    when = changed_at_label(task.decided_at, definitions.practice_calendar(session).tzinfo())
    said = WORDS.get(Decision(task.decision)) if task.decision in set(Decision) else None
    what = f" ({said.label})" if said else ""
    return ConflictError(
        f"{task.ref} was already decided by {name} at {when}{what}.",
        changed_by=name,
        changed_at=task.decided_at,
    )


@dataclass(frozen=True)
class BulkOutcome:
    """What a decision on several requests did: each one is its own audited decision."""

    decided: tuple[TaskSaved, ...]
    refused: tuple[tuple[int, str], ...]  # (task id, the sentence why not)


def decide_many(
    db: Database,
    actor: Actor,
    items: list[tuple[int, int | None]],
    decision: Decision,
    *,
    reason_id: int | None = None,
    note: str | None = None,
) -> BulkOutcome:
    """The same decision (and reason) on several requests, e.g. a doctor signing ten
    letters: one transaction, event and audit row per request, so one refusal (decided
    meanwhile, changed, not theirs) leaves the others decided. ``items`` are
    (task id, version the user saw)."""
    decision = Decision(decision)
    validation.note(note, required=False)
    done: list[TaskSaved] = []
    refused: list[tuple[int, str]] = []
    for task_id, version in items:
        try:
            done.append(_decide(db, actor, task_id, decision, version, reason_id, note))
        except PracticeBoardError as err:
            refused.append((task_id, err.message))
    return BulkOutcome(tuple(done), tuple(refused))
