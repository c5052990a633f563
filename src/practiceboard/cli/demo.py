"""``demo``: fill a database with the made-up practice (replacing one only when asked)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

from practiceboard.cli.common import UsageError, disposing, opened, say
from practiceboard.db import migrate
from practiceboard.db.engine import Database
from practiceboard.domain.errors import PracticeBoardError


def add_commands(sub, db_opt: argparse.ArgumentParser) -> None:
    p = sub.add_parser("demo", parents=[db_opt], help="fill the database with a made-up practice")
    p.add_argument("--tasks", type=int, default=2000, help="how many tasks (default 2000)")
    p.add_argument("--seed", type=int, default=1, help="random seed (same seed, same practice)")
    p.add_argument("--replace", action="store_true",
                   help="replace an existing practice (backed up first)")  # fmt: skip
    p.set_defaults(func=cmd_demo)


def cmd_demo(args) -> int:
    from practiceboard import demo

    if args.tasks < 0:
        raise UsageError("--tasks must be zero or more.")
    with opened(args, must_exist=False) as db:
        migrate.ensure_known(db)
        held = demo.practice_contents(db)
        if not held:
            made = migrate.upgrade(db)
            if made:
                say(f"Backup made before the upgrade: {made}")
            return build(args, db)
        if not args.replace:
            raise PracticeBoardError(
                f"This database already holds a practice ({held}). Nothing was changed. "
                "Use --replace to replace it with the demo practice (a backup is made first)."
            )
        say(f"Replacing the practice in {db.describe()}: {held}.")
        # On SQLite the file is made again, so the practice is built through a new Database.
        fresh, made = demo.replace_practice(db)
        with disposing(fresh):
            say(f"Backup of the replaced practice: {made}")
            return build(args, fresh)


def build(args, db: Database) -> int:
    from practiceboard import demo

    result = demo.generate_demo(db, tasks=args.tasks, seed=args.seed, progress=progress())
    print_demo(result, db)
    return 0


def progress() -> Callable[[str], None]:
    tty = sys.stdout.isatty()

    def show(message: str) -> None:
        if tty:
            print(f"\r{message:<70}", end="", flush=True)
        else:
            print(message, flush=True)

    return show


def print_demo(result, db: Database) -> None:
    if sys.stdout.isatty():
        print()
    say(
        f"Demo practice ready in {db.describe()}: {result.tasks} tasks, {result.patients} "
        f"patients, {result.plans} care plans.",
        "",
        "Demo accounts (shown once; every one uses the same password):",
    )
    width = max(len(a[0]) for a in result.accounts)
    for username, name, roles, _password in result.accounts:
        say(f"  {username:<{width}}  {name:<24}  {', '.join(roles)}")
    say(f"Password: {result.accounts[0][3]}", "All names and records are made up.")
