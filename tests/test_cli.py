"""The command line, run in-process: plain messages, exit codes 0/1/2, never a traceback."""

from __future__ import annotations

import json
import subprocess
import sys
import types
from pathlib import Path

import keyring
import pytest
from sqlalchemy import text

from practiceboard import cli
from practiceboard.core import connection
from practiceboard.db.engine import Database
from practiceboard.services import users
from support import PASSWORD, START, Clock, audit_rows, make_staff, new_task

ADMIN_PW = "first-admin-password"


@pytest.fixture
def run(capsys):
    def run(*args: str) -> tuple[int, str, str]:
        code = cli.main(list(args))
        out, err = capsys.readouterr()
        assert "Traceback" not in out + err
        return code, out, err

    return run


@pytest.fixture
def staffed(sqlite_db, monkeypatch):
    """A database with one account per role; the CLI signs in as its admin."""
    make_staff(sqlite_db)
    monkeypatch.setenv("PRACTICEBOARD_ADMIN_PASSWORD", PASSWORD)
    return sqlite_db


def _raw(db: Database, *statements: str) -> None:
    with db.engine.begin() as conn:
        for sql in statements:
            conn.exec_driver_sql(sql)


# ---------------------------------------------------------------- init


def test_init_creates_the_schema_and_the_first_admin(run, tmp_path, monkeypatch):
    monkeypatch.setenv("PRACTICEBOARD_ADMIN_PASSWORD", ADMIN_PW)
    target = tmp_path / "new" / "clinic.db"
    code, out, _ = run("init", "--db", str(target), "--admin-name", "Ada Admin")
    assert code == 0
    assert "Created the admin account “admin” (Ada Admin)" in out
    db = Database(f"sqlite:///{target}")
    assert users.sign_in(db, "admin", ADMIN_PW).display_name == "Ada Admin"
    db.dispose()


def test_init_settles_the_practice_time_zone_for_every_pc(run, tmp_path, monkeypatch):
    """Business hours follow the zone stored at set-up, not each PC's own (a Windows PC
    whose zone is unknown, or a PC in another zone, must not move them)."""
    from practiceboard.core import definitions

    monkeypatch.setenv("PRACTICEBOARD_ADMIN_PASSWORD", ADMIN_PW)
    monkeypatch.setenv("TZ", "America/Denver")  # this PC's zone
    target = tmp_path / "clinic.db"
    code, out, _ = run("init", "--db", str(target), "--timezone", "America/Chicago")
    assert code == 0 and "Business hours follow the practice's time zone, America/Chicago" in out
    db = Database(f"sqlite:///{target}")
    with db.read() as s:
        assert definitions.practice_calendar(s).timezone == "America/Chicago"
    [row] = audit_rows(db, "setting.update")
    assert json.loads(row.new_values) == {"timezone": "America/Chicago"}
    db.dispose()


def test_init_refuses_an_unknown_zone_and_a_pc_that_cannot_tell(run, tmp_path, monkeypatch):
    from practiceboard.core import timezone

    monkeypatch.setenv("PRACTICEBOARD_ADMIN_PASSWORD", ADMIN_PW)
    code, _, err = run("init", "--db", str(tmp_path / "a.db"), "--timezone", "Mars/Olympus")
    assert code == 1 and "“Mars/Olympus” is not a time zone name" in err
    monkeypatch.setattr(timezone, "zone_sources", lambda platform, tz=None: ())  # nothing answers
    monkeypatch.delenv("TZ", raising=False)
    code, _, err = run("init", "--db", str(tmp_path / "b.db"))
    assert code == 1 and "time zone could not be told" in err and "--timezone" in err


def test_init_is_refused_once_accounts_exist(run, tmp_path, monkeypatch):
    monkeypatch.setenv("PRACTICEBOARD_ADMIN_PASSWORD", ADMIN_PW)
    target = str(tmp_path / "clinic.db")
    assert run("init", "--db", target)[0] == 0
    code, out, err = run("init", "--db", target)
    assert code == 1
    assert "already has accounts" in err


def test_init_asks_twice_and_refuses_a_mismatch(run, tmp_path, monkeypatch):
    answers = iter(["first-password-1", "other-password-2"])
    monkeypatch.setattr(cli.common, "prompt_password", lambda prompt: next(answers))
    code, _, err = run("init", "--db", str(tmp_path / "c.db"))
    assert code == 1
    assert "do not match" in err


def test_init_enforces_the_minimum_password_length(run, tmp_path, monkeypatch):
    monkeypatch.setenv("PRACTICEBOARD_ADMIN_PASSWORD", "short")
    code, _, err = run("init", "--db", str(tmp_path / "c.db"))
    assert code == 1
    assert "at least 12 characters" in err


# ---------------------------------------------------------------- db


