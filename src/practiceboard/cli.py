"""The command line: set up, upgrade, check, back up and demo a PracticeBoard database.

A second face over the same services as the desktop app. Every error a person
can act on is printed as one sentence on stderr with exit code 1; usage errors
exit 2. Changes to accounts are made as a signed-in admin, so they are audited
to a real person.
"""

from __future__ import annotations

import argparse
import getpass
import logging
import os
import socket
import sys
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from practiceboard import __version__
from practiceboard.core import connection
from practiceboard.db import audit, migrate
from practiceboard.db.backup import backup_database
from practiceboard.db.engine import Database, sqlite_path
from practiceboard.domain.errors import PracticeBoardError, ValidationError

# Replaced by tests; getpass would block on a terminal.
prompt_password: Callable[[str], str] = getpass.getpass
FIRST_RUN_TASKS = 2000  # the demo practice `make run` builds on an empty database


class UsageError(PracticeBoardError):
    """Wrong arguments after parsing (exit code 2)."""


def _workstation() -> str:
    return f"{socket.gethostname()} (command line)"


def _say(*lines: str) -> None:
    for line in lines:
        print(line)


# ---------------------------------------------------------------- opening the database


def open_database(args, *, must_exist: bool = True) -> Database:
    """The database the arguments point at (password from the keyring or a prompt)."""
    target = connection.resolve(getattr(args, "db", None))
    path = sqlite_path(target.url) if not target.is_postgres else None
    if must_exist and path is not None and not path.exists():
        raise PracticeBoardError(
            f"There is no database at {path}. Run “practiceboard init” or “practiceboard demo” "
            "to create one."
        )
    if path is not None and not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)  # a new practice in a new folder
    url = connection.with_password(target, ask=prompt_password, say=_err)
    return Database(url, workstation=_workstation())


def require_ready(db: Database) -> None:
    """The schema exists, is known, and is at head (services need every column)."""
    current = migrate.ensure_known(db)
    if current is None:
        raise PracticeBoardError(
            "This database has not been set up yet. Run “practiceboard init” (or "
            "“practiceboard demo”) first."
        )
    if current != migrate.head_revision():
        raise PracticeBoardError(
            "This database needs an upgrade first: run “practiceboard db upgrade”."
        )


def _new_password(env_var: str, who: str, *, confirm: bool = True) -> str:
    """A new password from the environment (scripts) or typed twice."""
    value = os.environ.get(env_var)
    if value:
        return value
    first = prompt_password(f"New password for {who}: ")
    if confirm and prompt_password("Type it again: ") != first:
        raise ValidationError("The two passwords do not match; nothing was changed.", "password")
    return first


def _sign_in_admin(db: Database, username: str):
    from practiceboard.services import users

    password = os.environ.get("PRACTICEBOARD_ADMIN_PASSWORD") or prompt_password(
        f"Password for {username}: "
    )
    return users.sign_in(db, username, password, _workstation())


# ---------------------------------------------------------------- init and db


def cmd_init(args) -> int:
    from practiceboard.services import users

    db = open_database(args, must_exist=False)
    try:
        made = migrate.upgrade(db)
        if made:
            _say(f"Backup made before the upgrade: {made}")
        if _count_users(db):
            raise PracticeBoardError(
                "This database already has accounts, so it is already set up. Sign in as an "
                "admin, or add people with “practiceboard users add”."
            )
        password = _new_password("PRACTICEBOARD_ADMIN_PASSWORD", args.admin_username)
        users.bootstrap_admin(db, args.admin_username, args.admin_name, password)
        _say(
            f"Database ready: {db.describe()} (schema {migrate.head_revision()}).",
            f"Created the admin account “{args.admin_username.strip().lower()}” "
            f"({args.admin_name}). Sign in with it to add your staff.",
        )
        return 0
    finally:
        db.dispose()


def _count_users(db: Database) -> int:
    from practiceboard.db.models import User

    with db.read() as session:
        return session.scalar(select(func.count(User.id))) or 0


def cmd_db(args) -> int:
    # upgrade creates the file; check builds its own throw-away database of the same kind.
    db = open_database(args, must_exist=args.db_action == "current")
    try:
        if args.db_action == "upgrade":
            before = migrate.ensure_known(db)
            made = migrate.upgrade(db)
            if made:
                _say(f"Backup made before the upgrade: {made}")
            head = migrate.head_revision()
            if before == head:
                _say(f"The database is already up to date (schema {head}).")
            else:
                _say(f"The database is now at schema {head} (was {before or 'empty'}).")
            return 0
        if args.db_action == "current":
            current, head = migrate.ensure_known(db), migrate.head_revision()
            if current is None:
                _say(f"No schema yet (an empty database); head is {head}.")
            elif current == head:
                _say(f"{current} (head)")
            else:
                _say(f"{current} (behind: head is {head})")
            return 0
        differences = migrate.check(db.url)
        if not differences:
            _say("Models and migrations agree.")
            return 0
        _err("Models and migrations differ:")
        for diff in differences:
            _err(f"  - {describe_difference(diff)}")
        return 1
    finally:
        db.dispose()


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


