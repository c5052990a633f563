"""core.settings: every setting and environment variable declared once, read here."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from practiceboard.core import definitions, settings
from practiceboard.db.models import Setting


def test_a_new_database_holds_exactly_the_declared_settings(db):
    with db.read() as s:
        stored = {row.key: row.value for row in s.scalars(select(Setting))}
    # Every seeded setting, and the database's id (made by the first revision itself).
    seeded = {k for k, d in settings.SETTINGS.items() if d.seeded}
    assert set(stored) == seeded | {"database_id"}
    for key, default in settings.seed_values().items():
        assert stored[key] == default
    assert isinstance(stored["database_id"], str) and len(stored["database_id"]) == 32


def test_every_setting_is_described_and_typed():
    for d in settings.SETTINGS.values():
        assert d.description.strip()
        assert d.default is None or isinstance(d.default, d.type)


def _store(db, key, value) -> None:
    with db.write() as s:
        s.execute(update(Setting).where(Setting.key == key).values(value=value))


def test_read_turns_what_a_row_holds_into_the_declared_type():
    assert settings.read("lockout_minutes", None) == 15
    assert settings.read("lockout_minutes", 30) == 30
    assert settings.read("lockout_minutes", "45") == 45
    assert settings.read("lockout_minutes", "soon") == 15
    assert settings.read("lockout_minutes", True) == 15
    assert settings.read("practice_name", 7) == "Your practice"
    assert settings.read("calendar", "nonsense")["closes"] == "17:00"
    with pytest.raises(KeyError):
        settings.read("no_such_setting", 1)


def test_the_practice_value_else_the_default(db):
    with db.read() as s:
        assert definitions.setting(s, "lockout_minutes") == 15
        assert definitions.setting(s, "calendar")["opens"] == "08:00"
    _store(db, "lockout_minutes", 30)
    _store(db, "idle_lock_minutes", "5")  # a number typed as text
    _store(db, "min_password_length", "twelve")  # nonsense: the default
    _store(db, "practice_name", None)
    with db.read() as s:
        assert definitions.setting(s, "lockout_minutes") == 30
        assert definitions.setting(s, "idle_lock_minutes") == 5
        assert definitions.setting(s, "min_password_length") == 12
        assert definitions.setting(s, "practice_name") == "Your practice"
        with pytest.raises(KeyError):
            definitions.setting(s, "no_such_setting")


def test_defaults_are_handed_out_as_copies():
    settings.seed_values()["calendar"]["workdays"].append(6)
    assert settings.SETTINGS["calendar"].default["workdays"] == [0, 1, 2, 3, 4]


def test_env_reads_declared_variables_only(monkeypatch):
    monkeypatch.setenv("PRACTICEBOARD_DB", "sqlite:///x.db")
    monkeypatch.setenv("TZ", "")
    assert settings.env("PRACTICEBOARD_DB") == "sqlite:///x.db"
    assert settings.env("TZ") is None  # empty counts as unset
    with pytest.raises(KeyError):
        settings.env("HOME")
    assert all(text.strip() for text in settings.ENVIRONMENT.values())
