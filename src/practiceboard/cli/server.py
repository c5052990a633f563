"""``server setup``: the one-time set-up of a PostgreSQL server by its admin, with two roles.

- the *owner* role (NOLOGIN) owns the database, its schema and every table — the audit
  log included. Nobody logs in as it; the server's admin becomes it to run migrations
  (``db upgrade`` does so by itself, see db.migrate).
- the *app* role is what every PC logs in as: it reads and writes the practice's tables,
  and on the audit log it may only INSERT and SELECT. It owns nothing, so it cannot
  disable the log's triggers, truncate it, or change a row.

Run again at any time: it creates what is missing, moves an older database that the
app's login owned over to the owner role, and grants again.
"""

from __future__ import annotations

import argparse
import re

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from practiceboard.cli.common import new_password, say
from practiceboard.db import migrate
from practiceboard.db.engine import Database, normalize_url
from practiceboard.domain.errors import PracticeBoardError, first_line

_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")
# What the app role may do, table by table; everything else it may only read or not touch.
_APP_TABLES = "SELECT, INSERT, UPDATE, DELETE"
_APPEND_ONLY = ("audit_log",)  # INSERT and SELECT only
_READ_ONLY = ("alembic_version",)


def add_commands(sub, db_opt: argparse.ArgumentParser) -> None:
    p = sub.add_parser("server", help="PostgreSQL server set-up (its admin, once)")
    sv = p.add_subparsers(dest="server_action", metavar="ACTION", required=True)
    q = sv.add_parser(
        "setup",
        help="create the database, its owner role and the app's login role",
        description="Run once on the server, as its admin (e.g. postgres). Creates the owner "
        "role (owns the schema and the audit log; nobody logs in as it) and the app role "
        "(every PC's login: may only add to and read the audit log), the database and its "
        "schema. The app role's password comes from PRACTICEBOARD_APP_PASSWORD or is asked.",
    )
    q.add_argument(
        "--admin-url",
        required=True,
        metavar="URL",
        help="the server admin's login, e.g. postgresql://postgres@localhost/postgres",
    )
    q.add_argument("--database", default="practiceboard", help="the practice's database")
    q.add_argument("--owner", default="practiceboard_owner", help="the owner role's name")
    q.add_argument("--app-role", default="practiceboard", help="the app's login role")  # fmt: skip
    q.set_defaults(func=cmd_server)


def _name(value: str, what: str) -> str:
    if not _NAME.fullmatch(value):
        raise PracticeBoardError(
            f"“{value}” cannot be a {what}: use lower-case letters, digits and _ only, "
            "starting with a letter (at most 63)."
        )
    return value


def cmd_server(args) -> int:
    database = _name(args.database, "database name")
    owner, app = _name(args.owner, "role name"), _name(args.app_role, "role name")
    if owner == app:
        raise PracticeBoardError("The owner role and the app role must be two different roles.")
    url = normalize_url(args.admin_url)
    if make_url(url).get_backend_name() != "postgresql":
        raise PracticeBoardError("server setup is for PostgreSQL: give a postgresql:// URL.")
    try:
        made_app = _roles_and_database(url, database, owner, app)
        target = make_url(url).set(database=database).render_as_string(False)
        _schema(target, owner, app)
    except DBAPIError as exc:
        raise PracticeBoardError(
            f"The server refused the set-up: {first_line(exc)}. Run it as the server's admin "
            "(a superuser such as postgres)."
        ) from None
    server = make_url(url).host or "localhost"
    say(
        f"Database “{database}” ready, owned by the role “{owner}” (nobody logs in as it).",
        f"The app's login role “{app}” was {'created' if made_app else 'kept as it was'}; "
        "it may add to and read the audit log, never change or empty it.",
        f"Next, on the first PC: practiceboard init --db postgresql://{app}@{server}/{database}",
        "Upgrades later: run “practiceboard db upgrade” here, as the server's admin.",
    )
    return 0


