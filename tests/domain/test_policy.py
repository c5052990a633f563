"""The default role matrix is the one in workflows.md, and the Policy checks read it right."""

from __future__ import annotations

import pytest

from practiceboard.db import defaults
from practiceboard.domain.errors import PermissionDenied
from practiceboard.domain.policy import (
    ALL_WORKFLOWS,
    CAPABILITY_DESCRIPTIONS,
    DEFAULT_ROLE_CAPABILITIES,
    DEFAULT_ROLE_WORKFLOWS,
    DEFAULT_ROLES,
    Cap,
    Policy,
    denial_message,
    require,
)

ROLES = ("front_desk", "clinical", "provider", "billing", "care_coordinator", "manager", "admin")

# workflows.md, "Roles and what they may do", one row per capability, columns in ROLES order.
# patient.edit is not in workflows.md; policy.py documents it as our addition.
MATRIX = {
    Cap.TASK_VIEW:            "Y Y Y Y Y Y Y",
    Cap.TASK_VIEW_ALL:        "- - - - - Y Y",
    Cap.TASK_CREATE:          "Y Y Y Y Y Y -",
    Cap.TASK_EDIT_OWN:        "Y Y Y Y Y Y -",
    Cap.TASK_REASSIGN:        "- - - - - Y -",
    Cap.TASK_CLOSE_ANY:       "- - - - - Y -",
    Cap.APPROVAL_REQUEST:     "Y Y Y Y Y Y -",
    Cap.APPROVAL_DECIDE:      "- - Y - - Y -",
    Cap.PATIENT_VIEW:         "Y Y Y Y Y Y -",
    Cap.PATIENT_EDIT:         "Y Y Y - Y Y -",
    Cap.CAREPLAN_CLINICAL:    "- - Y - - - -",
    Cap.CAREPLAN_OPERATIONAL: "- Y Y - Y Y -",
    Cap.REPORTS_VIEW:         "- - - - - Y Y",
    Cap.EXPORT:               "- - - - - Y Y",
    Cap.ADMIN:                "- - - - - - Y",
    Cap.AUDIT_VIEW:           "- - - - - - Y",
}  # fmt: skip

# workflows.md: "Which workflows each role sees by default".
SEES = {
    "front_desk": {"referral", "records", "lab_followup"},
    "clinical": {"referral", "prior_auth", "records", "lab_followup", "care_task", "supply"},
    "provider": {"signoff", "prior_auth", "care_task"},
    "billing": {"billing", "prior_auth"},
    "care_coordinator": {"care_task", "referral", "lab_followup"},
    "manager": {ALL_WORKFLOWS},
    "admin": {ALL_WORKFLOWS},
}


def holders(cap: str) -> set[str]:
    return {r for r, caps in DEFAULT_ROLE_CAPABILITIES.items() if cap in caps}


def test_the_matrix_covers_every_capability_and_role():
    assert set(MATRIX) == set(CAPABILITY_DESCRIPTIONS)
    assert tuple(DEFAULT_ROLE_CAPABILITIES) == ROLES == tuple(DEFAULT_ROLES)


@pytest.mark.parametrize("cap", list(MATRIX))
def test_role_matrix_equals_workflows_md(cap):
    marks = MATRIX[cap].split()
    assert holders(cap) == {role for role, m in zip(ROLES, marks, strict=True) if m == "Y"}


def test_the_rules_people_ask_about():
    assert holders(Cap.APPROVAL_DECIDE) == {"provider", "manager"}
    assert "admin" not in holders(Cap.TASK_CREATE)
    assert holders(Cap.AUDIT_VIEW) == {"admin"} == holders(Cap.ADMIN)
    assert holders(Cap.CAREPLAN_CLINICAL) == {"provider"}
    assert holders(Cap.TASK_REASSIGN) == holders(Cap.TASK_CLOSE_ANY) == {"manager"}


def test_default_workflow_visibility_equals_workflows_md():
    assert {r: set(w) for r, w in DEFAULT_ROLE_WORKFLOWS.items()} == SEES
    known = {w[0] for w in defaults.WORKFLOWS}
    for shown in SEES.values():
        assert shown <= known | {ALL_WORKFLOWS}
    # Everyone who sees everything may see every task.
    assert {r for r, w in SEES.items() if ALL_WORKFLOWS in w} == holders(Cap.TASK_VIEW_ALL)


def _policy(role: str, user_id: int = 1, workflows=frozenset({5})) -> Policy:
    return Policy(user_id, DEFAULT_ROLE_CAPABILITIES[role], frozenset({role}), workflows)


def test_policy_checks():
    fran = _policy("front_desk")
    assert fran.can(Cap.TASK_CREATE) and not fran.can(Cap.APPROVAL_DECIDE)
    assert fran.sees_workflow(5) and not fran.sees_workflow(6)
    assert fran.may_edit_task(owner_id=1)  # her own
    assert not fran.may_edit_task(owner_id=2)  # someone else's
    assert _policy("manager").may_edit_task(owner_id=2)
    assert not _policy("admin").may_edit_task(owner_id=1)  # admins own no work


def test_require_and_the_denial_sentence():
    require(_policy("provider"), Cap.APPROVAL_DECIDE)
    with pytest.raises(PermissionDenied) as err:
        require(_policy("billing"), Cap.APPROVAL_DECIDE)
    assert str(err.value) == denial_message(Cap.APPROVAL_DECIDE)
    sentence = str(err.value)
    assert sentence.startswith("Your role does not allow this: decide approvals.")
    assert sentence.endswith("Ask your practice manager if you need it.")
    assert denial_message("made.up").startswith("Your role does not allow this: made.up.")
