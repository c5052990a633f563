"""The defaults a new practice starts with (workflows.md), as plain rows.

Seeded once by the revision that creates the schema. Later changes to shipped
defaults must come as new revisions that alter rows, never by editing this
data for databases that already exist.
"""

from __future__ import annotations

from datetime import UTC, datetime

from practiceboard.core.settings import seed_values
from practiceboard.domain.decisions import Decision
from practiceboard.domain.policy import (
    ALL_WORKFLOWS,
    CAPABILITY_DESCRIPTIONS,
    DEFAULT_ROLE_CAPABILITIES,
    DEFAULT_ROLE_WORKFLOWS,
    DEFAULT_ROLES,
    Cap,
)
from practiceboard.domain.workflow import CLOSED_CATEGORIES

# Business-hour thresholds (warn, breach) per status category; waiting pauses the clock.
THRESHOLDS = {"new": (8, 16), "active": (24, 56), "review": (8, 24)}

# (key, name, kind, ref prefix, approver role, intake role, fields, statuses)
# status: (key, name, category, definition of done, decision)
WORKFLOWS = [
    ("referral", "Referral intake", "task", "REF", None, "front_desk",
     [{"key": "referred_to", "label": "Referred to (specialty or clinic)", "required": True}],
     [("new", "New", "new", "Referral logged with patient and reason", None),
      ("waiting_records", "Waiting on records", "waiting", "Records requested from the referrer", None),
      ("waiting_patient", "Waiting on patient", "waiting", "Patient contacted, answer pending", None),
      ("ready", "Ready to schedule", "active", "Records and consent in hand", None),
      ("scheduled", "Scheduled", "done", "Appointment booked and patient told", None),
      ("not_needed", "Closed – not needed", "cancelled", "Referral withdrawn or not needed", None)]),
    ("prior_auth", "Prior authorization", "task", "PA", None, "billing",
     [{"key": "procedure", "label": "Procedure or medication", "required": True},
      {"key": "payer_ref", "label": "Payer reference number", "required": False}],
     [("new", "New", "new", "Request logged with procedure and payer", None),
      ("submitted", "Submitted to payer", "active", "Request sent with clinical notes", None),
      ("waiting_payer", "Waiting on payer", "waiting", "Payer acknowledged, decision pending", None),
      ("appeal", "Appeal", "active", "Appeal letter and records sent", None),
      ("approved", "Approved", "done", "Authorization number recorded", None),
      ("denied", "Denied", "done", "Denial recorded and patient told", None)]),
    ("records", "Records request", "task", "REC", None, "front_desk",
     [{"key": "records_from", "label": "Records from (practice or hospital)", "required": True}],
     [("new", "New", "new", "Request logged with sender and what is needed", None),
      ("requested", "Requested", "active", "Request sent to the holder of the records", None),
      ("waiting_sender", "Waiting on sender", "waiting", "Sender acknowledged, records pending", None),
      ("received", "Received", "done", "Records filed in the chart", None),
      ("cancelled", "Cancelled", "cancelled", "No longer needed", None)]),
    ("lab_followup", "Lab results follow-up", "task", "LAB", None, "clinical",
     [{"key": "test", "label": "Test or panel", "required": True}],
     [("new", "New", "new", "Result needs a follow-up", None),
      ("outreach", "Patient outreach", "active", "Patient being contacted", None),
      ("waiting_patient", "Waiting on patient", "waiting", "Message left, answer pending", None),
      ("booked", "Follow-up booked", "done", "Follow-up visit or call booked", None),
      ("no_action", "Closed – no action", "cancelled", "Provider says no follow-up needed", None)]),
    ("billing", "Billing follow-up", "task", "BIL", None, "billing",
     [{"key": "claim", "label": "Claim number", "required": True}],
     [("new", "New", "new", "Claim issue logged", None),
      ("investigating", "Investigating", "active", "Cause of the denial or delay being found", None),
      ("waiting_payer", "Waiting on payer", "waiting", "Payer asked, answer pending", None),
      ("resubmitted", "Resubmitted", "active", "Corrected claim sent", None),
      ("paid", "Paid", "done", "Payment posted", None),
      ("written_off", "Written off", "done", "Balance written off with approval", None)]),
    ("supply", "Supply reorder", "approval", "SUP", "manager", "clinical",
     [{"key": "item", "label": "Item and quantity", "required": True}],
     [("new", "New", "new", "Request drafted", None),
      ("needs_info", "Needs info", "waiting", "Requester adds what the approver asked for", "sent_back"),
      ("ready", "Ready for review", "review", "Approver has everything to decide", None),
      ("approved", "Approved", "done", "Approved by the manager", "approved"),
      ("rejected", "Rejected", "done", "Rejected with a reason", "rejected"),
      ("ordered", "Ordered", "done", "Order placed with the vendor", None),
      ("withdrawn", "Withdrawn", "cancelled", "Requester withdrew the request", None)]),
    ("signoff", "Clinical sign-off", "approval", "SGN", "provider", "provider",
     [{"key": "document", "label": "Document or order to sign", "required": True}],
     [("new", "New", "new", "Request drafted", None),
      ("needs_info", "Needs info", "waiting", "Requester adds what the provider asked for", "sent_back"),
      ("ready", "Ready for review", "review", "Provider has everything to decide", None),
      ("in_review", "In review", "review", "Provider is reviewing", None),
      ("approved", "Approved", "done", "Signed off by the provider", "approved"),
      ("rejected", "Rejected", "done", "Rejected with a reason", "rejected"),
      ("closed", "Closed", "done", "Filed; nothing more to do", None)]),
    ("care_task", "Care plan task", "care", "CARE", None, "care_coordinator", [],
     [("new", "New", "new", "Task generated from the care plan", None),
      ("in_progress", "In progress", "active", "Outreach or intervention under way", None),
      ("waiting", "Waiting", "waiting", "Waiting on the patient or another party", None),
      ("completed", "Completed", "done", "Intervention done and noted", None),
      ("cancelled", "Cancelled", "cancelled", "Not needed this time", None)]),
]  # fmt: skip