def test_db_current_says_head(run, sqlite_db):
    code, out, _ = run("db", "current", "--db", sqlite_db.url)
    assert code == 0
    assert out.strip().endswith("(head)")


def test_db_info_shows_the_size_and_the_documents_in_it(run, sqlite_db, tmp_path):
    from practiceboard.services import documents
    from support import make_staff, make_task

    staff = make_staff(sqlite_db)
    task = make_task(sqlite_db, staff.front_desk, "referral", "Referral")
    scan = tmp_path / "scan.pdf"
    scan.write_bytes(b"%PDF-1.4\n" + b"0" * 2_000_000)
    documents.attach_file(sqlite_db, staff.front_desk, task, scan)

    code, out, _ = run("db", "info", "--db", sqlite_db.url)

    assert code == 0
    assert "documents 1.9 MB (1 file kept in the database)" in out
    assert "Largest file that may be attached: 25 MB" in out


def test_db_upgrade_when_already_at_head(run, sqlite_db):
    code, out, _ = run("db", "upgrade", "--db", sqlite_db.url)
    assert code == 0
    assert "already up to date" in out


def test_db_upgrade_builds_a_new_database(run, tmp_path):
    code, out, _ = run("db", "upgrade", "--db", str(tmp_path / "fresh.db"))
    assert code == 0
    assert "now at schema" in out
    assert run("db", "current", "--db", str(tmp_path / "fresh.db"))[1].strip().endswith("(head)")


def test_db_check_is_clean(run, sqlite_db):
    code, out, _ = run("db", "check", "--db", sqlite_db.url)
    assert (code, out.strip()) == (0, "Models and migrations agree.")


def test_describe_difference_names_table_and_column():
    from sqlalchemy import Column, Integer, MetaData, Table

    col = Column("extra", Integer)
    Table("tasks", MetaData(), col)
    line = cli.setup.describe_difference(("add_column", None, "tasks", col))
    assert line == "add column: tasks tasks.extra"


def test_a_missing_database_file_is_named(run, tmp_path):
    code, _, err = run("db", "current", "--db", str(tmp_path / "nowhere.db"))
    assert code == 1
    assert "There is no database at" in err


def test_a_database_from_a_newer_version_is_refused(run, staffed):
    _raw(staffed, "UPDATE alembic_version SET version_num = '9999_from_the_future'")
    for args in (["db", "current"], ["db", "upgrade"], ["users", "list"], ["audit", "verify"]):
        code, _, err = run(*args, "--db", staffed.url)
        assert code == 1, args
        assert "newer PracticeBoard" in err
        assert "9999_from_the_future" in err


# ---------------------------------------------------------------- users


def test_users_add_list_disable_enable_reset(run, staffed, monkeypatch):
    monkeypatch.setenv("PRACTICEBOARD_USER_PASSWORD", "new-person-password")
    code, out, _ = run("users", "add", "jdoe", "--name", "Jo Doe", "--role", "front_desk",
                       "--role", "billing", "--db", staffed.url)  # fmt: skip
    assert code == 0 and "Added jdoe" in out
    assert users.sign_in(staffed, "jdoe", "new-person-password").display_name == "Jo Doe"

    code, out, _ = run("users", "list", "--db", staffed.url)
    line = next(x for x in out.splitlines() if x.startswith("jdoe"))
    assert "active" in line and "billing, front_desk" in line

    assert run("users", "disable", "jdoe", "--db", staffed.url)[0] == 0
    assert "disabled" in next(
        x for x in run("users", "list", "--db", staffed.url)[1].splitlines() if x.startswith("jdoe")
    )
    assert run("users", "enable", "jdoe", "--db", staffed.url)[0] == 0

    monkeypatch.setenv("PRACTICEBOARD_USER_PASSWORD", "reset-password-2")
    code, out, _ = run("users", "reset-password", "jdoe", "--db", staffed.url)
    assert code == 0 and "was reset" in out
    assert users.sign_in(staffed, "jdoe", "reset-password-2")


def test_user_changes_are_audited_to_the_admin(run, staffed, monkeypatch):
    monkeypatch.setenv("PRACTICEBOARD_USER_PASSWORD", "new-person-password")
    run("users", "add", "jdoe", "--name", "Jo Doe", "--role", "clinical", "--db", staffed.url)
    with staffed.read() as s:
        row = s.execute(text(
            "SELECT username, workstation FROM audit_log WHERE action = 'user.create' "
            "ORDER BY id DESC LIMIT 1")).one()  # fmt: skip
    assert row.username == "admin"
    assert row.workstation.endswith("(command line)")


