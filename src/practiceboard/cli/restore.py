"""``restore FILE``: put a backup back in place of the database — after showing what the
backup holds and a confirmation, and after backing the current database up first."""

from __future__ import annotations

import argparse
from pathlib import Path

from practiceboard.cli.common import err, opened, say
from practiceboard.db import backup
from practiceboard.db import restore as restoring


def add_commands(sub, db_opt: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "restore", parents=[db_opt], help="replace the database with a backup (backed up first)"
    )
    p.add_argument("file", metavar="FILE", help="the backup file (.db or .dump)")
    p.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    p.add_argument(
        "--before-to", metavar="FOLDER",
        help="folder for the backup of the current database (default: the backup folder)",
    )  # fmt: skip
    p.set_defaults(func=cmd_restore)


def cmd_restore(args) -> int:
    path = Path(args.file).expanduser()
    summary = restoring.inspect(path)
    with opened(args) as db:
        restoring.check_restorable(db, summary)
        say(f"{path} holds:", *(f"  {line}" for line in summary.lines()))
        say(f"It will replace {db.describe()}; the current database is backed up first.")
        if not args.yes and input("Type yes to restore: ").strip().lower() != "yes":
            err("Not restored; nothing was changed.")
            return 1
        folder = Path(args.before_to).expanduser() if args.before_to else _folder(db)
        done = restoring.restore(db, path, who="restore (command line)", folder=folder)
    say(f"Restored. The database as it was before is at {done.safety_backup}.")
    if done.audit_ok:
        say(done.audit_text)
        return 0
    err(done.audit_text)
    return 1


def _folder(db) -> Path:
    """The practice's backup folder, or the data folder's when the database cannot say
    (a damaged database is a common reason to restore)."""
    from practiceboard.services.backups import backup_folder

    try:
        return backup_folder(db)
    except Exception:
        return backup.backup_folder()