REASONS = {
    "waiting": [("missing_info", "Missing information"), ("patient_unreachable", "Patient unreachable"),
                ("payer_pending", "Payer pending"), ("records_pending", "Records pending"),
                ("provider_unavailable", "Provider unavailable"), ("other", "Other (note required)")],
    "needs_info": [("missing_document", "Missing document"), ("wrong_form", "Wrong form"),
                   ("unclear_request", "Unclear request"), ("missing_signature", "Missing signature"),
                   ("other", "Other (note required)")],
    "rejection": [("not_medically_necessary", "Not medically necessary"), ("not_covered", "Not covered"),
                  ("duplicate_request", "Duplicate request"), ("over_budget", "Over budget"),
                  ("other", "Other (note required)")],
    "reopen": [("closed_in_error", "Closed in error"), ("new_information", "New information"),
               ("payer_reversed", "Payer reversed decision"), ("other", "Other (note required)")],
    "exception": [("no_longer_needed", "No longer needed"), ("duplicate", "Duplicate"),
                  ("patient_declined", "Patient declined"), ("other", "Other (note required)")],
}  # fmt: skip

PROGRAMS = [
    ("ccm", "Chronic care management"),
    ("rpm", "Remote patient monitoring"),
    ("tcm", "Transitional care management"),
    ("diabetes", "Diabetes self-management"),
    ("hypertension", "Hypertension control"),
]

TEMPLATES = {
    "referral": [("Cardiology referral", "Cardiology referral", ["Referral letter", "Recent ECG"])],
    "prior_auth": [
        ("MRI prior auth", "Prior auth – MRI", ["Order", "Clinical notes", "Payer form"])
    ],
    "records": [("Hospital discharge records", "Discharge summary request", ["Signed release"])],
    "lab_followup": [("Abnormal A1c", "A1c follow-up", ["Call patient", "Book visit"])],
    "billing": [("Denied claim", "Denied claim follow-up", ["Read EOB", "Fix coding"])],
    "supply": [("Vaccine reorder", "Vaccine reorder", ["Check stock", "Quote from vendor"])],
    "signoff": [("Standing order", "Standing order sign-off", ["Attach order"])],
}


def _transitions(wf_key: str, kind: str, statuses: list[tuple]) -> list[dict]:
    """Derive the allowed moves from status categories (the rules of workflows.md)."""
    cat = {s[0]: s[2] for s in statuses}
    decision = {s[0]: s[4] for s in statuses}
    open_keys = [k for k, c in cat.items() if c not in CLOSED_CATEGORIES]
    reopen_to = next((k for k, c in cat.items() if c == "active"), statuses[0][0])
    first_review = next((k for k, c in cat.items() if c == "review"), None)
    moves: list[dict] = []

    def add(a, b, cap=Cap.TASK_EDIT_OWN, reason=None, handoff="keep", reopen=False):
        moves.append(dict(frm=a, to=b, cap=cap, reason=reason, handoff=handoff, reopen=reopen))

    for a in open_keys:
        for b, cb in cat.items():
            if a == b or cb == "new":
                continue
            if kind == "approval":
                if cb == "review" and cat[a] == "review":
                    add(a, b, Cap.APPROVAL_DECIDE)  # the approver picks it up
                elif b == first_review:
                    add(a, b, Cap.APPROVAL_REQUEST, handoff="approver")
                elif decision[b] == Decision.SENT_BACK and cat[a] == "review":
                    add(a, b, Cap.APPROVAL_DECIDE, "needs_info", "requester")
                elif decision[b] == Decision.REJECTED and cat[a] == "review":
                    add(a, b, Cap.APPROVAL_DECIDE, "rejection", "requester")
                elif decision[b] == Decision.APPROVED and cat[a] == "review":
                    # Approved supplies go back to the requester, who places the order.
                    add(
                        a,
                        b,
                        Cap.APPROVAL_DECIDE,
                        handoff="requester" if wf_key == "supply" else "keep",
                    )
                elif (b == "closed" or cb == "cancelled") and cat[a] != "review":
                    add(a, b, reason="exception")  # withdrawn before a decision
                continue
            if cb == "waiting":
                add(a, b, reason="waiting")
            elif cb == "cancelled":
                add(a, b, reason="exception")
            elif decision[b] is None and b == "denied":
                add(a, b, reason="rejection")
            else:
                add(a, b)
    for b, cb in cat.items():
        # Follow-on steps after a decision: order what was approved, file what was decided.
        if kind == "approval" and cb == "done" and decision[b] is None:
            for a in cat:
                if decision[a] in (Decision.APPROVED, Decision.REJECTED) and not (
                    b == "ordered" and a == "rejected"
                ):
                    add(a, b)
    for a, ca in cat.items():
        if ca in CLOSED_CATEGORIES:
            add(a, reopen_to, reason="reopen", reopen=True)
    return moves


