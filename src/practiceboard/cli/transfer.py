"""``import tasks|patients FILE``: a practice's spreadsheet in, as a signed-in person
(``--as``, default the first manager; the password from PRACTICEBOARD_PASSWORD or
typed), with the columns proposed from the header, the mapping remembered for the
layout or read from ``--mapping FILE``. ``import fhir FILE`` brings Patients in from
an EHR's FHIR export; ``export fhir --out FILE`` writes the FHIR R4 Bundle.
One line per row that was not simply created, and last ``N created, M skipped, K errors``.
``--dry-run`` shows the same and writes nothing."""

from __future__ import annotations

import argparse
from pathlib import Path

from practiceboard.cli import common
from practiceboard.cli.common import UsageError, opened, require_ready, say, workstation
from practiceboard.core import settings


def add_commands(sub, db_opt: argparse.ArgumentParser) -> None:
    p = sub.add_parser("import", help="bring a spreadsheet in (tasks or patients)")
    isub = p.add_subparsers(dest="import_kind", metavar="WHAT", required=True)
    for kind, text in (("tasks", "a task tracker"), ("patients", "a patient list")):
        k = isub.add_parser(kind, parents=[db_opt], help=f"import {text} (CSV or XLSX)")
        k.add_argument("file", metavar="FILE", help="the .csv or .xlsx file")
        k.add_argument("--mapping", metavar="FILE",
                       help="a JSON mapping of columns and words (default: the one remembered "
                       "for this layout, else proposed from the header)")  # fmt: skip
        k.add_argument(
            "--dry-run", action="store_true", help="show what would happen; write nothing"
        )
        k.add_argument("--as", dest="as_user", metavar="USER",
                       help="who imports (default: the first manager)")  # fmt: skip
        if kind == "patients":
            k.add_argument("--update-existing", action="store_true",
                           help="update patients whose MRN is already known")  # fmt: skip
        k.set_defaults(func=cmd_import)
    f = isub.add_parser("fhir", parents=[db_opt],
                        help="import Patients (and match Practitioners) from a FHIR R4 Bundle "
                        "or NDJSON file")  # fmt: skip
    f.add_argument("file", metavar="FILE", help="a Bundle (.json) or NDJSON (.ndjson)")
    f.add_argument("--as", dest="as_user", metavar="USER",
                   help="who imports (default: the first manager)")  # fmt: skip
    f.set_defaults(func=cmd_import_fhir)
    e = sub.add_parser("export", help="export data (FHIR R4)")
    esub = e.add_subparsers(dest="export_kind", metavar="WHAT", required=True)
    x = esub.add_parser("fhir", parents=[db_opt],
                        help="patients, plans, goals and tasks as a FHIR R4 Bundle")  # fmt: skip
    x.add_argument("--out", required=True, metavar="FILE.json", help="where the Bundle goes")
    x.add_argument("--patient", metavar="MRN", help="only this patient")
    x.add_argument("--since", metavar="YYYY-MM-DD",
                   help="only care plans and tasks changed on or after this day")  # fmt: skip
    x.add_argument("--as", dest="as_user", metavar="USER",
                   help="whose view (default: the first manager)")  # fmt: skip
    x.set_defaults(func=cmd_export_fhir)


def sign_in(db, username: str | None):
    """The person the command acts as (default: the first active manager), signed in."""
    from practiceboard.reports.weekly import report_actor
    from practiceboard.services import users

    username = username or report_actor(db).username
    password = settings.env("PRACTICEBOARD_PASSWORD") or common.prompt_password(
        f"Password for {username}: "
    )
    return users.sign_in(db, username, password, workstation())


def cmd_import(args) -> int:
    from practiceboard.queries import imports as history
    from practiceboard.services.imports import engine, sheet
    from practiceboard.services.imports.mapping import Mapping, layout_of, propose

    kind = args.import_kind
    path = Path(args.file)
    given = None
    if args.mapping:
        try:
            given = Path(args.mapping).read_text(encoding="utf-8")
        except OSError:
            raise UsageError(f"The mapping file {args.mapping} could not be read.") from None
    read = sheet.read_sheet(path)
    with opened(args) as db:
        require_ready(db)
        actor = sign_in(db, args.as_user)
        if given is not None:
            mapping = Mapping.load(kind, given)
        else:
            remembered = history.remembered_mapping(db, kind, layout_of(read.header))
            mapping = (
                Mapping.from_json(kind, remembered) if remembered else propose(kind, read.header)
            )
        if kind == "patients" and args.update_existing:
            mapping.update_existing = True
        run = engine.import_tasks if kind == "tasks" else engine.import_patients
        result = run(db, actor, read, mapping, dry_run=args.dry_run)
    for o in result.outcomes:
        if o.outcome != "created":
            where = f" ({o.cell})" if o.cell else ""
            say(f"row {o.row}{where}: {o.outcome}: {o.message}")
    if result.updated:
        say(f"{result.updated} updated")
    if result.dry_run:
        say("Dry run: nothing was written.")
    else:
        say(f"Import #{result.batch_id} from {read.file_name}.")
    say(result.summary())
    return 0


def cmd_import_fhir(args) -> int:
    from practiceboard.services.fhir_import import import_fhir

    with opened(args) as db:
        require_ready(db)
        actor = sign_in(db, args.as_user)
        result = import_fhir(db, actor, Path(args.file))
    say(*result.lines())
    return 0


def cmd_export_fhir(args) -> int:
    from datetime import date

    from practiceboard.queries.fhir import fhir_source
    from practiceboard.reports import fhir

    since = None
    if args.since:
        try:
            since = date.fromisoformat(args.since)
        except ValueError:
            raise UsageError("Give --since as a date like 2026-03-01.") from None
    out = Path(args.out)
    with opened(args) as db:
        require_ready(db)
        actor = sign_in(db, args.as_user)
        source = fhir_source(db, actor, mrn=args.patient, since=since)
    data = fhir.bundle(source)
    fhir.write_bundle(data, out)
    say(f"{len(source.patients)} patients, {len(source.plans)} care plans, "
        f"{len(source.goals)} goals, {len(source.tasks)} tasks")  # fmt: skip
    say(str(out))
    return 0
