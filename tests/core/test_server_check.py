"""“Test connection” against real PostgreSQL servers: the test server (trust on
127.0.0.1, so it cannot refuse a password) for the database-side verdicts, and a
throw-away cluster of our own with scram-sha-256 (initdb as the ``postgres`` system
user) for the real "password authentication failed" and "no pg_hba.conf entry"."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from glob import glob
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from practiceboard.core import connection
from practiceboard.core.server_check import ServerSettings, Verdict, check_server, remember
from practiceboard.domain.errors import ValidationError
from support import make_staff

pg = pytest.mark.postgres


def settings_for(db_url: str, **kw) -> ServerSettings:
    u = make_url(db_url)
    base = dict(host=u.host, port=u.port or 5432, database=u.database, user=u.username,
                password=u.password or "", tls="prefer")  # fmt: skip
    base.update(kw)
    return ServerSettings(**base)


@pytest.fixture
def empty_pg_database(pg_template) -> Iterator[str]:
    from conftest import PG_URL

    name = f"pb_empty_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield make_url(PG_URL).set(database=name).render_as_string(False)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pg
def test_a_practiceboard_database_with_accounts_is_ready(pg_db):
    make_staff(pg_db)
    outcome = check_server(settings_for(pg_db.url))
    assert outcome.verdict is Verdict.READY and outcome.usable
    assert "accounts" in outcome.message


@pg
def test_an_empty_database_or_a_schema_without_accounts_takes_a_new_practice(
    pg_db, empty_pg_database
):
    assert check_server(settings_for(empty_pg_database)).verdict is Verdict.EMPTY
    assert check_server(settings_for(pg_db.url)).verdict is Verdict.EMPTY  # migrated, no one


@pg
def test_another_programs_database_is_not_a_practiceboard_one(empty_pg_database):
    engine = create_engine(empty_pg_database)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE invoices (id int)"))
    engine.dispose()
    outcome = check_server(settings_for(empty_pg_database))
    assert outcome.verdict is Verdict.NOT_PRACTICEBOARD
    assert "another program" in outcome.message


@pg
def test_a_database_of_a_newer_practiceboard_is_told(pg_db):
    with pg_db.write() as session:
        session.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    outcome = check_server(settings_for(pg_db.url))
    assert outcome.verdict is Verdict.NEWER and "newer PracticeBoard" in outcome.message


@pg
def test_no_such_database_and_an_unreachable_server(pg_db):
    missing = check_server(settings_for(pg_db.url, database="pb_no_such_db"))
    assert missing.verdict is Verdict.NO_DATABASE
    assert "no database called “pb_no_such_db”" in missing.message
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    away = check_server(settings_for(pg_db.url, port=port), timeout=3)
    assert away.verdict is Verdict.UNREACHABLE and "cannot reach" in away.message
    unnamed = check_server(settings_for(pg_db.url, host="no-such-host.invalid"), timeout=3)
    assert unnamed.verdict is Verdict.UNREACHABLE


@pg
def test_tls_required_of_a_server_without_it_is_told(pg_db):
    outcome = check_server(settings_for(pg_db.url, tls="require"))
    assert outcome.verdict is Verdict.TLS and "encrypted connection" in outcome.message


# ---------------------------------------------------------------- a server that asks


def _pg_bin() -> Path | None:
    found = sorted(glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(found[-1]).parent if found else None


@pytest.fixture(scope="module")
def scram_server() -> Iterator[tuple[int, str]]:
    """A PostgreSQL cluster of our own that asks for passwords (scram-sha-256), on a free
    port; (port, the owner's password)."""
    bindir = _pg_bin()
    if bindir is None or shutil.which("runuser") is None:
        pytest.skip("no initdb or runuser here to start a password-checking server")
    # Right under /tmp: the postgres user cannot enter pytest's root-only folders.
    root = Path(tempfile.mkdtemp(prefix="pb-scram-"))
    shutil.chown(root, "postgres")
    root.chmod(0o700)
    (root / "pw").write_text("owner-Secret-1\n")
    shutil.chown(root / "pw", "postgres")
    as_pg = ["runuser", "-u", "postgres", "--"]
    subprocess.run([*as_pg, str(bindir / "initdb"), "-D", str(root / "data"), "-U", "pbowner",
                    "--auth=scram-sha-256", f"--pwfile={root / 'pw'}", "-N"],
                   check=True, capture_output=True)  # fmt: skip
    # Only the database "postgres" may be reached over TCP: any other gets the real
    # "no pg_hba.conf entry" a LAN PC sees before the README's pg_hba.conf step.
    (root / "data" / "pg_hba.conf").write_text(
        "local all all scram-sha-256\nhost postgres all 127.0.0.1/32 scram-sha-256\n"
    )
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    opts = f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off"
    start = [*as_pg, str(bindir / "pg_ctl"), "-D", str(root / "data"), "-o", opts,
             "-l", str(root / "log"), "-w", "start"]  # fmt: skip
    subprocess.run(start, check=True, capture_output=True)
    try:
        yield port, "owner-Secret-1"
    finally:
        subprocess.run([*as_pg, str(bindir / "pg_ctl"), "-D", str(root / "data"), "-m",
                        "immediate", "stop"], capture_output=True)  # fmt: skip
        shutil.rmtree(root, ignore_errors=True)


@pg
def test_a_wrong_password_is_told_apart_from_an_unreachable_server(scram_server):
    port, password = scram_server
    base = ServerSettings(host="127.0.0.1", port=port, database="postgres", user="pbowner")
    wrong = check_server(replace_pw(base, "not-the-password"))
    assert wrong.verdict is Verdict.WRONG_PASSWORD
    assert "did not accept the password" in wrong.message
    none = check_server(base)
    assert none.verdict is Verdict.WRONG_PASSWORD
    right = check_server(replace_pw(base, password))
    assert right.verdict is Verdict.NOT_PRACTICEBOARD or right.verdict is Verdict.EMPTY


@pg
def test_a_pc_the_server_does_not_let_in_is_told(scram_server):
    port, password = scram_server
    base = ServerSettings(host="127.0.0.1", port=port, database="template1", user="pbowner",
                          password=password)  # fmt: skip
    outcome = check_server(base)
    assert outcome.verdict is Verdict.NOT_ALLOWED
    assert "pg_hba.conf" in outcome.message


def replace_pw(settings: ServerSettings, password: str) -> ServerSettings:
    from dataclasses import replace

    return replace(settings, password=password)


# ---------------------------------------------------------------- what is typed and kept


def test_what_is_typed_is_checked_field_by_field(tmp_path):
    good = ServerSettings(host=" office-pc ", database=" practiceboard ", user=" app ")
    assert good.checked().host == "office-pc"
    for bad, field in (
        (dict(host=""), "host"),
        (dict(host="office pc"), "host"),
        (dict(port=0), "port"),
        (dict(database=" "), "database"),
        (dict(user=""), "user"),
        (dict(tls="verify-full"), "ca_file"),
        (dict(tls="require", ca_file=str(tmp_path / "missing.crt")), "ca_file"),
    ):
        values = dict(host="office-pc", database="practiceboard", user="app") | bad
        with pytest.raises(ValidationError) as caught:
            ServerSettings(**values).checked()
        assert caught.value.field == field


def test_the_url_round_trips_with_tls_and_ca(tmp_path):
    ca = tmp_path / "ca.crt"
    ca.write_text("x")
    typed = ServerSettings("office-pc", 5433, "pb", "app", "pw", "verify-full", str(ca))
    assert ServerSettings.from_url(typed.url()) == typed
    assert "pw" not in typed.url(with_password=False)


def test_remember_keeps_the_password_in_the_keyring_never_in_the_file(pb_home):
    typed = ServerSettings("office-pc", 5432, "practiceboard", "app", "Sekret-Pass-9")
    assert remember(typed) == ""
    saved = connection.config_path().read_text()
    assert "Sekret-Pass-9" not in saved
    assert json.loads(saved)["url"].startswith("postgresql+psycopg://app@office-pc:5432/")
    store = connection.SecretStore()
    assert store.get(connection.secret_key(typed.url())) == "Sekret-Pass-9"


def test_remember_says_so_where_there_is_no_keyring(pb_home):
    import keyring
    from keyring.backends import null

    keyring.set_keyring(null.Keyring())
    note = remember(ServerSettings("office-pc", 5432, "practiceboard", "app", "Sekret-Pass-9"))
    assert "no system keyring" in note or "switched off" in note
    assert "Sekret-Pass-9" not in connection.config_path().read_text()
