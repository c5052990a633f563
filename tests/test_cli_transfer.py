"""``practiceboard import``: the made-up tracker from the command line, dry run first,
the last line the counts; a bad file is one sentence and exit code 1."""

from __future__ import annotations

from pathlib import Path

import pytest

from practiceboard import cli
from practiceboard.services.imports import engine, sheet
from practiceboard.services.imports.mapping import propose
from support import PASSWORD, make_staff

DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture
def run(capsys):
    def run(*args: str) -> tuple[int, str, str]:
        code = cli.main(list(args))
        out, err = capsys.readouterr()
        assert "Traceback" not in out + err
        return code, out, err

    return run


@pytest.fixture
def practice(sqlite_db, monkeypatch):
    staff = make_staff(sqlite_db)
    monkeypatch.setenv("PRACTICEBOARD_PASSWORD", PASSWORD)
    found = propose("patients", sheet.read_sheet(DATA / "patients.csv").header)
    found.providers = {"dr. provider": "provider"}
    engine.import_patients(sqlite_db, staff.manager, sheet.read_sheet(DATA / "patients.csv"), found)
    return sqlite_db


def test_import_tasks_dry_run_then_for_real(practice, run):
    args = ("import", "tasks", str(DATA / "tracker.csv"), "--db", practice.url,
            "--mapping", str(DATA / "tracker-mapping.json"))  # fmt: skip
    code, out, _ = run(*args, "--dry-run")
    assert code == 0
    lines = out.strip().splitlines()
    assert lines[-1] == "293 created, 1 skipped, 6 errors"
    assert "Dry run: nothing was written." in lines
    assert any(
        line.startswith("row 23 (D23): error: No staff member called “Zed”") for line in lines
    )
    code, out, _ = run(*args)
    assert out.strip().splitlines()[-1] == "293 created, 1 skipped, 6 errors"
    # the mapping is remembered: the same layout needs no --mapping file the next time
    code, out, _ = run("import", "tasks", str(DATA / "tracker.xlsx"), "--db", practice.url)
    assert code == 0 and out.strip().splitlines()[-1] == "0 created, 294 skipped, 6 errors"


def test_a_bad_file_is_one_sentence(practice, run, tmp_path):
    bad = tmp_path / "tracker.csv"
    bad.write_bytes(b"Task\r\n\x81\x8d\r\n")
    code, out, err = run("import", "tasks", str(bad), "--db", practice.url, "--as", "manager")
    assert code == 1 and out == ""
    assert err.strip().endswith("import that file.") and len(err.strip().splitlines()) == 1


def test_import_fhir_from_the_command_line(practice, run, tmp_path):
    path = tmp_path / "patients.ndjson"
    path.write_text(
        '{"resourceType": "Patient", "identifier": [{"value": "EHR-9"}], '
        '"name": [{"text": "Skyler Fictiv"}]}\n{"resourceType": "Encounter"}\n'
    )
    code, out, _ = run("import", "fhir", str(path), "--db", practice.url)
    lines = out.strip().splitlines()
    assert code == 0
    assert (
        lines[0] == "1 Encounter resource skipped: PracticeBoard imports Patient and "
        "Practitioner only"
    )
    assert lines[-1] == "1 patients created, 0 updated, 0 unchanged, 0 rejected"


def test_import_patients_with_update_existing(practice, run, tmp_path):
    changed = tmp_path / "patients.csv"
    changed.write_text(
        (DATA / "patients.csv").read_text().replace("(555) 013-2411", "(555) 010-0000")
    )
    mapping = tmp_path / "mapping.json"
    mapping.write_text(
        '{"columns": {"MRN": "mrn", "Patient Name": "name", "DOB": "date_of_birth", '
        '"Phone": "phone", "PCP": "provider", "Programs": "programs"}, '
        '"providers": {"dr. provider": "provider"}}'
    )
    args = ("import", "patients", str(changed), "--db", practice.url, "--mapping", str(mapping))
    code, out, _ = run(*args)
    assert out.strip().splitlines()[-1] == "0 created, 60 skipped, 0 errors"
    code, out, _ = run(*args, "--update-existing")
    lines = out.strip().splitlines()
    assert lines[-1] == "0 created, 59 skipped, 0 errors" and "1 updated" in lines
