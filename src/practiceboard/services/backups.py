"""Backup now and restore, from the app: admin only, audited to the person.

The work itself is ``db/backup.py`` and ``db/restore.py`` (the CLI calls them too); this
module is the gate: the capability check (a refusal audited as denied), the practice's
backup folder, and the audit row naming who did it.
"""

from __future__ import annotations

from pathlib import Path

from practiceboard.core.actor import Actor, actor_policy, require
from practiceboard.core.clock import now
from practiceboard.core.definitions import setting
from practiceboard.core.paths import data_dir
from practiceboard.core.unit import audited
from practiceboard.db import audit
from practiceboard.db import restore as restoring
from practiceboard.db.backup import verified_backup
from practiceboard.db.engine import Database
from practiceboard.domain.policy import Cap


def backup_folder(db: Database) -> Path:
    """The practice's backup folder: the ``backup_folder`` setting, or 'backups' in the
    app's data folder."""
    with db.read() as session:
        configured = (setting(session, "backup_folder") or "").strip()
    return Path(configured).expanduser() if configured else data_dir() / "backups"


def _require_admin(db: Database, actor: Actor, action: str) -> None:
    with audited(db, actor, action, "database") as session:
        require(actor_policy(session, actor), Cap.ADMIN)


def backup_now(db: Database, actor: Actor) -> Path:
    """A backup into the practice's backup folder, checked and recorded."""
    _require_admin(db, actor, "backup.manual")
    path = verified_backup(db, label="manual", folder=backup_folder(db))
    with db.write() as session:
        audit.write(session, actor.who(), "backup.manual", "database", None, category="system",
                    at=now(), new={"file": str(path)})  # fmt: skip
    return path


def inspect(db: Database, actor: Actor, path: Path) -> restoring.BackupSummary:
    """What a backup holds, checked against this database (engine, schema version)."""
    _require_admin(db, actor, "database.restore")
    summary = restoring.inspect(Path(path))
    restoring.check_restorable(db, summary)
    return summary


def restore(db: Database, actor: Actor, path: Path) -> restoring.Restored:
    """Replace the database with the backup at ``path`` (the current one is backed up
    first). ``db`` is disposed: the app opens the database again afterwards."""
    _require_admin(db, actor, "database.restore")
    return restoring.restore(db, Path(path), who=actor.username, folder=backup_folder(db))
