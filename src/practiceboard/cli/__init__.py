"""The command line: set up, upgrade, check, back up and demo a PracticeBoard database.

A second face over the same services as the desktop app. Every error a person
can act on is printed as one sentence on stderr with exit code 1; usage errors
exit 2. Changes to accounts are made as a signed-in admin, so they are audited
to a real person.

One module per command group (``setup``: init and db; ``demo``; ``users``;
``alerts``; ``audit``; ``report``; ``backup``; ``restore``; ``connection``; ``server``;
``transfer``: import and export; ``app``: no command, the
desktop app), each adding its own subcommands to the parser built here. ``common.opened`` opens the
database for a command and always disposes of it.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import logging

from sqlalchemy.exc import DBAPIError

from practiceboard import __version__
from practiceboard.cli import (
    alerts,
    app,
    audit,
    backup,
    connection,
    demo,
    report,
    restore,
    server,
    setup,
    transfer,
    users,
)
from practiceboard.cli.common import UsageError, err
from practiceboard.domain.errors import PracticeBoardError, plain_cause

__all__ = ["build_parser", "main"]

# In the order ``--help`` lists them.
COMMAND_GROUPS = (
    setup, demo, users, alerts, audit, backup, restore, connection, report, server, transfer,
)  # fmt: skip


def build_parser() -> argparse.ArgumentParser:
    db_opt = argparse.ArgumentParser(add_help=False)
    db_opt.add_argument(
        "--db", metavar="URL", default=argparse.SUPPRESS,
        help="database URL or SQLite file (default: PRACTICEBOARD_DB, the saved connection, "
        "or the SQLite file in your data folder)",
    )  # fmt: skip
    parser = argparse.ArgumentParser(
        prog="practiceboard",
        description="PracticeBoard: task board, approvals and care plans for small practices. "
        "With no command, opens the desktop app.",
    )
    parser.add_argument("--db", metavar="URL", default=None, help="database URL or SQLite file")
    parser.add_argument(
        "--demo-if-empty", action="store_true", help="build the demo practice on an empty database"
    )
    parser.add_argument("-v", "--verbose", action="count", default=0, help="more logging")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for group in COMMAND_GROUPS:
        group.add_commands(sub, db_opt)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version, or a usage error (2)
        return int(exc.code or 0)
    logging.basicConfig(level=logging.WARNING - 10 * min(args.verbose, 2))
    try:
        if args.command is None:
            return app.run_gui(args)
        return args.func(args)
    except UsageError as exc:
        err(exc.message)
        return 2
    except PracticeBoardError as exc:
        err(exc.message)
        return 1
    except DBAPIError as exc:  # never the driver's text: it may quote SQL and patient text
        err(f"Could not use the database: {plain_cause(exc)}. Nothing more was changed.")
        return 1
    except (KeyboardInterrupt, EOFError):
        err("Cancelled; nothing more was changed.")
        return 1


def app_main(argv: list[str] | None = None) -> int:
    """``practiceboard-app``: the desktop app with no console window behind it (a
    ``gui-scripts`` launcher; on Windows it runs under pythonw). Same options as
    ``practiceboard`` with no command. Whatever would have gone to a console is shown in
    a message box when the app could not start."""
    said = io.StringIO()
    with contextlib.redirect_stdout(said), contextlib.redirect_stderr(said):
        code = main(argv)
    text = said.getvalue().strip()
    if code and text:
        from practiceboard.gui.shell.app import startup_failed

        startup_failed(text)
    return code
