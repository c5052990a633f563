"""The demo practice's approvals, in every state, through the approvals services.

The random six months already send sign-offs and supply requests through review;
these scenes make the last days show everything the Approvals view has: Dr. Okafor's
inbox with fresh, near-limit and past-breach requests (one passed on by Dr. Reyes,
one sent back twice and resubmitted), decisions with the practice's outcome notes
and reasons, and Priya Natarajan's supply requests — sent back once, sent back twice
and waiting on her, and waiting on the manager, one of them past breach.

Each step is planned on the builder's time line (a position in business days) and
played in its own transaction, so the audit chain stays in time order.
"""

from __future__ import annotations

from practiceboard.domain.decisions import Decision
from practiceboard.services import approvals
from practiceboard.services.tasks import TaskDraft, create_task

OKAFOR, REYES, DANA, PRIYA, MARCUS = "hokafor", "sreyes", "dwhitcombe", "pnatarajan", "mbell"

# (scene, workflow, requester, title, details field, patient?, approver or None)
TASKS = [
    ("mri", "signoff", DANA, "Prior auth letter – MRI lumbar spine", True, OKAFOR),
    ("flu_order", "signoff", REYES, "Standing order renewal – flu vaccine", False, OKAFOR),
    ("home_health", "signoff", DANA, "Home health certification", True, OKAFOR),
    ("dme", "signoff", REYES, "DME order – wheelchair", True, OKAFOR),
    ("a1c", "signoff", DANA, "Lab standing order – A1c every 3 months", False, OKAFOR),
    ("cardio", "signoff", REYES, "Referral letter to cardiology", True, OKAFOR),
    ("pt_plan", "signoff", DANA, "Physical therapy plan of care", True, OKAFOR),
    ("controlled", "signoff", DANA, "Controlled substance agreement", True, REYES),
    ("sleep", "signoff", REYES, "Sleep study order", True, OKAFOR),
    ("cpap", "signoff", DANA, "CPAP supplies order", True, OKAFOR),
    ("gloves", "supply", PRIYA, "Nitrile gloves – 20 cases", False, None),
    ("vaccine", "supply", PRIYA, "Flu vaccine – 200 doses", False, None),
    ("paper", "supply", PRIYA, "Exam table paper – 12 rolls", False, None),
    ("sharps", "supply", PRIYA, "Sharps containers – 24", False, None),
    ("otoscope", "supply", PRIYA, "Otoscope replacement", False, None),
    ("desk", "supply", PRIYA, "Standing desk for triage", False, None),
    ("oximeters", "supply", MARCUS, "Pulse oximeters – 6", False, None),
]

SIGN = "Prior auth letter — sign"
RENEW = "Standing order — renew"
OVER = "Supply over $500 — approve"

