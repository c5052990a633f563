"""``users``: list, add, disable, enable and reset staff accounts, acting as a signed-in
admin so every change is audited to a real person."""

from __future__ import annotations

import argparse

from practiceboard.cli import common
from practiceboard.cli.common import new_password, opened, require_ready, say, workstation
from practiceboard.core import settings
from practiceboard.db.engine import Database


def add_commands(sub, db_opt: argparse.ArgumentParser) -> None:
    p = sub.add_parser("users", help="staff accounts (acting as an admin)")
    us = p.add_subparsers(dest="users_action", metavar="ACTION", required=True)
    admin_opt = argparse.ArgumentParser(add_help=False, parents=[db_opt])
    admin_opt.add_argument("--as", dest="as_admin", default="admin", metavar="ADMIN",
                           help="the admin making the change (default: admin)")  # fmt: skip
    a = us.add_parser("add", parents=[admin_opt], help="add a staff account")
    a.add_argument("username")
    a.add_argument("--name", required=True, help="full name as shown on cards")
    a.add_argument("--role", dest="roles", action="append", required=True,
                   help="role key (repeat for several)")  # fmt: skip
    us.add_parser("list", parents=[db_opt], help="list accounts")
    for name, text in [("disable", "disable an account"), ("enable", "enable an account"),
                       ("unlock", "clear a lockout after too many wrong passwords")]:  # fmt: skip
        us.add_parser(name, parents=[admin_opt], help=text).add_argument("username")
    r = us.add_parser("reset-password", parents=[admin_opt],
                      help="set a new password (changed by its owner at next sign-in)")  # fmt: skip
    r.add_argument("username")
    r.add_argument("--one-time", action="store_true",
                   help="make a one-time password and print it, instead of typing one")  # fmt: skip
    g = us.add_parser(
        "break-glass",
        parents=[admin_opt],
        help="emergency access: let USER see patient data for a while (audited)",
    )
    g.add_argument("username")
    g.add_argument("--reason", required=True, help="why (kept in the audit log)")
    g.add_argument("--minutes", type=int, default=60, help="how long (default 60, at most 240)")
    us.add_parser(
        "break-glass-end", parents=[admin_opt], help="end USER's emergency access now"
    ).add_argument("username")
    p.set_defaults(func=cmd_users)


def cmd_users(args) -> int:
    from practiceboard.services import users

    with opened(args) as db:
        require_ready(db)
        if args.users_action == "list":
            rows = users.list_users(db)
            width = max([len(r.username) for r in rows] + [8])
            for r in rows:
                state = "disabled" if not r.active else ("locked" if r.locked else "active")
                if r.active and not r.locked and r.must_change:
                    state = "new password due"
                roles = ", ".join(r.roles)
                say(f"{r.username:<{width}}  {r.display_name:<28}  {state:<16}  {roles}")
            if not rows:
                say("No accounts yet. Run “practiceboard init” to create the first admin.")
            return 0
        admin = sign_in_admin(db, args.as_admin)
        if args.users_action == "add":
            password = new_password("PRACTICEBOARD_USER_PASSWORD", args.username)
            users.create_user(db, admin, args.username, args.name, password, args.roles)
            say(f"Added {args.username.strip().lower()} ({', '.join(args.roles)}).")
            return 0
        user_id = users.user_id_by_name(db, args.username)
        if args.users_action.startswith("break-glass"):
            return _break_glass(db, admin, user_id, args)
        if args.users_action in ("disable", "enable"):
            users.set_active(db, admin, user_id, args.users_action == "enable")
            say(f"{args.username} is now {args.users_action}d.")
            return 0
        if args.users_action == "unlock":
            users.unlock(db, admin, user_id)
            say(f"{args.username} may sign in again.")
            return 0
        typed = (
            None if args.one_time else new_password("PRACTICEBOARD_USER_PASSWORD", args.username)
        )
        password = users.reset_password(db, admin, user_id, typed)
        if args.one_time:
            say(f"One-time password for {args.username}: {password}")
        say(
            f"The password of {args.username} was reset; any lockout was cleared. They choose "
            "their own at their next sign-in."
        )
        return 0


def sign_in_admin(db: Database, username: str):
    """The admin the change is made as (password from the environment or typed)."""
    from practiceboard.services import users

    password = settings.env("PRACTICEBOARD_ADMIN_PASSWORD") or common.prompt_password(
        f"Password for {username}: "
    )
    return users.sign_in(db, username, password, workstation())


def _break_glass(db: Database, admin, user_id: int, args) -> int:
    from practiceboard.services import break_glass

    if args.users_action == "break-glass-end":
        ended = break_glass.end(db, admin, user_id)
        say(f"Emergency access of {args.username} ended." if ended
            else f"{args.username} had no emergency access running.")  # fmt: skip
        return 0
    ends = break_glass.grant(db, admin, user_id, args.reason, args.minutes)
    say(f"{args.username} may see patient data until {ends.astimezone():%I:%M %p} "
        f"({args.minutes} minutes); it ends by itself, and it is in the audit log.")  # fmt: skip
    return 0
