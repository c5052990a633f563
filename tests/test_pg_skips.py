"""The PostgreSQL tests skip only when no server answers, and then say so at the end of
the run; a server that answers but refuses the tests (here: a role that does not exist)
fails them. Each case runs the real conftest in a pytest of its own."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[1]
ONE_PG_TEST = "tests/db/test_audit.py::test_truncate_refused_on_postgres"


def run_suite(tmp_path: Path, pg_url: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "PRACTICEBOARD_REQUIRE_PG"}
    env["PRACTICEBOARD_TEST_PG"] = pg_url
    args = [
        sys.executable, "-m", "pytest", ONE_PG_TEST, "-p", "no:cacheprovider",
        f"--basetemp={tmp_path / 'run'}", "-o", "addopts=-ra",
    ]  # fmt: skip
    return subprocess.run(  # noqa: S603 - this Python, running pytest
        args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=240, check=False
    )


def test_an_unreachable_server_skips_and_the_summary_says_so(tmp_path):
    done = run_suite(tmp_path, "postgresql+psycopg://postgres@127.0.0.1:1/postgres")

    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 skipped" in done.stdout
    assert "PostgreSQL is not reachable at postgresql+psycopg://postgres@127.0.0.1:1" in (
        done.stdout
    )
    last = done.stdout.strip().splitlines()[-2:]  # the loud line, then pytest's own count
    assert last[0].startswith("1 PostgreSQL test was SKIPPED: no server at "), last


@pytest.mark.postgres
def test_a_server_that_refuses_the_tests_fails_them(tmp_path, pg_db):
    """Needs the real server (pg_db skips without it); only the role is wrong."""
    wrong = make_url(pg_db.url).set(username="no_such_role").render_as_string(False)

    done = run_suite(tmp_path, wrong)

    assert done.returncode == 1, done.stdout + done.stderr
    assert "1 error" in done.stdout and "skipped" not in done.stdout
    assert "answers but refused the tests" in done.stdout
    assert 'role "no_such_role" does not exist' in done.stdout
