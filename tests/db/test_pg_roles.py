"""Issue 11, audit log: "On PostgreSQL the app's own login … can ALTER TABLE audit_log
DISABLE TRIGGER … and TRUNCATE audit_log".

``practiceboard server setup`` makes the owner role own the schema and the audit log and
gives the app role INSERT and SELECT on the log only. Logged in as the app role, the
attacks of the issue are all refused by the server, and the log still verifies."""

from __future__ import annotations

import uuid

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from practiceboard import cli
from practiceboard.db import audit, migrate
from practiceboard.db.engine import Database
from practiceboard.services import users

pytestmark = pytest.mark.postgres
APP_PASSWORD = "app-role-password-2026"
ADMIN_PASSWORD = "first-admin-password"


@pytest.fixture
def server(pg_template, monkeypatch, capsys):
    """A database set up by ``server setup`` with roles of its own (dropped after)."""
    from conftest import PG_URL

    tag = uuid.uuid4().hex[:8]
    names = {"database": f"pb_roles_{tag}", "owner": f"pb_owner_{tag}", "app": f"pb_app_{tag}"}
    monkeypatch.setenv("PRACTICEBOARD_APP_PASSWORD", APP_PASSWORD)
    code = cli.main(["server", "setup", "--admin-url", PG_URL, "--database", names["database"],
                     "--owner", names["owner"], "--app-role", names["app"]])  # fmt: skip
    out, err = capsys.readouterr()
    assert code == 0, err
    names["out"] = out
    base = make_url(PG_URL)
    names["admin_url"] = base.set(database=names["database"]).render_as_string(False)
    names["app_url"] = (
        base.set(database=names["database"], username=names["app"], password=APP_PASSWORD)
        .render_as_string(False)
    )  # fmt: skip
    yield names
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{names["database"]}" WITH (FORCE)'))
        conn.execute(text(f'DROP ROLE IF EXISTS "{names["app"]}"'))
        conn.execute(text(f'DROP ROLE IF EXISTS "{names["owner"]}"'))
    admin.dispose()


def _as_app(server) -> Database:
    return Database(server["app_url"], workstation="front-desk-pc")


@pytest.fixture
def app_db(server, monkeypatch):
    """The practice set up through the app role, as the README says; a few audit rows."""
    monkeypatch.setenv("PRACTICEBOARD_ADMIN_PASSWORD", ADMIN_PASSWORD)
    assert cli.main(["init", "--db", server["app_url"], "--timezone", "America/Chicago"]) == 0
    db = _as_app(server)
    users.sign_in(db, "admin", ADMIN_PASSWORD)
    yield db
    db.dispose()


def test_server_setup_owner_role_owns_the_schema_and_the_audit_log(server):
    engine = create_engine(server["admin_url"])
    with engine.connect() as conn:
        owners = set(conn.execute(text(
            "SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname = 'public'"
        )).scalars())  # fmt: skip
        can_login = conn.execute(
            text("SELECT rolcanlogin FROM pg_roles WHERE rolname = :r"), {"r": server["owner"]}
        ).scalar()
    engine.dispose()
    assert owners == {server["owner"]}
    assert can_login is False  # nobody logs in as the owner
    assert f"practiceboard init --db postgresql://{server['app']}@" in server["out"]


@pytest.mark.parametrize("attack", [
    "ALTER TABLE audit_log DISABLE TRIGGER ALL",
    "ALTER TABLE audit_log DISABLE TRIGGER USER",
    "ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_change",
    "TRUNCATE audit_log",
    "DELETE FROM audit_log WHERE id = (SELECT max(id) FROM audit_log)",
    "UPDATE audit_log SET detail = 'nothing to see' WHERE id = 1",
    "DROP TABLE audit_log",
    "DROP TRIGGER audit_log_no_change ON audit_log",
    "ALTER TABLE audit_log RENAME TO audit_log_old",
    "UPDATE alembic_version SET version_num = '0001'",
    "CREATE TABLE sneaky (id int)",
])  # fmt: skip
def test_server_setup_app_role_cannot_touch_the_audit_log(app_db, attack):
    with pytest.raises(DBAPIError, match="permission denied|must be owner"):
        with app_db.engine.begin() as conn:
            conn.execute(text(attack))
    with app_db.read() as s:
        result = audit.verify(s)
    assert result.ok and result.rows_checked >= 3


def test_server_setup_app_role_works_the_practice(app_db):
    """What the app needs still works as the app role: writes, the audit chain, notify."""
    from practiceboard.core.clock import now

    with app_db.write() as s:
        audit.write(s, audit.Who(None, "t", "pc"), "test.action", "thing", 1, at=now())
    admin = users.sign_in(app_db, "admin", ADMIN_PASSWORD)
    users.create_user(
        app_db, admin, "rdelgado", "Rosa Delgado", "another-password-1", ["front_desk"]
    )
    with app_db.read() as s:
        assert audit.verify(s).ok


def test_server_setup_upgrade_as_the_app_role_is_a_sentence(app_db, server):
    """An upgrade is the owner's: the app's login is told who can make it, untouched."""
    admin = create_engine(server["admin_url"], isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        head = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
        before = ScriptDirectory.from_config(migrate.alembic_config()).get_revision(head)
        conn.execute(
            text("UPDATE alembic_version SET version_num = :v"), {"v": before.down_revision}
        )
    try:
        with pytest.raises(migrate.SchemaError, match="only the server's admin can make it"):
            migrate.upgrade(app_db, backup=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text("UPDATE alembic_version SET version_num = :h"), {"h": head})
        admin.dispose()


def test_server_setup_runs_again_and_takes_over_an_older_single_role_database(server, capsys):
    """A database the app's login owned (the old set-up) is handed to the owner role."""
    from conftest import PG_URL

    admin = create_engine(server["admin_url"], isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'ALTER TABLE audit_log OWNER TO "{server["app"]}"'))
    code = cli.main(["server", "setup", "--admin-url", PG_URL, "--database", server["database"],
                     "--owner", server["owner"], "--app-role", server["app"]])  # fmt: skip
    assert code == 0, capsys.readouterr().err
    with admin.connect() as conn:
        owner = conn.execute(
            text("SELECT tableowner FROM pg_tables WHERE tablename = 'audit_log'")
        ).scalar()
    admin.dispose()
    assert owner == server["owner"]


def test_server_setup_refuses_a_superuser_app_role_and_bad_names(capsys):
    from conftest import PG_URL

    assert cli.main(["server", "setup", "--admin-url", PG_URL, "--app-role", "postgres",
                     "--database", "pb_never_made"]) == 1  # fmt: skip
    assert "superuser" in capsys.readouterr().err
    assert cli.main(["server", "setup", "--admin-url", PG_URL, "--owner", "x; DROP"]) == 1
    assert "cannot be a role name" in capsys.readouterr().err
