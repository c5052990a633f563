"""``backup``: a copy of the database, into the usual folder or one named with --to."""

from __future__ import annotations

import argparse
from pathlib import Path

from practiceboard.cli.common import opened, say
from practiceboard.db import migrate
from practiceboard.db.backup import verified_backup


def add_commands(sub, db_opt: argparse.ArgumentParser) -> None:
    p = sub.add_parser("backup", parents=[db_opt], help="back up the database")
    p.add_argument("--to", metavar="FOLDER", help="folder for the backup file")
    p.set_defaults(func=cmd_backup)


def cmd_backup(args) -> int:
    with opened(args) as db:
        migrate.ensure_known(db)
        folder = Path(args.to).expanduser() if args.to else None  # made if missing
        say(str(verified_backup(db, label="manual", folder=folder)))
        return 0
