"""``audit verify`` (the tamper-evident chain and this PC's last seen row) and ``audit key
export | import`` (carry the database's audit key to another PC, as an admin)."""

from __future__ import annotations

import argparse
from datetime import date, datetime, time, timedelta
from pathlib import Path

from practiceboard.cli.common import UsageError, err, opened, require_ready, say
from practiceboard.core.rows import AUDIT_FIELDS
from practiceboard.db import audit
from practiceboard.domain.errors import PracticeBoardError


def add_commands(sub, db_opt: argparse.ArgumentParser) -> None:
    p = sub.add_parser("audit", help="audit log checks and its key")
    au = p.add_subparsers(dest="audit_action", metavar="ACTION", required=True)
    au.add_parser("verify", parents=[db_opt], help="check the tamper-evident chain")
    key = au.add_parser("key", help="carry the audit key to another PC (admin)")
    ka = key.add_subparsers(dest="key_action", metavar="ACTION", required=True)
    for name, text in [("export", "write this database's audit key to FILE (e.g. a USB stick)"),
                       ("import", "install the audit key from FILE on this PC")]:  # fmt: skip
        q = ka.add_parser(name, parents=[db_opt], help=text)
        q.add_argument("file", metavar="FILE")
        q.add_argument("--admin-username", default="admin")
    r = au.add_parser("report", parents=[db_opt], help="the audit report as a CSV file (admin)")
    r.add_argument(
        "--from",
        dest="start",
        required=True,
        metavar="YYYY-MM-DD",
        help="first day (the practice's time zone)",
    )
    r.add_argument(
        "--to", dest="end", required=True, metavar="YYYY-MM-DD", help="last day, included"
    )
    r.add_argument("--user", default="", help="user name contains this")
    r.add_argument("--patient", type=int, metavar="ID", help="patient id, as the log holds it")
    r.add_argument("--action", default="", help="action contains this (e.g. patient.view)")
    r.add_argument("--outcome", default="", choices=["", "success", "denied", "failure"])
    r.add_argument("--category", default="", help="category (security, patient, ...)")
    r.add_argument("--sort", default="at", choices=list(AUDIT_FIELDS))
    r.add_argument("--descending", action="store_true")
    r.add_argument("--csv", required=True, metavar="FILE", help="write the rows here")
    r.add_argument("--admin-username", default="admin")
    p.set_defaults(func=cmd_audit)


def cmd_audit(args) -> int:
    if args.audit_action == "key":
        return cmd_key(args)
    if args.audit_action == "report":
        return cmd_report(args)
    with opened(args) as db:
        require_ready(db)
        with db.read() as session:
            result = audit.verify(session)
        if result.ok:
            say(result.describe())
            return 0
        err(result.describe())
        return 1


def _admin(db, username: str):
    from practiceboard.cli.users import sign_in_admin
    from practiceboard.core.actor import actor_policy
    from practiceboard.domain.policy import Cap, require

    admin = sign_in_admin(db, username)
    with db.read() as session:
        require(actor_policy(session, admin), Cap.ADMIN)
    return admin


def _record(db, admin, action: str, target: Path) -> None:
    from practiceboard.core.clock import now

    with db.write() as session:
        audit.write(session, admin.who(), action, "audit_key", None, category="security",
                    detail=str(target), at=now())  # fmt: skip


def cmd_key(args) -> int:
    target = Path(args.file).expanduser()
    with opened(args) as db:
        require_ready(db)
        if args.key_action == "export":
            from practiceboard.services.audit_key import export_key

            export_key(db, _admin(db, args.admin_username), target)
            say(f"The audit key was written to {target}. Keep it as safe as a password: "
                "anyone holding it can sign audit rows. On the other PC run "
                "“practiceboard audit key import FILE”, then delete the file.")  # fmt: skip
            return 0
        try:
            text = target.read_text(encoding="ascii", errors="replace")
        except OSError as exc:
            raise PracticeBoardError(f"{target} cannot be read ({exc.strerror or exc}).") from None
        with db.read() as session:
            dbid = audit.database_id(session)
        before = audit.local_key_file_text(dbid)
        with db.read() as session:
            path = audit.install_key(session, text, f"The file {target}")
        try:
            admin = _admin(db, args.admin_username)
        except BaseException:
            audit.restore_key_file(dbid, before)  # refused: the PC is as it was
            raise
        _record(db, admin, "audit.key_import", target)
        say(f"The audit key is installed on this PC ({path}); this PC can now write to the "
            "database's audit log. Delete the copy you brought.")  # fmt: skip
        return 0


def _day(text: str, flag: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise UsageError(f"{flag} takes a date as YYYY-MM-DD, e.g. 2026-03-04.") from None


def cmd_report(args) -> int:
    from practiceboard.core.definitions import practice_calendar
    from practiceboard.core.rows import AuditFilter
    from practiceboard.reports.audit import export_csv

    first, last = _day(args.start, "--from"), _day(args.end, "--to")
    if last < first:
        raise UsageError("--to must not come before --from.")
    target = Path(args.csv).expanduser()
    with opened(args) as db:
        require_ready(db)
        admin = _admin_who_reads(db, args.admin_username)
        with db.read() as session:
            zone = practice_calendar(session).tzinfo()
        start = datetime.combine(first, time(0), zone)
        end = datetime.combine(last + timedelta(days=1), time(0), zone)
        filt = AuditFilter(
            start=start,
            end=end,
            username=args.user,
            patient_id=args.patient,
            action=args.action,
            outcome=args.outcome,
            category=args.category,
        )
        try:
            count = export_csv(db, admin, filt, target, sort=args.sort, descending=args.descending)
        except OSError as exc:
            raise PracticeBoardError(
                f"The report could not be written to {target} ({exc.strerror or exc})."
            ) from None
    say(f"{count} audit rows from {first} to {last} written to {target} (this export is "
        "recorded in the audit log).")  # fmt: skip
    return 0


def _admin_who_reads(db, username: str):
    """Signed in; the report itself checks audit.view (and audits a refusal)."""
    from practiceboard.cli.users import sign_in_admin

    return sign_in_admin(db, username)
