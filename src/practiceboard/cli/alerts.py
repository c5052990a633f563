"""``alerts --once``: one alert scan, as the scheduler would run it, for everyone or one
person. For admins checking their set-up (and for tests): prints each alert raised and
then ``N alerts raised``; a second run at the same moment raises none."""

from __future__ import annotations

import argparse

from sqlalchemy import select

from practiceboard.cli.common import UsageError, opened, require_ready, say
from practiceboard.db.models import User
from practiceboard.jobs import alerts


def add_commands(sub, db_opt: argparse.ArgumentParser) -> None:
    p = sub.add_parser("alerts", parents=[db_opt], help="run the aging-alert scan once")
    p.add_argument("--once", action="store_true", help="scan once now and print what was raised")
    p.add_argument("--user", metavar="NAME", help="only this person's alerts (user name)")
    p.set_defaults(func=cmd_alerts)


def cmd_alerts(args) -> int:
    if not args.once:
        raise UsageError(
            "The desktop app runs the alert scan every minute; add --once to run it here now."
        )
    with opened(args) as db:
        require_ready(db)
        with db.read() as session:
            names = dict(session.execute(select(User.id, User.username)).tuples().all())
        user_id = None
        if args.user:
            user_id = next((uid for uid, name in names.items() if name == args.user), None)
            if user_id is None:
                raise UsageError(f"There is no user called {args.user!r}.")
        raised = alerts.scan(db, user_id=user_id)
        for r in raised:
            say(f"{names.get(r.alert.user_id, '?'):<14} {r.alert.kind.value:<14} {r.alert.title}")
        say(f"{len(raised)} alert{'' if len(raised) == 1 else 's'} raised")
    return 0