def test_users_commands_need_an_admin(run, staffed, monkeypatch):
    monkeypatch.setenv("PRACTICEBOARD_USER_PASSWORD", "new-person-password")
    code, _, err = run("users", "add", "x", "--name", "X", "--role", "clinical",
                       "--as", "manager", "--db", staffed.url)  # fmt: skip
    assert code == 1
    assert "does not allow" in err
    monkeypatch.setenv("PRACTICEBOARD_ADMIN_PASSWORD", "wrong-password-123")
    code, _, err = run("users", "disable", "frontdesk", "--db", staffed.url)
    assert code == 1
    assert "do not match" in err


def test_unknown_user_and_unknown_role(run, staffed, monkeypatch):
    monkeypatch.setenv("PRACTICEBOARD_USER_PASSWORD", "new-person-password")
    assert "no account called" in run("users", "disable", "ghost", "--db", staffed.url)[2]
    code, _, err = run("users", "add", "x", "--name", "X", "--role", "wizard", "--db", staffed.url)
    assert code == 1 and "no role called" in err


# ---------------------------------------------------------------- audit and backup


def test_audit_verify_names_an_edited_row(run, staffed):
    code, out, _ = run("audit", "verify", "--db", staffed.url)
    assert code == 0 and out.startswith("Audit log intact")
    # An attacker with file access: drop the guard, then change history.
    _raw(staffed, "DROP TRIGGER audit_log_no_update",
         "UPDATE audit_log SET username = 'someone' WHERE id = 3")  # fmt: skip
    code, _, err = run("audit", "verify", "--db", staffed.url)
    assert code == 1
    assert err.strip() == "Audit log broken at row 3: its contents were changed"


def test_audit_verify_names_a_deleted_row(run, staffed):
    _raw(staffed, "DROP TRIGGER audit_log_no_delete", "DELETE FROM audit_log WHERE id = 4")
    code, _, err = run("audit", "verify", "--db", staffed.url)
    assert code == 1
    assert "broken at row 5: rows 4–4 are missing" in err


@pytest.mark.postgres
def test_audit_verify_on_postgresql(run, pg_db, monkeypatch):
    make_staff(pg_db)
    assert run("audit", "verify", "--db", pg_db.url)[0] == 0
    _raw(pg_db, "ALTER TABLE audit_log DISABLE TRIGGER ALL",
         "UPDATE audit_log SET detail = 'nothing to see' WHERE id = 2")  # fmt: skip
    code, _, err = run("audit", "verify", "--db", pg_db.url)
    assert code == 1 and "row 2" in err


def test_backup_to_a_folder(run, staffed, tmp_path):
    code, out, _ = run("backup", "--db", staffed.url, "--to", str(tmp_path / "bk"))
    assert code == 0
    made = Path(out.strip())
    assert made.parent == tmp_path / "bk" and made.stat().st_size > 0


# ---------------------------------------------------------------- demo


def test_demo_refuses_a_database_with_a_practice(run, staffed):
    code, _, err = run("demo", "--db", staffed.url, "--tasks", "20")
    assert code == 1
    assert "already holds a practice (7 accounts)" in err
    assert "--replace" in err


def test_demo_replace_backs_up_and_rebuilds(run, staffed):
    code, out, _ = run("demo", "--db", staffed.url, "--tasks", "40", "--replace")
    assert code == 0
    assert "Replacing the practice" in out and "7 accounts" in out
    backup = Path(out.split("Backup of the replaced practice: ")[1].splitlines()[0])
    assert backup.exists()
    assert out.count("Password: demo-password-2026") == 1
    assert "dwhitcombe" in out
    assert run("audit", "verify", "--db", staffed.url)[0] == 0
    with staffed.read() as s:
        assert (
            s.execute(text("SELECT count(*) FROM users WHERE username = 'frontdesk'")).scalar() == 0
        )


def test_demo_replace_of_a_file_windows_holds_open_says_so_and_changes_nothing(
    run, staffed, monkeypatch
):
    """On Windows a database open in another program cannot be renamed or deleted
    (WinError 32); the fault is injected here, as Linux would let the rename happen."""
    path = Path(staffed.url.removeprefix("sqlite:///"))
    real_rename = Path.rename

    def held(self, target):
        if self == path:
            raise PermissionError(13, "The process cannot access the file because it is "
                                      "being used by another process", str(self))  # fmt: skip
        return real_rename(self, target)

    monkeypatch.setattr(Path, "rename", held)
    code, _, err = run("demo", "--db", staffed.url, "--tasks", "20", "--replace")
    assert code == 1
    assert "The practice was not replaced" in err and "is in use by another program" in err
    assert "Nothing was changed" in err and "A backup was made first" in err
    with staffed.read() as s:  # the practice is still there, whole
        assert s.execute(text("SELECT count(*) FROM users")).scalar() == 7


