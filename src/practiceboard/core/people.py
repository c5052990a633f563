"""The one rule for "is this person an active staff member".

A disabled account keeps its history (tasks it owned, notes it wrote) but may
not be given new work: no owner, provider or intervention owner may name it.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from practiceboard.db.models import User
from practiceboard.domain.errors import ValidationError


def is_active(session: Session, user_id: int | None) -> bool:
    """True when the account exists and is not disabled."""
    if user_id is None:
        return False
    user = session.get(User, user_id)
    return user is not None and bool(user.active)


def require_active(session: Session, user_id: int | None, field: str) -> None:
    """ValidationError on ``field`` unless ``user_id`` is an active account
    (None, "nobody named", passes: the caller decides whether one is required)."""
    if user_id is not None and not is_active(session, user_id):
        raise ValidationError(f"The {field} must be an active staff member.", field)
