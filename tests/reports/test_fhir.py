"""FHIR R4: the demo practice leaves as a Bundle whose every resource validates with
fhir.resources (R4B models) and whose references all resolve inside it; its patients
come back into an empty database the same; a bad resource is rejected by its index."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime

import pytest
from fhir.resources.R4B import get_fhir_model_class
from fhir.resources.R4B.bundle import Bundle
from sqlalchemy import select

from practiceboard import cli, demo
from practiceboard.core import clock
from practiceboard.core.actor import Actor
from practiceboard.db import audit
from practiceboard.db.engine import Database
from practiceboard.db.models import Patient, User
from practiceboard.domain.errors import PermissionDenied
from practiceboard.queries.fhir import fhir_source
from practiceboard.reports import fhir
from practiceboard.services import fhir_import
from support import make_staff

BUILT_AT = datetime(2026, 3, 4, 17, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def held_clock(clock):
    clock.set(BUILT_AT)
    return clock


@pytest.fixture(scope="module")
def built(tmp_path_factory, sqlite_template):
    root = tmp_path_factory.mktemp("fhir-demo")
    # The template's database id may have its key cached by the test before this module;
    # the demo's key must be written into this module's own home.
    audit._KEY_CACHE.clear()
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("PRACTICEBOARD_HOME", str(root / "home"))
        mp.setattr(clock, "source", lambda: BUILT_AT)
        path = root / "demo.db"
        shutil.copyfile(sqlite_template, path)
        db = Database(f"sqlite:///{path}", workstation="demo-pc")
        demo.generate_demo(db, tasks=150, seed=1)
        db.dispose()
    audit._KEY_CACHE.clear()
    return path, root / "home" / "config" / "audit-keys"


@pytest.fixture
def demo_db(built, tmp_path, pb_home):
    path, keys = built
    copy = tmp_path / "demo.db"
    shutil.copyfile(path, copy)
    shutil.copytree(keys, pb_home / "config" / "audit-keys", dirs_exist_ok=True)
    db = Database(f"sqlite:///{copy}", workstation="test-pc")
    yield db
    db.dispose()


def manager(db: Database) -> Actor:
    with db.read() as s:
        u = s.scalars(select(User).where(User.username == "dwhitcombe")).one()
        return Actor(u.id, u.username, u.display_name, "test-pc")


def test_the_demo_practice_exports_as_a_bundle_that_validates(demo_db):
    data = fhir.bundle(fhir_source(demo_db, manager(demo_db)))
    assert data["type"] == "collection"
    kinds: dict[str, int] = {}
    for entry in data["entry"]:
        res = entry["resource"]
        get_fhir_model_class(res["resourceType"]).model_validate(res)  # raises when invalid
        kinds[res["resourceType"]] = kinds.get(res["resourceType"], 0) + 1
    Bundle.model_validate(json.loads(json.dumps(data)))
    assert set(kinds) == {"Patient", "Practitioner", "CarePlan", "Goal", "Task"}
    # every reference points at an entry of the bundle
    urls = {e["fullUrl"] for e in data["entry"]}
    refs = []

    def walk(node):
        if isinstance(node, dict):
            if "reference" in node and isinstance(node["reference"], str):
                refs.append(node["reference"])
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(data)
    assert refs and set(refs) <= urls
    plan = next(e["resource"] for e in data["entry"] if e["resource"]["resourceType"] == "CarePlan"
                and e["resource"].get("activity"))  # fmt: skip
    assert plan["intent"] == "plan" and plan["goal"]
    task = next(e["resource"] for e in data["entry"] if e["resource"]["resourceType"] == "Task")
    assert task["intent"] == "order" and task["businessStatus"]["text"]


def test_one_patient_and_only_recent_changes(demo_db):
    actor = manager(demo_db)
    with demo_db.read() as s:
        mrn = s.scalars(select(Patient.mrn).order_by(Patient.id)).first()
    one = fhir.bundle(fhir_source(demo_db, actor, mrn=mrn))
    patients = [e for e in one["entry"] if e["resource"]["resourceType"] == "Patient"]
    assert [p["resource"]["identifier"][0]["value"] for p in patients] == [mrn]
    later = fhir_source(demo_db, actor, since=BUILT_AT.date().replace(year=2030))
    assert later.plans == () and later.tasks == ()


def test_an_exported_bundle_comes_back_into_an_empty_database(demo_db, sqlite_db, tmp_path):
    source = fhir_source(demo_db, manager(demo_db))
    path = fhir.write_bundle(fhir.bundle(source), tmp_path / "bundle.json")
    staff = make_staff(sqlite_db)
    result = fhir_import.import_fhir(sqlite_db, staff.manager, path)
    assert result.created == len(source.patients) and result.rejected == []
    assert result.skipped_types.keys() == {"CarePlan", "Goal", "Task"}
    assert len(result.practitioners_unmatched) == 2  # the demo's doctors have no account here
    with sqlite_db.read() as s:
        back = {(p.mrn, p.display_name, p.date_of_birth, p.phone)
                for p in s.scalars(select(Patient))}  # fmt: skip
    assert back == {(p.mrn, p.name, p.date_of_birth, p.phone) for p in source.patients}
    again = fhir_import.import_fhir(sqlite_db, staff.manager, path)
    assert (again.created, again.updated, again.unchanged) == (0, 0, len(source.patients))


def test_ndjson_with_a_bad_resource_names_its_index(sqlite_db, tmp_path):
    staff = make_staff(sqlite_db)
    lines = [
        {"resourceType": "Patient", "identifier": [{"value": "EHR-1"}],
         "name": [{"given": ["Avery"], "family": "Testa"}], "birthDate": "1970-05-06"},
        {"resourceType": "Patient", "identifier": [{"value": "EHR-2"}], "birthDate": "05/06/1970"},
        {"resourceType": "Observation", "status": "final"},
        {"resourceType": "Practitioner", "identifier": [{"system": fhir.USER_SYSTEM,
                                                          "value": "provider"}]},
    ]  # fmt: skip
    path = tmp_path / "export.ndjson"
    path.write_text("\n".join(json.dumps(x) for x in lines))
    result = fhir_import.import_fhir(sqlite_db, staff.manager, path)
    assert result.created == 1 and result.practitioners_matched == 1
    assert [i for i, _ in result.rejected] == [1] and "birthDate" in result.rejected[0][1]
    assert result.skipped_types == {"Observation": 1}
    assert result.lines()[-1] == "1 patients created, 0 updated, 0 unchanged, 1 rejected"


def test_export_needs_export_and_patient_view(sqlite_db):
    staff = make_staff(sqlite_db)
    with pytest.raises(PermissionDenied):
        fhir_source(sqlite_db, staff.front_desk)  # no export
    with pytest.raises(PermissionDenied):
        fhir_source(sqlite_db, staff.admin)  # export, but no patient names


def test_cli_export_writes_the_bundle(demo_db, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("PRACTICEBOARD_PASSWORD", demo.DEMO_PASSWORD)
    out = tmp_path / "bundle.json"
    code = cli.main(["export", "fhir", "--db", demo_db.url, "--out", str(out)])
    said = capsys.readouterr()
    assert code == 0, said.err
    assert said.out.strip().splitlines()[-1] == str(out)
    assert json.loads(out.read_text())["resourceType"] == "Bundle"