# ---------------------------------------------------------------- demo


def cmd_demo(args) -> int:
    from practiceboard import demo

    if args.tasks < 0:
        raise UsageError("--tasks must be zero or more.")
    db = open_database(args, must_exist=False)
    try:
        migrate.ensure_known(db)
        held = demo.practice_contents(db)
        if held:
            if not args.replace:
                raise PracticeBoardError(
                    f"This database already holds a practice ({held}). Nothing was changed. "
                    "Use --replace to replace it with the demo practice (a backup is made first)."
                )
            _say(f"Replacing the practice in {db.describe()}: {held}.")
            db, made = demo.replace_practice(db)
            _say(f"Backup of the replaced practice: {made}")
        else:
            made = migrate.upgrade(db)
            if made:
                _say(f"Backup made before the upgrade: {made}")
        result = demo.generate_demo(db, tasks=args.tasks, seed=args.seed, progress=_progress())
        _print_demo(result, db)
        return 0
    finally:
        db.dispose()


def _progress() -> Callable[[str], None]:
    tty = sys.stdout.isatty()

    def show(message: str) -> None:
        if tty:
            print(f"\r{message:<70}", end="", flush=True)
        else:
            print(message, flush=True)

    return show


def _print_demo(result, db: Database) -> None:
    if sys.stdout.isatty():
        print()
    _say(
        f"Demo practice ready in {db.describe()}: {result.tasks} tasks, {result.patients} "
        f"patients, {result.plans} care plans.",
        "",
        "Demo accounts (shown once; every one uses the same password):",
    )
    width = max(len(a[0]) for a in result.accounts)
    for username, name, roles, _password in result.accounts:
        _say(f"  {username:<{width}}  {name:<24}  {', '.join(roles)}")
    _say(f"Password: {result.accounts[0][3]}", "All names and records are made up.")


# ---------------------------------------------------------------- users


def cmd_users(args) -> int:
    from practiceboard.services import users

    db = open_database(args)
    try:
        require_ready(db)
        if args.users_action == "list":
            rows = users.list_users(db)
            width = max([len(r.username) for r in rows] + [8])
            for r in rows:
                state = "disabled" if not r.active else ("locked" if r.locked else "active")
                _say(
                    f"{r.username:<{width}}  {r.display_name:<28}  {state:<8}  {', '.join(r.roles)}"
                )
            if not rows:
                _say("No accounts yet. Run “practiceboard init” to create the first admin.")
            return 0
        admin = _sign_in_admin(db, args.as_admin)
        if args.users_action == "add":
            password = _new_password("PRACTICEBOARD_USER_PASSWORD", args.username)
            users.create_user(db, admin, args.username, args.name, password, args.roles)
            _say(f"Added {args.username.strip().lower()} ({', '.join(args.roles)}).")
            return 0
        user_id = users.user_id_by_name(db, args.username)
        if args.users_action in ("disable", "enable"):
            users.set_active(db, admin, user_id, args.users_action == "enable")
            _say(f"{args.username} is now {args.users_action}d.")
            return 0
        password = _new_password("PRACTICEBOARD_USER_PASSWORD", args.username)
        users.reset_password(db, admin, user_id, password)
        _say(f"The password of {args.username} was reset; any lockout was cleared.")
        return 0
    finally:
        db.dispose()


# ---------------------------------------------------------------- audit, backup, connection


def cmd_audit(args) -> int:
    db = open_database(args)
    try:
        require_ready(db)
        with db.read() as session:
            result = audit.verify(session)
        if result.ok:
            _say(result.describe())
            return 0
        _err(result.describe())
        return 1
    finally:
        db.dispose()


def cmd_backup(args) -> int:
    db = open_database(args)
    try:
        migrate.ensure_known(db)
        folder = None
        if args.to:
            folder = Path(args.to).expanduser()
            folder.mkdir(parents=True, exist_ok=True)
        _say(str(backup_database(db, label="manual", folder=folder)))
        return 0
    finally:
        db.dispose()