# (business days before the end, scene, action, keyword arguments)
STEPS = [
    (8.0, "vaccine", "request", {"question": "Reorder for the fall clinics?"}),
    (7.0, "vaccine", Decision.SENT_BACK, {"reason": "unclear_request",
                                          "note": "Which presentation: syringes or vials?"}),
    (6.2, "pt_plan", "request", {"question": "Sign the PT plan of care (12 visits)?"}),
    (6.0, "vaccine", "request", {"question": "Prefilled syringes, 0.5 mL."}),
    (5.5, "pt_plan", Decision.SENT_BACK, {"reason": "missing_document",
                                          "note": "Attach the therapist's evaluation."}),
    (4.5, "pt_plan", "request", {"question": "Evaluation attached."}),
    (4.2, "mri", "request", {"template": SIGN}),
    (4.0, "pt_plan", Decision.SENT_BACK, {"reason": "missing_signature",
                                          "note": "The evaluation is unsigned."}),
    (3.5, "paper", "request", {"question": "We are down to two rolls."}),
    (3.3, "flu_order", "request", {"template": RENEW}),
    (3.0, "sleep", "request", {"question": "Sign the sleep study order?"}),
    (2.5, "sleep", Decision.APPROVED, {"note": "Approved — schedule within 2 weeks."}),
    (2.4, "desk", "request", {"question": "A standing desk for the triage nurse?"}),
    (2.2, "desk", Decision.REJECTED, {"reason": "over_budget", "note": "Next quarter."}),
    (2.1, "gloves", "request", {"template": OVER}),
    (2.0, "controlled", "request", {"question": "Countersign the agreement?"}),
    (1.8, "controlled", "reassign", {"to": OKAFOR, "reason": "Dr. Okafor is the patient's PCP."}),
    (1.7, "otoscope", "request", {"question": "The exam room 2 otoscope is broken."}),
    (1.6, "vaccine", Decision.SENT_BACK, {"reason": "missing_document",
                                          "note": "Attach the budget line for vaccines."}),
    (1.5, "otoscope", Decision.APPROVED, {"note": "Approved as requested."}),
    (1.4, "home_health", "request", {"question": "Certify 60 days of home health?"}),
    (1.3, "cpap", "request", {"question": "Renew CPAP supplies for 6 months?"}),
    (1.2, "cpap", Decision.REJECTED, {"reason": "not_medically_necessary",
                                      "note": "Compliance report shows under 4 h a night."}),
    (1.1, "dme", "request", {"question": "Sign the wheelchair order?"}),
    (1.0, "gloves", Decision.SENT_BACK, {"reason": "missing_document",
                                         "note": "Attach the vendor quote."}),
    (0.9, "oximeters", "request", {"question": "Replace the six broken oximeters?"}),
    (0.6, "pt_plan", "request", {"question": "Signed evaluation attached."}),
    (0.4, "sharps", "request", {"question": "Monthly sharps order."}),
    (0.3, "a1c", "request", {"question": "Quarterly A1c for the diabetes program?"}),
    (0.2, "cardio", "request", {"question": "Sign the cardiology referral letter?"}),
]  # fmt: skip

_APPROVAL_SERVICES = {
    Decision.APPROVED: approvals.approve,
    Decision.REJECTED: approvals.reject,
    Decision.SENT_BACK: approvals.send_back,
}
_REASON_KIND = {Decision.REJECTED: "rejection", Decision.SENT_BACK: "needs_info"}
_FIELD = {"signoff": "document", "supply": "item"}


def plan_approvals(builder) -> None:
    """Put the scenes on the builder's time line (before the end of the history)."""
    first = max(STEPS, key=lambda s: s[0])[0] + 0.3
    for i, (scene, *_rest) in enumerate(TASKS):
        builder.at(builder.pos_end - first - i * 0.01, "approval", scene, "create", {})
    for days, scene, action, kw in STEPS:
        builder.at(builder.pos_end - days, "approval", scene, action, kw)


def play_step(builder, scene: str, action: str, kw: dict) -> None:
    """One planned step, in its own transaction (builder: demo.play.Builder)."""
    user = {a.username: a for a in builder.actors.values()}
    spec = next(t for t in TASKS if t[0] == scene)
    _scene, wf_key, requester, title, with_patient, approver = spec
    actor = user[requester]
    if action == "create":
        patients = sorted(builder.patient_ids.values())
        patient = (
            patients[TASKS.index(spec) * 7 % len(patients)] if with_patient and patients else None
        )
        draft = TaskDraft(
            workflow_id=builder.wfs[wf_key].id, title=title, owner_id=actor.user_id,
            provider_id=user[approver].user_id if approver else None, patient_id=patient,
            extra={_FIELD[wf_key]: title},
        )  # fmt: skip
        builder.approval_tasks[scene] = create_task(builder.db, actor, draft).id
        builder.created += 1
        return
    task_id = builder.approval_tasks[scene]
    if action == "request":
        approvals.request_approval(builder.db, actor, task_id, expected_version=None, **kw)
    elif action == "reassign":
        holder = user[approver]
        approvals.reassign_approval(builder.db, holder, task_id, user[kw["to"]].user_id,
                                    expected_version=None, reason=kw["reason"])  # fmt: skip
    else:
        decision = Decision(action)
        decider = user[OKAFOR] if wf_key == "signoff" else user[DANA]
        args = {"note": kw.get("note")}
        if decision in _REASON_KIND:
            args["reason_id"] = builder.reasons[(_REASON_KIND[decision], kw["reason"])]
        _APPROVAL_SERVICES[decision](builder.db, decider, task_id, expected_version=None, **args)
