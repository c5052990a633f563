"""``report weekly``: the weekly aging report as a PDF and/or one CSV per section, as a
chosen user (``--as``, default the first manager) so role scoping applies: a copy made
as the admin has no patient identifiers. Prints the output path last."""

from __future__ import annotations

import argparse
from pathlib import Path

from practiceboard.cli.common import UsageError, opened, require_ready, say
from practiceboard.domain.weeks import parse_week
from practiceboard.reports import weekly


def add_commands(sub, db_opt: argparse.ArgumentParser) -> None:
    p = sub.add_parser("report", help="print a report")
    rsub = p.add_subparsers(dest="report", metavar="REPORT", required=True)
    w = rsub.add_parser("weekly", parents=[db_opt], help="the weekly aging report")
    w.add_argument("--week", metavar="YYYY-Www", help="which week (default: last week)")
    w.add_argument("--out", metavar="FILE.pdf", help="write the report as a PDF here")
    w.add_argument("--csv", metavar="FOLDER", help="write one CSV per section into this folder")
    w.add_argument("--as", dest="as_user", metavar="USER",
                   help="whose view (user name; default: the first manager)")  # fmt: skip
    w.set_defaults(func=cmd_weekly)


def cmd_weekly(args) -> int:
    if not args.out and not args.csv:
        raise UsageError("Say where the report goes: --out FILE.pdf, --csv FOLDER, or both.")
    out = Path(args.out) if args.out else None
    if out is not None and out.suffix.lower() != ".pdf":
        raise UsageError("The report is a PDF: give --out a file name ending in .pdf.")
    with opened(args) as db:
        require_ready(db)
        week = parse_week(args.week) if args.week else weekly.previous_week(db)
        actor = weekly.report_actor(db, args.as_user, "command line")
        report = weekly.build(db, actor, week)
        written: list[Path] = []
        if args.csv:
            written += weekly.write_csvs(report, Path(args.csv))
        if out is not None:
            from practiceboard.gui.printing.document import ensure_app, write_pdf

            ensure_app()
            written.append(write_pdf(report, out))
    for path in written:
        say(str(path))
    return 0