def _roles_and_database(url: str, database: str, owner: str, app: str) -> bool:
    """The two roles and the database (owned by the owner role); True when the app role
    was created now."""
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            q = conn.dialect.identifier_preparer.quote
            roles = dict(conn.execute(text("SELECT rolname, rolsuper FROM pg_roles")).all())
            if roles.get(app):
                raise PracticeBoardError(
                    f"“{app}” is a superuser; the app must log in as a role without such "
                    "powers. Choose another --app-role."
                )
            if owner not in roles:
                conn.execute(text(f"CREATE ROLE {q(owner)} NOLOGIN"))
            made_app = app not in roles
            if made_app:
                password = new_password("PRACTICEBOARD_APP_PASSWORD", f"the role {app}")
                # CREATE ROLE takes no bound parameters: the password goes in as a literal
                # quoted by the driver, never pasted in by hand.
                conn.execute(
                    text(f"CREATE ROLE {q(app)} LOGIN PASSWORD {_literal(conn, password)}")
                )
            exists = conn.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :d"), {"d": database}
            ).first()
            if exists is None:
                conn.execute(text(f"CREATE DATABASE {q(database)} OWNER {q(owner)}"))
            else:
                conn.execute(text(f"ALTER DATABASE {q(database)} OWNER TO {q(owner)}"))
            conn.execute(text(f"REVOKE ALL ON DATABASE {q(database)} FROM PUBLIC"))
            conn.execute(text(f"GRANT CONNECT, TEMPORARY ON DATABASE {q(database)} TO {q(app)}"))
    finally:
        engine.dispose()
    return made_app


def _literal(conn, value: str) -> str:
    from psycopg import sql

    raw = conn.connection.dbapi_connection
    return sql.Literal(value).as_string(raw)


def _schema(target: str, owner: str, app: str) -> None:
    """In the database: everything owned by the owner role, the schema at head (migrated
    as the owner), and the app role's grants — now and for tables later upgrades add."""
    engine = create_engine(target, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            q = conn.dialect.identifier_preparer.quote
            # An older set-up where the app's login owned everything: hand it all over.
            conn.execute(text(f"REASSIGN OWNED BY {q(app)} TO {q(owner)}"))
            conn.execute(text(f"ALTER SCHEMA public OWNER TO {q(owner)}"))
            conn.execute(text("REVOKE CREATE ON SCHEMA public FROM PUBLIC"))
            conn.execute(text(f"GRANT USAGE ON SCHEMA public TO {q(app)}"))
    finally:
        engine.dispose()
    db = Database(target, workstation="server setup")
    try:
        made = migrate.upgrade(db, as_role=owner)
        if made:
            say(f"Backup made before the upgrade: {made}")
    finally:
        db.dispose()
    grants(target, owner, app)


def grants(target: str, owner: str, app: str) -> None:
    """The app role's rights: read and write the practice's tables, only add to and read
    the audit log, only read the schema's revision; the same for tables added later."""
    engine = create_engine(target, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            q = conn.dialect.identifier_preparer.quote
            role, owner_q = q(app), q(owner)
            conn.execute(text(f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {role}"))
            conn.execute(text(f"GRANT {_APP_TABLES} ON ALL TABLES IN SCHEMA public TO {role}"))
            conn.execute(text(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}"))
            for table in _APPEND_ONLY:
                conn.execute(text(f"REVOKE ALL ON {q(table)} FROM {role}"))
                conn.execute(text(f"GRANT SELECT, INSERT ON {q(table)} TO {role}"))
            for table in _READ_ONLY:
                conn.execute(text(f"REVOKE ALL ON {q(table)} FROM {role}"))
                conn.execute(text(f"GRANT SELECT ON {q(table)} TO {role}"))
            conn.execute(text(
                f"ALTER DEFAULT PRIVILEGES FOR ROLE {owner_q} IN SCHEMA public "
                f"GRANT {_APP_TABLES} ON TABLES TO {role}"
            ))  # fmt: skip
            conn.execute(text(
                f"ALTER DEFAULT PRIVILEGES FOR ROLE {owner_q} IN SCHEMA public "
                f"GRANT USAGE, SELECT ON SEQUENCES TO {role}"
            ))  # fmt: skip
    finally:
        engine.dispose()
