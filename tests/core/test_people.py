"""core.people: the one rule for 'is this an active staff member'."""

from __future__ import annotations

import pytest

from practiceboard.core.people import is_active, require_active
from practiceboard.domain.errors import ValidationError
from practiceboard.services import users


def test_active_disabled_unknown_and_nobody(db, staff):
    users.set_active(db, staff.admin, staff.billing.user_id, False)
    with db.read() as s:
        assert is_active(s, staff.clinical.user_id)
        assert not is_active(s, staff.billing.user_id)
        assert not is_active(s, 999_999)
        assert not is_active(s, None)


def test_require_active_names_the_field(db, staff):
    users.set_active(db, staff.admin, staff.billing.user_id, False)
    with db.read() as s:
        require_active(s, staff.clinical.user_id, "owner")
        require_active(s, None, "owner")  # nobody named: the caller decides
        with pytest.raises(ValidationError) as err:
            require_active(s, staff.billing.user_id, "provider")
    assert err.value.field == "provider"
    assert err.value.message == "The provider must be an active staff member."
