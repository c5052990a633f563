"""Issue 11, audit log: "A PC without the audit key silently creates a new key …".

A database that already has audit rows never gets a second key; the key check value
stored with the database tells a wrong key apart from tampered rows; a garbage key is a
sentence; an admin carries the key with ``audit key export`` / ``import``."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text

from practiceboard import cli
from practiceboard.core.clock import now
from practiceboard.db import audit
from practiceboard.db.models import AuditEntry, Setting
from support import PASSWORD, make_staff

WHO = audit.Who(None, "tester", "test-pc")


@pytest.fixture(autouse=True)
def held_clock(clock):
    return clock


def _write_rows(db, n=3):
    with db.write() as s:
        for i in range(n):
            audit.write(s, WHO, "test.action", "thing", i, at=now())


def _keys(pb_home):
    return sorted((pb_home / "config" / "audit-keys").glob("*.key"))


def _another_pc(pb_home, monkeypatch, name="pc2"):
    """Switch to a second PC's folders (no key, no head) in the same test."""
    home = pb_home.parent / name
    monkeypatch.setenv("PRACTICEBOARD_HOME", str(home))
    audit._KEY_CACHE.clear()
    return home


def _count(db) -> int:
    with db.read() as s:
        return len(s.scalars(select(AuditEntry.id)).all())


def test_audit_key_check_value_is_stored_with_the_first_row(db, pb_home):
    _write_rows(db, 1)
    [key_file] = _keys(pb_home)
    with db.read() as s:
        stored = s.get(Setting, "audit_key_check").value
    assert stored == audit.key_check(bytes.fromhex(key_file.read_text()))
    assert key_file.read_text().strip() not in stored


def test_audit_key_database_with_rows_never_gets_a_second_key(db, pb_home, monkeypatch):
    _write_rows(db)
    home2 = _another_pc(pb_home, monkeypatch)
    with pytest.raises(audit.AuditKeyMissing) as refused:
        _write_rows(db, 1)
    message = refused.value.message
    assert "does not have the audit key" in message
    assert "practiceboard audit key import FILE" in message and ".key" in message
    assert not _keys(home2)  # no second key was made
    assert _count(db) == 3  # and nothing was written
    monkeypatch.setenv("PRACTICEBOARD_HOME", str(pb_home))
    audit._KEY_CACHE.clear()
    with db.read() as s:
        assert audit.verify(s).ok  # the first PC still finds the log whole


def test_audit_key_missing_refuses_sign_in_with_the_sentence(db, pb_home, monkeypatch):
    from practiceboard.services import users

    make_staff(db)
    _another_pc(pb_home, monkeypatch)
    with pytest.raises(audit.AuditKeyMissing):
        users.sign_in(db, "admin", PASSWORD)


def test_audit_key_wrong_key_is_told_apart_from_tampered_rows(db, pb_home, monkeypatch):
    _write_rows(db)
    _another_pc(pb_home, monkeypatch)
    monkeypatch.setenv("PRACTICEBOARD_AUDIT_KEY", "ab" * 32)
    with db.read() as s:
        result = audit.verify(s)
    assert not result.ok and result.kind == "wrong_key" and result.broken_id is None
    assert "not this database's key" in result.describe()
    assert "broken" not in result.describe()
    with pytest.raises(audit.AuditKeyWrong):
        _write_rows(db, 1)  # and it does not sign with it either
    assert _count(db) == 3


def test_audit_key_tampered_rows_are_not_called_a_wrong_key(db):
    _write_rows(db)
    with db.engine.begin() as conn:
        if db.is_sqlite:
            conn.execute(text("DROP TRIGGER audit_log_no_update"))
        else:
            conn.execute(text("ALTER TABLE audit_log DISABLE TRIGGER USER"))
        conn.execute(text("UPDATE audit_log SET detail = 'x' WHERE id = 1"))
    with db.read() as s:
        result = audit.verify(s)
    assert result.kind == "tampered" and result.broken_id == 1


def test_audit_key_from_before_check_values_is_checked_on_row_one(db, pb_home, monkeypatch):
    """A database written before check values: the right key is accepted (and its check
    value stored); another key is refused."""
    _write_rows(db)
    with db.engine.begin() as conn:
        conn.execute(text("DELETE FROM settings WHERE key = 'audit_key_check'"))
    audit._KEY_CACHE.clear()
    _write_rows(db, 1)
    with db.read() as s:
        assert s.get(Setting, "audit_key_check") is not None
        assert audit.verify(s).ok
    with db.engine.begin() as conn:
        conn.execute(text("DELETE FROM settings WHERE key = 'audit_key_check'"))
    monkeypatch.setenv("PRACTICEBOARD_AUDIT_KEY", "cd" * 32)
    audit._KEY_CACHE.clear()
    with pytest.raises(audit.AuditKeyWrong):
        _write_rows(db, 1)


