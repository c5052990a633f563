"""Carrying the audit key to another PC (``audit key export``, the audit report's *Export
audit key…*): admin only, audited. The key is written to a new file (mode 0600) that the
admin takes to the other PC on a USB stick and imports there
(``practiceboard audit key import FILE``, db.audit.install_key)."""

from __future__ import annotations

from pathlib import Path

from practiceboard.core.actor import Actor, actor_policy, require
from practiceboard.core.clock import now
from practiceboard.core.unit import audited
from practiceboard.db import audit
from practiceboard.db.engine import Database
from practiceboard.domain.errors import PracticeBoardError, ValidationError
from practiceboard.domain.policy import Cap


def export_key(db: Database, actor: Actor, target: Path) -> Path:
    """Write this database's audit key to ``target`` (never over an existing file)."""
    target = Path(target)
    with audited(db, actor, "audit.key_export", "audit_key") as session:
        require(actor_policy(session, actor), Cap.ADMIN)
        audit.write(session, actor.who(), "audit.key_export", "audit_key", None,
                    category="security", detail=str(target), at=now())  # fmt: skip
        try:  # last: a file that cannot be written rolls the audit row back
            audit.export_key(session, target)
        except FileExistsError:
            raise ValidationError(
                f"{target} already exists; export the key to a new file name.", "file"
            ) from None
        except OSError as exc:
            raise PracticeBoardError(
                f"The key could not be written to {target} ({exc.strerror or exc}); nothing "
                "was written."
            ) from None
    return target
