"""No command: open the desktop app (building the demo practice first on an empty
database when ``--demo-if-empty`` asks for it, as ``make run`` does)."""

from __future__ import annotations

from practiceboard.cli.common import count_users, err, opened, say
from practiceboard.cli.demo import print_demo, progress
from practiceboard.db import migrate

FIRST_RUN_TASKS = 2000  # the demo practice `make run` builds on an empty database


def run_gui(args) -> int:
    if args.demo_if_empty:
        demo_if_empty(args)
    try:
        from practiceboard.gui.shell.app import main as gui_main
    except ImportError:
        err("The desktop app is not installed in this build.")
        return 1
    return gui_main(args)


def demo_if_empty(args) -> None:
    from practiceboard import demo

    with opened(args, must_exist=False) as db:
        if migrate.ensure_known(db) is not None and count_users(db):
            return
        say("First run: building the demo practice (about half a minute)…")
        migrate.upgrade(db)
        result = demo.generate_demo(db, tasks=FIRST_RUN_TASKS, seed=1, progress=progress())
        print_demo(result, db)
