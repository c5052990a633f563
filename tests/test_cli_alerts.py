"""``practiceboard alerts --once``: one scan, one line per alert, a count last; a second
run at the same moment raises nothing."""

from __future__ import annotations

import pytest

from practiceboard import cli
from support import START, Clock, make_staff, new_task


@pytest.fixture
def run(capsys):
    def run(*args: str) -> tuple[int, str, str]:
        code = cli.main(list(args))
        out, err = capsys.readouterr()
        assert "Traceback" not in out + err
        return code, out, err

    return run


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