def test_a_backup_folder_that_cannot_be_written_is_a_sentence(run, staffed, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the folder should be")
    code, _, err = run("backup", "--db", staffed.url, "--to", str(blocker / "bk"))
    assert code == 1
    assert err.startswith("The backup could not be written:") and "Nothing was changed" in err


# ---------------------------------------------------------------- connection


def test_connection_save_keeps_the_password_in_the_keyring(run, monkeypatch):
    monkeypatch.setattr(cli.common, "prompt_password", lambda prompt: "server-pw-1")
    code, out, _ = run("connection", "save", "postgresql://clinic@db.example/board", "--password")
    assert code == 0
    assert "server-pw-1" not in connection.config_path().read_text()
    assert keyring.get_password("PracticeBoard", "clinic@db.example/board") == "server-pw-1"
    code, out, _ = run("connection", "show")
    assert "db.example/board (from saved connection)" in out
    assert run("connection", "forget")[0] == 0
    assert keyring.get_password("PracticeBoard", "clinic@db.example/board") is None


# ---------------------------------------------------------------- the app and usage


@pytest.fixture
def no_gui(monkeypatch):
    monkeypatch.setitem(sys.modules, "practiceboard.gui.shell.app", None)  # import fails


def test_without_the_desktop_app(run, no_gui, tmp_path):
    code, _, err = run("--db", str(tmp_path / "a.db"))
    assert code == 1
    assert err.strip() == "The desktop app is not installed in this build."


@pytest.fixture
def fake_gui(monkeypatch):
    opened = []
    module = types.ModuleType("practiceboard.gui.shell.app")
    module.main = lambda args: opened.append(args) or 0
    monkeypatch.setitem(sys.modules, "practiceboard.gui.shell.app", module)
    return opened


def test_demo_if_empty_builds_the_demo_once(run, fake_gui, monkeypatch):
    monkeypatch.setattr(cli.app, "FIRST_RUN_TASKS", 30)
    code, out, _ = run("--demo-if-empty")
    assert code == 0
    assert "First run" in out and "Password: demo-password-2026" in out
    assert len(fake_gui) == 1 and fake_gui[0].demo_if_empty
    code, out, _ = run("--demo-if-empty")
    assert code == 0 and out == ""  # already has a practice: straight to the app
    assert len(fake_gui) == 2


def test_usage_errors_exit_2(run):
    assert run("users")[0] == 2
    assert run("no-such-command")[0] == 2
    assert run("demo", "--tasks", "lots")[0] == 2
    assert run("demo", "--tasks", "-5")[0] == 2


def test_help_exits_0(run):
    code, out, _ = run("--help")
    assert code == 0 and "init" in out and "demo" in out


def test_installed_command_smoke():
    exe = Path(sys.executable).with_name("practiceboard")
    result = subprocess.run([str(exe), "--help"], capture_output=True, text=True, check=False)
    assert result.returncode == 0
    assert "usage: practiceboard" in result.stdout
    module = subprocess.run([sys.executable, "-m", "practiceboard", "--version"],
                            capture_output=True, text=True, check=False)  # fmt: skip
    assert module.returncode == 0 and module.stdout.startswith("practiceboard ")


def test_db_check_needs_no_existing_database(tmp_path, capsys):
    """check builds its own throw-away database, so a path that does not exist yet is fine
    (and is not created)."""
    from practiceboard import cli

    target = tmp_path / "not-there.db"
    assert cli.main(["db", "check", "--db", f"sqlite:///{target}"]) == 0
    assert "Models and migrations agree." in capsys.readouterr().out
    assert not target.exists()


# ---------------------------------------------------------------- alerts --once


def test_one_scan_prints_each_alert_and_the_count(run, sqlite_db, monkeypatch):
    Clock(monkeypatch, START)
    staff = make_staff(sqlite_db)
    t = new_task(sqlite_db, staff.manager, owner_id=staff.front_desk.user_id)
    code, out, _ = run("alerts", "--once", "--db", sqlite_db.url)
    lines = out.strip().splitlines()
    assert code == 0
    assert lines[0].split() == ["frontdesk", "assigned", t.ref, "·", "Referral", "intake", "—",
                                "handed", "to", "you"]  # fmt: skip
    assert lines[-1] == "1 alert raised"
    assert run("alerts", "--once", "--db", sqlite_db.url)[1].strip() == "0 alerts raised"


def test_one_persons_scan_and_clear_refusals(run, sqlite_db, monkeypatch):
    Clock(monkeypatch, START)
    staff = make_staff(sqlite_db)
    new_task(sqlite_db, staff.manager, owner_id=staff.front_desk.user_id)
    code, out, _ = run("alerts", "--once", "--user", "billing", "--db", sqlite_db.url)
    assert (code, out.strip()) == (0, "0 alerts raised")
    code, _, err = run("alerts", "--once", "--user", "nobody", "--db", sqlite_db.url)
    assert code == 2 and "no user called 'nobody'" in err
    code, _, err = run("alerts", "--db", sqlite_db.url)
    assert code == 2 and "add --once" in err
