"""Capabilities, the default role matrix and the policy check.

The matrix below is what a new database starts with (seeded by the first
migration); an admin may change it, and services enforce whatever is stored.
"""

from __future__ import annotations

from dataclasses import dataclass

from practiceboard.domain.errors import PermissionDenied


class Cap:
    """Capability keys (stored in the ``capabilities`` table)."""

    TASK_VIEW = "task.view"
    TASK_VIEW_ALL = "task.view_all"
    TASK_CREATE = "task.create"
    TASK_EDIT_OWN = "task.edit_own"
    TASK_REASSIGN = "task.reassign"
    TASK_CLOSE_ANY = "task.close_any"
    APPROVAL_REQUEST = "approval.request"
    APPROVAL_DECIDE = "approval.decide"
    PATIENT_VIEW = "patient.view"
    PATIENT_EDIT = "patient.edit"
    CAREPLAN_CLINICAL = "careplan.edit_clinical"
    CAREPLAN_OPERATIONAL = "careplan.edit_operational"
    REPORTS_VIEW = "reports.view"
    EXPORT = "export"
    ADMIN = "admin.manage"
    AUDIT_VIEW = "audit.view"


CAPABILITY_DESCRIPTIONS: dict[str, str] = {
    Cap.TASK_VIEW: "See tasks of their workflows",
    Cap.TASK_VIEW_ALL: "See tasks of all workflows",
    Cap.TASK_CREATE: "Create tasks (intake)",
    Cap.TASK_EDIT_OWN: "Edit and move their own tasks",
    Cap.TASK_REASSIGN: "Reassign other people's tasks",
    Cap.TASK_CLOSE_ANY: "Close or reopen any task",
    Cap.APPROVAL_REQUEST: "Request approval",
    Cap.APPROVAL_DECIDE: "Decide approvals",
    Cap.PATIENT_VIEW: "See patient name and date of birth",
    Cap.PATIENT_EDIT: "Add and update patients",
    Cap.CAREPLAN_CLINICAL: "Edit care plan clinical fields (goals, interventions)",
    Cap.CAREPLAN_OPERATIONAL: "Edit care plan operational fields (owner, dates, status)",
    Cap.REPORTS_VIEW: "Dashboards and reports",
    Cap.EXPORT: "Export (CSV, PDF)",
    Cap.ADMIN: "Users, roles, workflows, settings",
    Cap.AUDIT_VIEW: "Audit report",
}

_STAFF = {
    Cap.TASK_VIEW,
    Cap.TASK_CREATE,
    Cap.TASK_EDIT_OWN,
    Cap.APPROVAL_REQUEST,
    Cap.PATIENT_VIEW,
}

# workflows.md, "Roles and what they may do". patient.edit is our addition: the
# staff who register patients for intake (billing works from existing records).
DEFAULT_ROLE_CAPABILITIES: dict[str, frozenset[str]] = {
    "front_desk": frozenset(_STAFF | {Cap.PATIENT_EDIT}),
    "clinical": frozenset(_STAFF | {Cap.PATIENT_EDIT, Cap.CAREPLAN_OPERATIONAL}),
    "provider": frozenset(
        _STAFF
        | {
            Cap.APPROVAL_DECIDE,
            Cap.PATIENT_EDIT,
            Cap.CAREPLAN_CLINICAL,
            Cap.CAREPLAN_OPERATIONAL,
        }
    ),
    "billing": frozenset(_STAFF),
    "care_coordinator": frozenset(_STAFF | {Cap.PATIENT_EDIT, Cap.CAREPLAN_OPERATIONAL}),
    "manager": frozenset(
        _STAFF
        | {
            Cap.TASK_VIEW_ALL,
            Cap.TASK_REASSIGN,
            Cap.TASK_CLOSE_ANY,
            Cap.APPROVAL_DECIDE,
            Cap.PATIENT_EDIT,
            Cap.CAREPLAN_OPERATIONAL,
            Cap.REPORTS_VIEW,
            Cap.EXPORT,
        }
    ),
    "admin": frozenset(
        {Cap.TASK_VIEW, Cap.TASK_VIEW_ALL, Cap.REPORTS_VIEW, Cap.EXPORT, Cap.ADMIN, Cap.AUDIT_VIEW}
    ),
}

# key -> (display name, start view after sign-in)
DEFAULT_ROLES: dict[str, tuple[str, str]] = {
    "front_desk": ("Front desk", "queue"),
    "clinical": ("Clinical (MA/nurse)", "queue"),
    "provider": ("Provider", "approvals"),
    "billing": ("Billing", "board"),
    "care_coordinator": ("Care coordinator", "queue"),
    "manager": ("Manager", "attention"),
    "admin": ("Administrator", "board"),
}

ALL_WORKFLOWS = "*"
DEFAULT_ROLE_WORKFLOWS: dict[str, tuple[str, ...]] = {
    "front_desk": ("referral", "records", "lab_followup"),
    "clinical": ("referral", "prior_auth", "records", "lab_followup", "care_task", "supply"),
    "provider": ("signoff", "prior_auth", "care_task"),
    "billing": ("billing", "prior_auth"),
    "care_coordinator": ("care_task", "referral", "lab_followup"),
    "manager": (ALL_WORKFLOWS,),
    "admin": (ALL_WORKFLOWS,),
}


@dataclass(frozen=True)
class Policy:
    """What one user may do right now, read fresh from the database by each service."""

    user_id: int
    capabilities: frozenset[str]
    roles: frozenset[str]
    workflow_ids: frozenset[int]  # visible workflows (all of them for task.view_all)
    role_ids: frozenset[int] = frozenset()  # the roles held, by id (a workflow's approver role)

    def can(self, capability: str) -> bool:
        return capability in self.capabilities

    def sees_workflow(self, workflow_id: int) -> bool:
        return workflow_id in self.workflow_ids

    def may_edit_task(self, owner_id: int) -> bool:
        """Owners edit and move their own tasks; managers anyone's."""
        if owner_id == self.user_id:
            return self.can(Cap.TASK_EDIT_OWN)
        return self.can(Cap.TASK_CLOSE_ANY) or self.can(Cap.TASK_REASSIGN)


def denial_message(capability: str) -> str:
    what = CAPABILITY_DESCRIPTIONS.get(capability, capability).lower()
    return f"Your role does not allow this: {what}. Ask your practice manager if you need it."


def require(policy: Policy, capability: str) -> None:
    if not policy.can(capability):
        raise PermissionDenied(denial_message(capability))
