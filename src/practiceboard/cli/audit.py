"""``audit verify``: check the tamper-evident chain of the audit log."""

from __future__ import annotations

import argparse

from practiceboard.cli.common import err, opened, require_ready, say
from practiceboard.db import audit


def add_commands(sub, db_opt: argparse.ArgumentParser) -> None:
    p = sub.add_parser("audit", help="audit log checks")
    au = p.add_subparsers(dest="audit_action", metavar="ACTION", required=True)
    au.add_parser("verify", parents=[db_opt], help="check the tamper-evident chain")
    p.set_defaults(func=cmd_audit)


def cmd_audit(args) -> int:
    with opened(args) as db:
        require_ready(db)
        with db.read() as session:
            result = audit.verify(session)
        if result.ok:
            say(result.describe())
            return 0
        err(result.describe())
        return 1