def rows() -> dict[str, list[dict]]:
    """Every default row, table by table, with explicit ids, in insertion order."""
    now = datetime.now(UTC)
    out: dict[str, list[dict]] = {k: [] for k in (
        "capabilities", "roles", "role_capabilities", "locations", "workflows", "role_workflows",
        "statuses", "transitions", "reason_codes", "templates", "programs", "settings")}  # fmt: skip
    for key, desc in CAPABILITY_DESCRIPTIONS.items():
        out["capabilities"].append({"key": key, "description": desc})
    role_id = {}
    for i, (key, (name, start)) in enumerate(DEFAULT_ROLES.items(), 1):
        role_id[key] = i
        out["roles"].append({"id": i, "key": key, "name": name, "start_view": start})
        for cap in sorted(DEFAULT_ROLE_CAPABILITIES[key]):
            out["role_capabilities"].append({"role_id": i, "capability_key": cap})
    out["locations"].append({"id": 1, "name": "Main office", "is_default": True, "active": True})
    wf_id, sid, tid, tpl = {}, 0, 0, 0
    for pos, (key, name, kind, prefix, approver, intake, fields, statuses) in enumerate(
        WORKFLOWS, 1
    ):
        wf_id[key] = pos
        out["workflows"].append({
            "id": pos, "key": key, "name": name, "kind": kind, "ref_prefix": prefix,
            "position": pos, "approver_role_id": role_id.get(approver),
            "intake_role_id": role_id.get(intake), "fields": fields, "active": True})  # fmt: skip
        status_id = {}
        for spos, (skey, sname, cat, dod, decision) in enumerate(statuses):
            sid += 1
            status_id[skey] = sid
            warn, breach = THRESHOLDS.get(cat, (None, None))
            out["statuses"].append({
                "id": sid, "workflow_id": pos, "key": skey, "name": sname, "category": cat,
                "position": spos, "definition_of_done": dod, "warn_hours": warn,
                "breach_hours": breach, "pauses_sla": cat == "waiting", "decision": decision})  # fmt: skip
        for m in _transitions(key, kind, statuses):
            tid += 1
            out["transitions"].append({
                "id": tid, "workflow_id": pos, "from_status_id": status_id[m["frm"]],
                "to_status_id": status_id[m["to"]], "capability_key": m["cap"], "label": "",
                "reason_kind": m["reason"], "handoff": m["handoff"], "is_reopen": m["reopen"]})  # fmt: skip
        for tname, title, checklist in TEMPLATES.get(key, []):
            tpl += 1
            out["templates"].append({
                "id": tpl, "workflow_id": pos, "name": tname, "title": title, "details": "",
                "checklist": [{"text": c, "done": False} for c in checklist], "fields": [],
                "priority": 1, "due_in_days": 7, "active": True})  # fmt: skip
    for role, wfs in DEFAULT_ROLE_WORKFLOWS.items():
        keys = [w[0] for w in WORKFLOWS] if ALL_WORKFLOWS in wfs else wfs
        for k in keys:
            out["role_workflows"].append({"role_id": role_id[role], "workflow_id": wf_id[k]})
    rid = 0
    for kind, codes in REASONS.items():
        for p, (key, label) in enumerate(codes):
            rid += 1
            out["reason_codes"].append({
                "id": rid, "kind": kind, "key": key, "label": label,
                "note_required": key == "other", "position": p, "active": True})  # fmt: skip
    for i, (key, name) in enumerate(PROGRAMS, 1):
        out["programs"].append({"id": i, "key": key, "name": name, "active": True})
    for key, value in seed_values().items():
        out["settings"].append({"key": key, "value": value, "updated_at": now})
    return out