def cmd_connection(args) -> int:
    store = connection.SecretStore()
    if args.conn_action == "show":
        target = connection.resolve(getattr(args, "db", None))
        _say(f"Database: {target.describe()}", store.available()[1])
        return 0
    if args.conn_action == "forget":
        saved = connection.saved_url()
        removed = connection.forget_saved()
        if saved and connection.Target(saved, "").is_postgres and store.available()[0]:
            store.delete(connection.secret_key(saved))
        _say("Saved connection removed." if removed else "There was no saved connection.")
        return 0
    from sqlalchemy.engine import make_url

    url = connection.parse_url(args.url)
    password = make_url(url).password
    if args.password:
        password = prompt_password(f"Password for {connection.secret_key(url)}: ")
    path = connection.save_url(url)
    _say(f"Saved {connection.display_url(url)} in {path} (no password in it).")
    if password and connection.Target(url, "").is_postgres:
        ok, message = store.available()
        if not ok:
            _err(message)
        else:
            store.set(connection.secret_key(url), password)
            _say("The password is in the system keyring.")
    return 0


# ---------------------------------------------------------------- the desktop app


def run_gui(args) -> int:
    if args.demo_if_empty:
        _demo_if_empty(args)
    try:
        from practiceboard.gui.app import main as gui_main
    except ImportError:
        _err("The desktop app is not installed in this build.")
        return 1
    return gui_main(args)


def _demo_if_empty(args) -> None:
    from practiceboard import demo

    db = open_database(args, must_exist=False)
    try:
        if migrate.ensure_known(db) is not None and _count_users(db):
            return
        _say("First run: building the demo practice (about half a minute)…")
        migrate.upgrade(db)
        result = demo.generate_demo(db, tasks=FIRST_RUN_TASKS, seed=1, progress=_progress())
        _print_demo(result, db)
    finally:
        db.dispose()


# ---------------------------------------------------------------- parsing


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

    p = sub.add_parser("init", parents=[db_opt], help="create the database and its first admin")
    p.add_argument("--admin-username", default="admin")
    p.add_argument("--admin-name", default="Practice Admin")
    p.set_defaults(func=cmd_init)

    p = sub.add_parser("db", help="schema upgrade, current revision, model check")
    dbs = p.add_subparsers(dest="db_action", metavar="ACTION", required=True)
    for name, text in [("upgrade", "bring the schema to the newest version (backup first)"),
                       ("current", "show the schema revision"),
                       ("check", "compare a fresh migrated database with the models")]:  # fmt: skip
        dbs.add_parser(name, parents=[db_opt], help=text).set_defaults(func=cmd_db)

    p = sub.add_parser("demo", parents=[db_opt], help="fill the database with a made-up practice")
    p.add_argument("--tasks", type=int, default=2000, help="how many tasks (default 2000)")
    p.add_argument("--seed", type=int, default=1, help="random seed (same seed, same practice)")
    p.add_argument("--replace", action="store_true",
                   help="replace an existing practice (backed up first)")  # fmt: skip
    p.set_defaults(func=cmd_demo)

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
                       ("reset-password", "set a new password and clear a lockout")]:  # fmt: skip
        us.add_parser(name, parents=[admin_opt], help=text).add_argument("username")
    p.set_defaults(func=cmd_users)

    p = sub.add_parser("audit", help="audit log checks")
    au = p.add_subparsers(dest="audit_action", metavar="ACTION", required=True)
    au.add_parser("verify", parents=[db_opt], help="check the tamper-evident chain")
    p.set_defaults(func=cmd_audit)

    p = sub.add_parser("backup", parents=[db_opt], help="back up the database")
    p.add_argument("--to", metavar="FOLDER", help="folder for the backup file")
    p.set_defaults(func=cmd_backup)

    p = sub.add_parser("connection", help="the database this PC opens by default")
    cs = p.add_subparsers(dest="conn_action", metavar="ACTION", required=True)
    cs.add_parser("show", parents=[db_opt], help="which database is used and why")
    s = cs.add_parser("save", help="remember a database URL (the password goes to the keyring)")
    s.add_argument("url")
    s.add_argument("--password", action="store_true",
                   help="ask for the password and keep it in the system keyring")  # fmt: skip
    cs.add_parser("forget", help="remove the saved connection and its keyring entry")
    p.set_defaults(func=cmd_connection)
    return parser


def _err(message: str) -> None:
    print(message, file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version, or a usage error (2)
        return int(exc.code or 0)
    logging.basicConfig(level=logging.WARNING - 10 * min(args.verbose, 2))
    try:
        if args.command is None:
            return run_gui(args)
        return args.func(args)
    except UsageError as exc:
        _err(exc.message)
        return 2
    except PracticeBoardError as exc:
        _err(exc.message)
        return 1
    except OperationalError as exc:
        first = str(exc.orig or exc).strip().splitlines()[0]
        _err(f"Could not use the database: {first}")
        return 1
    except (KeyboardInterrupt, EOFError):
        _err("Cancelled; nothing more was changed.")
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
