"""Emergency ("break-glass") access, security.md item 6: an audited admin action, never a
back door.

An admin grants one person (themselves included: the admin role sees no patient data)
the right to see patient data for a short time — at most BREAK_GLASS_MAX_MINUTES — with a
reason that says why. The grant and its end are audit rows (category security, shown in
the audit report), every patient-data view during it is audited as always, and it ends
by itself: the grantee's policy (core.actor) holds patient.view only while now is
inside the grant. An admin may end it sooner.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from practiceboard.core.actor import Actor, actor_policy, require
from practiceboard.core.clock import now
from practiceboard.core.people import require_active
from practiceboard.core.unit import audited, get_or_404
from practiceboard.db import audit
from practiceboard.db.engine import Database
from practiceboard.db.models import BreakGlassGrant, User
from practiceboard.domain.errors import ValidationError
from practiceboard.domain.policy import Cap

BREAK_GLASS_MAX_MINUTES = 240
MIN_REASON = 10


def grant(db: Database, actor: Actor, user_id: int, reason: str, minutes: int = 60) -> datetime:
    """Let ``user_id`` see patient data for ``minutes``; returns when it ends."""
    with audited(db, actor, "break_glass.grant", "user", user_id) as session:
        require(actor_policy(session, actor), Cap.ADMIN)
        why = " ".join((reason or "").split())
        if len(why) < MIN_REASON:
            raise ValidationError(
                "Say why emergency access is needed (at least a few words: it is kept in the "
                "audit log).",
                "reason",
            )
        if len(why) > 500:
            raise ValidationError("Keep the reason under 500 characters.", "reason")
        if not isinstance(minutes, int) or not 1 <= minutes <= BREAK_GLASS_MAX_MINUTES:
            raise ValidationError(
                f"Emergency access lasts between 1 and {BREAK_GLASS_MAX_MINUTES} minutes.",
                "minutes",
            )
        get_or_404(session, User, user_id, "account")
        require_active(session, user_id, "person given emergency access")
        at = now()
        row = BreakGlassGrant(user_id=user_id, granted_by_id=actor.user_id, reason=why,
                              starts_at=at, ends_at=at + timedelta(minutes=minutes))  # fmt: skip
        session.add(row)
        session.flush()
        name = session.scalar(select(User.username).where(User.id == user_id))
        audit.write(session, actor.who(), "break_glass.grant", "user", user_id,
                    category="security", at=at, detail=why,
                    new={"grant_id": row.id, "user": name, "minutes": minutes,
                         "ends_at": row.ends_at.isoformat()})  # fmt: skip
        return row.ends_at


def end(db: Database, actor: Actor, user_id: int) -> int:
    """End ``user_id``'s running grants now; returns how many there were."""
    with audited(db, actor, "break_glass.end", "user", user_id) as session:
        require(actor_policy(session, actor), Cap.ADMIN)
        at = now()
        running = session.scalars(
            select(BreakGlassGrant).where(
                BreakGlassGrant.user_id == user_id,
                BreakGlassGrant.revoked_at.is_(None),
                BreakGlassGrant.ends_at > at,
            )
        ).all()
        for row in running:
            row.revoked_at, row.revoked_by_id = at, actor.user_id
        if running:
            audit.write(session, actor.who(), "break_glass.end", "user", user_id,
                        category="security", at=at,
                        new={"grant_ids": [r.id for r in running]})  # fmt: skip
        return len(running)
