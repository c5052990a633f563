"""A FHIR R4 Bundle (type ``collection``) of the practice's patients, their care plans,
goals and tasks, and the providers they name — built from queries/fhir.py's rows.

docs/fhir.md holds the mapping as one table; keep it and ``TASK_STATUS`` /
``PLAN_STATUS`` / ``GOAL_*`` below in step. Every reference points at a resource inside
the bundle (``urn:uuid:`` full URLs, stable per database row), except a task owner who is
not a provider: that is a reference with a display name only.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, date, datetime
from pathlib import Path

from practiceboard.core.rows import FhirPerson, FhirSource, FhirTaskRow

# our status category -> Task.status
TASK_STATUS = {
    "new": "requested",
    "active": "in-progress",
    "waiting": "on-hold",
    "review": "ready",
    "done": "completed",
    "cancelled": "cancelled",
}
# care_plans.status -> CarePlan.status
PLAN_STATUS = {"draft": "draft", "active": "active", "on_hold": "on-hold", "closed": "completed"}
# care_goals.status -> Goal.lifecycleStatus and Goal.achievementStatus code
GOAL_LIFECYCLE = {"open": "active", "met": "completed", "not_met": "completed",
                  "dropped": "cancelled"}  # fmt: skip
GOAL_ACHIEVEMENT = {"open": "in-progress", "met": "achieved", "not_met": "not-achieved",
                    "dropped": "not-achieved"}  # fmt: skip
ACHIEVEMENT_SYSTEM = "http://terminology.hl7.org/CodeSystem/goal-achievement"
USER_SYSTEM = "urn:practiceboard:user"
TASK_SYSTEM = "urn:practiceboard:task"
REASON_SYSTEM = "urn:practiceboard:reason"
WORKFLOW_SYSTEM = "urn:practiceboard:workflow"
_NS = uuid.UUID("6f1c0c2e-1d0b-4d63-9a0e-8f3c1f5d2b13")


def full_url(kind: str, ident: int | str) -> str:
    return f"urn:uuid:{uuid.uuid5(_NS, f'{kind}/{ident}')}"


def _ref(kind: str, ident: int, display: str | None = None) -> dict:
    out = {"reference": full_url(kind, ident), "type": kind}
    if display:
        out["display"] = display
    return out


def _instant(at: datetime) -> str:
    return at.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _name(text: str) -> list[dict]:
    parts = text.split()
    name: dict = {"text": text}
    if len(parts) > 1:
        name["family"], name["given"] = parts[-1], parts[:-1]
    return [name]


def practitioner(p: FhirPerson) -> dict:
    return {
        "resourceType": "Practitioner",
        "identifier": [{"system": USER_SYSTEM, "value": p.username}],
        "active": p.active,
        "name": _name(p.name),
    }


def bundle(source: FhirSource, *, at: datetime | None = None) -> dict:
    """The Bundle as a JSON-ready dict."""
    people = {p.id: p for p in source.people}
    providers = {p.id for p in source.people if p.provider}
    entries: list[tuple[str, int, dict]] = []
    for p in source.people:
        if p.provider:
            entries.append(("Practitioner", p.id, practitioner(p)))
    for pt in source.patients:
        res: dict = {
            "resourceType": "Patient",
            "identifier": [{"system": source.mrn_system, "value": pt.mrn}],
            "active": pt.active,
            "name": _name(pt.name),
        }
        if pt.phone:
            res["telecom"] = [{"system": "phone", "value": pt.phone}]
        if pt.date_of_birth:
            res["birthDate"] = pt.date_of_birth.isoformat()
        if pt.primary_provider_id in providers:
            doc = people[pt.primary_provider_id]
            res["generalPractitioner"] = [_ref("Practitioner", doc.id, doc.name)]
        entries.append(("Patient", pt.id, res))
    goals_of: dict[int, list] = {}
    for g in source.goals:
        goals_of.setdefault(g.plan_id, []).append(g)
    tasks_of: dict[int, list] = {}
    for t in source.tasks:
        if t.care_plan_id is not None:
            tasks_of.setdefault(t.care_plan_id, []).append(t)
    plan_patient = {c.id: c.patient_id for c in source.plans}
    for c in source.plans:
        res = {
            "resourceType": "CarePlan",
            "status": PLAN_STATUS.get(c.status, "unknown"),
            "intent": "plan",
            "title": c.program,
            "subject": _ref("Patient", c.patient_id),
            "period": {"start": c.start_date.isoformat()},
        }
        if c.end_date:
            res["period"]["end"] = c.end_date.isoformat()
        if c.summary:
            res["description"] = c.summary
        if c.owner_id in providers:
            res["author"] = _ref("Practitioner", c.owner_id, people[c.owner_id].name)
        goals = goals_of.get(c.id, [])
        if goals:
            res["goal"] = [_ref("Goal", g.id) for g in goals]
        tasks = tasks_of.get(c.id, [])
        if tasks:
            res["activity"] = [{"reference": _ref("Task", t.id, t.title)} for t in tasks]
        entries.append(("CarePlan", c.id, res))
        for g in goals:
            goal: dict = {
                "resourceType": "Goal",
                "lifecycleStatus": GOAL_LIFECYCLE.get(g.status, "active"),
                "achievementStatus": {
                    "coding": [
                        {
                            "system": ACHIEVEMENT_SYSTEM,
                            "code": GOAL_ACHIEVEMENT.get(g.status, "in-progress"),
                        }
                    ]
                },  # fmt: skip
                "description": {"text": g.description},
                "subject": _ref("Patient", c.patient_id),
            }
            if g.target_date or g.target:
                target: dict = {}
                if g.target:
                    target["detailString"] = g.target
                if g.target_date:
                    target["dueDate"] = g.target_date.isoformat()
                goal["target"] = [target]
            entries.append(("Goal", g.id, goal))
    for t in source.tasks:
        entries.append(("Task", t.id, task(t, people, providers, plan_patient)))
    stamp = at or datetime.now(UTC)
    return {
        "resourceType": "Bundle",
        "type": "collection",
        "timestamp": _instant(stamp),
        "entry": [
            {"fullUrl": full_url(kind, ident), "resource": res} for kind, ident, res in entries
        ],  # fmt: skip
    }


def task(t: FhirTaskRow, people: dict[int, FhirPerson], providers: set[int],
         plan_patient: dict[int, int]) -> dict:  # fmt: skip
    owner = people.get(t.owner_id)
    res: dict = {
        "resourceType": "Task",
        "identifier": [{"system": TASK_SYSTEM, "value": t.ref}],
        "status": TASK_STATUS.get(t.category, "requested"),
        "businessStatus": {"text": t.status_name},
        "intent": "order",
        "code": {"coding": [{"system": WORKFLOW_SYSTEM, "code": t.workflow}]},
        "description": t.title,
        "for": _ref("Patient", t.patient_id),
        "authoredOn": _instant(t.created_at),
        "lastModified": _instant(t.updated_at),
    }
    if t.care_plan_id is not None and t.care_plan_id in plan_patient:
        res["basedOn"] = [_ref("CarePlan", t.care_plan_id)]
    if owner is not None:
        res["owner"] = (
            _ref("Practitioner", owner.id, owner.name)
            if owner.id in providers
            else {"display": owner.name}
        )
    requester = people.get(t.requester_id)
    if requester is not None and requester.id in providers:
        res["requester"] = _ref("Practitioner", requester.id, requester.name)
    if t.due_date:
        res["restriction"] = {"period": {"end": t.due_date.isoformat()}}
    if t.reason_key:
        res["statusReason"] = {
            "coding": [
                {"system": REASON_SYSTEM, "code": t.reason_key, "display": t.reason_label}
            ],  # fmt: skip
            "text": t.reason_label,
        }
    notes = [{"text": t.reason_note}] if t.reason_note else []
    notes += [{"text": body, "time": _instant(at), "authorString": who}
              for at, who, body in t.notes]  # fmt: skip
    if notes:
        res["note"] = notes
    return res


def export_to(db, actor, path: Path, *, mrn: str | None = None, since: date | None = None):
    """Read (audited), build and write the Bundle; the rows it was built from."""
    from practiceboard.queries.fhir import fhir_source

    source = fhir_source(db, actor, mrn=mrn, since=since)
    write_bundle(bundle(source), path)
    return source


def write_bundle(data: dict, path: Path) -> Path:
    path = Path(path)
    path.write_text(json.dumps(data, indent=1, ensure_ascii=False, default=_json), "utf-8")
    return path


def _json(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON")
