"""``connection show | save | forget``: the database this PC opens by default (the
password of a server goes to the system keyring, never into the saved file)."""

from __future__ import annotations

import argparse

from practiceboard.cli import common
from practiceboard.cli.common import err, say
from practiceboard.core import connection


def add_commands(sub, db_opt: argparse.ArgumentParser) -> None:
    p = sub.add_parser("connection", help="the database this PC opens by default")
    cs = p.add_subparsers(dest="conn_action", metavar="ACTION", required=True)
    cs.add_parser("show", parents=[db_opt], help="which database is used and why")
    s = cs.add_parser("save", help="remember a database URL (the password goes to the keyring)")
    s.add_argument("url")
    s.add_argument("--password", action="store_true",
                   help="ask for the password and keep it in the system keyring")  # fmt: skip
    cs.add_parser("forget", help="remove the saved connection and its keyring entry")
    p.set_defaults(func=cmd_connection)


def cmd_connection(args) -> int:
    store = connection.SecretStore()
    if args.conn_action == "show":
        target = connection.resolve(getattr(args, "db", None))
        say(f"Database: {target.describe()}", store.available()[1])
        return 0
    if args.conn_action == "forget":
        saved = connection.saved_url()
        removed = connection.forget_saved()
        if saved and connection.Target(saved, "").is_postgres and store.available()[0]:
            try:
                store.delete(connection.secret_key(saved))
            except connection.KeyringUnavailable as exc:
                err(str(exc))
        say("Saved connection removed." if removed else "There was no saved connection.")
        return 0
    from sqlalchemy.engine import make_url

    url = connection.parse_url(args.url)
    password = make_url(url).password
    if args.password:
        password = common.prompt_password(f"Password for {connection.secret_key(url)}: ")
    path = connection.save_url(url)
    say(f"Saved {connection.display_url(url)} in {path} (no password in it).")
    if password and connection.Target(url, "").is_postgres:
        try:
            store.set(connection.secret_key(url), password)
        except connection.KeyringUnavailable as exc:
            err(str(exc))
        else:
            say("The password is in the system keyring.")
    return 0
