"""Opening the wrong database (security.md item 19): a database that holds tables but no
PracticeBoard revision is refused with a sentence and left untouched — by the app, by
``db upgrade``, by ``init`` and by ``demo`` — on both engines; the schema is created only in
an empty database. A text file named ``.db`` gives a sentence on the command line."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect

from practiceboard import cli
from practiceboard.db import migrate
from practiceboard.db.engine import Database
from practiceboard.gui.shell.app import open_practice

FOREIGN = "This database is not a PracticeBoard database"


def _tables(db: Database) -> list[str]:
    with db.engine.connect() as conn:
        return sorted(inspect(conn).get_table_names())


def _make_foreign(db: Database) -> list[str]:
    """Another program's database: tables of its own, no PracticeBoard revision."""
    with db.engine.begin() as conn:
        conn.exec_driver_sql("DROP TABLE alembic_version")
        conn.exec_driver_sql("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total INTEGER)")
        conn.exec_driver_sql("INSERT INTO invoices VALUES (1, 100)")
    return _tables(db)


def _cli(capsys, *args: str) -> tuple[int, str]:
    code = cli.main(list(args))
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out + err


def test_opening_the_wrong_database_a_foreign_one_is_refused_untouched(db, capsys, monkeypatch):
    before = _make_foreign(db)
    with pytest.raises(migrate.SchemaError) as caught:
        migrate.upgrade(db)
    assert FOREIGN in caught.value.message
    assert _tables(db) == before
    monkeypatch.setenv("PRACTICEBOARD_ADMIN_PASSWORD", "first-admin-password")
    for command in (["db", "upgrade"], ["init"], ["demo", "--tasks", "0"]):
        code, said = _cli(capsys, *command, "--db", db.url)
        assert code == 1, command
        assert FOREIGN in said and "left untouched" in said, command
        assert _tables(db) == before, command
    with pytest.raises(migrate.SchemaError, match=FOREIGN):  # the desktop app's start-up
        open_practice(db.url)
    assert _tables(db) == before
    with db.read() as session:
        assert session.execute(migrate.text("SELECT total FROM invoices")).scalar() == 100


def test_opening_the_wrong_database_a_foreign_sqlite_file_gets_no_tables(tmp_path, capsys):
    path = tmp_path / "accounts.db"
    other = Database(f"sqlite:///{path}")
    with other.engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE customers (id INTEGER)")
    code, said = _cli(capsys, "db", "upgrade", "--db", str(path))
    assert code == 1 and FOREIGN in said and "customers" in said
    assert _tables(other) == ["customers"]
    other.dispose()


def test_opening_the_wrong_database_the_schema_is_made_in_an_empty_one(tmp_path, capsys):
    path = tmp_path / "empty.db"
    path.touch()  # an empty file is an empty database
    code, said = _cli(capsys, "db", "upgrade", "--db", str(path))
    assert code == 0, said
    fresh = Database(f"sqlite:///{path}")
    assert migrate.current_revision(fresh) == migrate.head_revision()
    fresh.dispose()


def test_opening_the_wrong_database_a_text_file_named_db_gets_a_sentence(tmp_path, capsys):
    path = tmp_path / "letter.db"
    path.write_text("Dear Dr. Example,\nthank you for the referral.\n")
    for command in (["db", "upgrade"], ["db", "current"], ["init"], ["backup"]):
        code, said = _cli(capsys, *command, "--db", str(path))
        assert code == 1, command
        assert "is not a database file" in said, (command, said)
    assert path.read_text().startswith("Dear Dr. Example")
    with pytest.raises(migrate.SchemaError, match="is not a database file"):
        open_practice(str(path))
