"""Setting a database up: ``init`` (schema and first admin) and ``db upgrade | current |
check``."""

from __future__ import annotations

import argparse
import sys

from practiceboard.cli.common import count_users, err, new_password, opened, say
from practiceboard.core import settings
from practiceboard.core.timezone import detected_zone_name
from practiceboard.db import migrate
from practiceboard.domain.errors import PracticeBoardError


def add_commands(sub, db_opt: argparse.ArgumentParser) -> None:
    p = sub.add_parser("init", parents=[db_opt], help="create the database and its first admin")
    p.add_argument("--admin-username", default="admin")
    p.add_argument("--admin-name", default="Practice Admin")
    p.add_argument(
        "--timezone",
        metavar="ZONE",
        help="the practice's time zone, e.g. America/Chicago (default: this PC's)",
    )
    p.set_defaults(func=cmd_init)

    p = sub.add_parser("db", help="schema upgrade, current revision, model check")
    dbs = p.add_subparsers(dest="db_action", metavar="ACTION", required=True)
    for name, text in [("upgrade", "bring the schema to the newest version (backup first)"),
                       ("current", "show the schema revision"),
                       ("check", "compare a fresh migrated database with the models"),
                       ("info", "where the database is, its schema, its size and its "
                                "documents")]:  # fmt: skip
        q = dbs.add_parser(name, parents=[db_opt], help=text)
        q.set_defaults(func=cmd_db)
        if name == "upgrade":
            q.add_argument("--without-backup", action="store_true",
                           help="upgrade with no backup first (an admin confirms by signing "
                                "in; for a PC that cannot back the server up)")  # fmt: skip
            q.add_argument("--admin-username", default="admin")


def cmd_init(args) -> int:
    from practiceboard.services import users

    with opened(args, must_exist=False) as db:
        made = migrate.upgrade(db)
        if made:
            say(f"Backup made before the upgrade: {made}")
        if count_users(db):
            raise PracticeBoardError(
                "This database already has accounts, so it is already set up. Sign in as an "
                "admin, or add people with “practiceboard users add”."
            )
        zone = args.timezone or detected_zone_name(sys.platform, settings.env("TZ"))
        if zone is None:
            raise PracticeBoardError(
                "This PC's time zone could not be told, and business hours depend on it. Give "
                "the practice's with --timezone, e.g. --timezone America/Chicago."
            )
        password = new_password("PRACTICEBOARD_ADMIN_PASSWORD", args.admin_username)
        users.bootstrap_admin(db, args.admin_username, args.admin_name, password, timezone=zone)
        say(
            f"Database ready: {db.describe()} (schema {migrate.head_revision()}).",
            f"Created the admin account “{args.admin_username.strip().lower()}” "
            f"({args.admin_name}). Sign in with it to add your staff.",
            f"Business hours follow the practice's time zone, {zone}, on every PC.",
        )
        return 0


def cmd_db(args) -> int:
    # upgrade creates the file; check builds its own throw-away database of the same kind.
    with opened(args, must_exist=args.db_action == "current") as db:
        if args.db_action == "upgrade":
            before = migrate.ensure_known(db)
            if args.without_backup and before not in (None, migrate.head_revision()):
                _upgrade_without_backup(db, args.admin_username, before)
                made = None
            else:
                made = migrate.upgrade(db)
            if made:
                say(f"Backup made before the upgrade: {made}")
            head = migrate.head_revision()
            if before == head:
                say(f"The database is already up to date (schema {head}).")
            else:
                say(f"The database is now at schema {head} (was {before or 'empty'}).")
            return 0
        if args.db_action == "current":
            current, head = migrate.ensure_known(db), migrate.head_revision()
            if current is None:
                say(f"No schema yet (an empty database); head is {head}.")
            elif current == head:
                say(f"{current} (head)")
            else:
                say(f"{current} (behind: head is {head})")
            return 0
        if args.db_action == "info":
            return _info(db)
        differences = migrate.check(db.url)
        if not differences:
            say("Models and migrations agree.")
            return 0
        err("Models and migrations differ:")
        for diff in differences:
            err(f"  - {describe_difference(diff)}")
        return 1


def describe_difference(diff) -> str:
    """One line for an alembic autogenerate difference."""
    if isinstance(diff, list):
        return "; ".join(describe_difference(d) for d in diff)
    op, *rest = diff
    parts = []
    for item in rest:
        if item is None or isinstance(item, dict):
            continue
        name = getattr(item, "name", None)
        table = getattr(getattr(item, "table", None), "name", None)
        if name is not None:
            parts.append(f"{table}.{name}" if table and table != name else str(name))
        else:
            parts.append(str(item))
    return f"{op.replace('_', ' ')}: {' '.join(parts)}"


def _upgrade_without_backup(db, admin_username: str, before: str) -> None:
    """The admin's confirmed way past "a backup comes first": signed in (a wrong password
    changes nothing), then the upgrade, then the audit row that says who chose it."""
    from datetime import UTC, datetime

    from practiceboard.cli.users import sign_in_admin
    from practiceboard.core.actor import actor_policy
    from practiceboard.db import audit
    from practiceboard.domain.policy import Cap, require

    admin = sign_in_admin(db, admin_username)
    with db.read() as session:
        require(actor_policy(session, admin), Cap.ADMIN)  # refused: nothing was changed
    migrate.upgrade(db, backup=False)
    with db.write() as session:
        audit.write(session, admin.who(), "schema.upgrade_without_backup", "database",
                    None, category="security", at=datetime.now(UTC),
                    old={"schema": before}, new={"schema": migrate.head_revision()})  # fmt: skip
    say("Upgraded without a backup first, as the admin confirmed (recorded in the audit log).")


def _info(db) -> int:
    """The database at a glance: where, which schema, how big, how much of it is
    documents attached to tasks, and the largest file that may be attached."""
    from practiceboard.core.definitions import setting
    from practiceboard.domain.documents import megabytes
    from practiceboard.queries.documents import database_size

    migrate.ensure_known(db)
    total, docs, count = database_size(db, with_count=True)
    with db.read() as session:
        limit = setting(session, "document_max_mb")
    say(
        f"Database: {db.describe()}",
        f"Schema: {migrate.current_revision(db) or 'none yet'} (head {migrate.head_revision()})",
        f"Size: {megabytes(total)}, of which documents {megabytes(docs) if docs else '0 KB'} "
        f"({count} {'file' if count == 1 else 'files'} kept in the database)",
        f"Largest file that may be attached: {limit} MB (setting document_max_mb)",
    )
    return 0