@pytest.mark.parametrize("garbage", ["not a key", "abc", "zz" * 32, "ab" * 40])
def test_audit_key_garbage_env_value_is_a_sentence(db, monkeypatch, garbage):
    monkeypatch.setenv("PRACTICEBOARD_AUDIT_KEY", garbage)
    with pytest.raises(audit.AuditKeyInvalid, match="PRACTICEBOARD_AUDIT_KEY is not an audit key"):
        _write_rows(db, 1)


def test_audit_key_garbage_file_is_a_sentence(db, pb_home):
    _write_rows(db, 1)
    [key_file] = _keys(pb_home)
    key_file.write_bytes(b"\xff\xfe garbage \x00")
    audit._KEY_CACHE.clear()
    with pytest.raises(audit.AuditKeyInvalid, match="is not an audit key"):
        _write_rows(db, 1)


# ---------------------------------------------------------------- export / import


@pytest.fixture
def run(capsys):
    def run(*args: str) -> tuple[int, str, str]:
        code = cli.main(list(args))
        out, err = capsys.readouterr()
        assert "Traceback" not in out + err
        return code, out, err

    return run


def test_audit_key_export_then_import_on_another_pc(db, run, pb_home, monkeypatch, tmp_path):
    make_staff(db)
    monkeypatch.setenv("PRACTICEBOARD_ADMIN_PASSWORD", PASSWORD)
    stick = tmp_path / "usb" / "practice.key"
    stick.parent.mkdir()
    code, out, _ = run("audit", "key", "export", str(stick), "--db", db.url)
    assert code == 0 and "written to" in out
    assert stick.stat().st_mode & 0o777 == 0o600
    assert run("audit", "key", "export", str(stick), "--db", db.url)[0] == 1  # never overwrites

    home2 = _another_pc(pb_home, monkeypatch)
    code, _, err = run("audit", "verify", "--db", db.url)
    assert code == 1 and "does not have the audit key" in err
    code, out, _ = run("audit", "key", "import", str(stick), "--db", db.url)
    assert code == 0 and "installed" in out
    assert [k.stat().st_mode & 0o777 for k in _keys(home2)] == [0o600]
    code, out, _ = run("audit", "verify", "--db", db.url)
    assert code == 0 and "intact" in out
    with db.read() as s:
        actions = list(s.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))
    assert actions.count("audit.key_export") == 1 and actions.count("audit.key_import") == 1


def test_audit_key_import_refuses_another_databases_key(db, run, pb_home, monkeypatch, tmp_path):
    make_staff(db)
    monkeypatch.setenv("PRACTICEBOARD_ADMIN_PASSWORD", PASSWORD)
    foreign = tmp_path / "foreign.key"
    foreign.write_text("ef" * 32)
    home2 = _another_pc(pb_home, monkeypatch)
    code, _, err = run("audit", "key", "import", str(foreign), "--db", db.url)
    assert code == 1 and "not this database's key" in err
    assert not _keys(home2)
    garbage = tmp_path / "garbage.key"
    garbage.write_text("hello")
    code, _, err = run("audit", "key", "import", str(garbage), "--db", db.url)
    assert code == 1 and "is not an audit key" in err


def test_audit_key_import_needs_an_admin(db, run, pb_home, monkeypatch, tmp_path):
    make_staff(db)
    monkeypatch.setenv("PRACTICEBOARD_ADMIN_PASSWORD", PASSWORD)
    stick = tmp_path / "practice.key"
    assert run("audit", "key", "export", str(stick), "--db", db.url)[0] == 0
    home2 = _another_pc(pb_home, monkeypatch)
    code, _, err = run("audit", "key", "import", str(stick), "--db", db.url,
                       "--admin-username", "frontdesk")  # fmt: skip
    assert code == 1
    assert not _keys(home2)  # refused: the PC is as it was
    monkeypatch.setenv("PRACTICEBOARD_ADMIN_PASSWORD", "wrong-password-000")
    assert run("audit", "key", "import", str(stick), "--db", db.url)[0] == 1
    assert not _keys(home2)
