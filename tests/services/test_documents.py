"""Documents on tasks, on both engines: attach (type by signature, size limit, SHA-256,
chunks), references, open and save (audited with the patient, checked against the
fingerprint), removal (soft), the patient rule, and the records-pending offer."""

from __future__ import annotations

import hashlib
import io
import zipfile
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select, update

from practiceboard.db.models import DocumentChunk, Setting, TaskDocument
from practiceboard.domain.errors import NotFound, PermissionDenied, ValidationError
from practiceboard.queries.documents import database_size, task_documents
from practiceboard.services import documents
from support import add_patient, audit_rows, make_task, move, reason_id, task_row

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"


def pdf_file(tmp_path, name="records.pdf", size=None):
    path = tmp_path / name
    body = PDF if size is None else PDF + b"0" * (size - len(PDF))
    path.write_bytes(body)
    return path


def docx_bytes(macros=False) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
        if macros:
            z.writestr("word/vbaProject.bin", b"\x00")
    return buf.getvalue()


def set_limit(db, mb: int) -> None:
    with db.write() as s:
        s.merge(Setting(key="document_max_mb", value=mb, updated_at=datetime.now(UTC)))


def patient_task(db, staff) -> int:
    pid = add_patient(db, "MRN-D1", "Test Patient")
    return make_task(db, staff.front_desk, "referral", "Cardiology referral", patient_id=pid)


def test_attach_keeps_the_file_in_chunks_with_its_sha256_and_audits_with_the_patient(
    db, staff, clock, tmp_path
):
    task = patient_task(db, staff)
    big = pdf_file(tmp_path, size=documents.CHUNK * 2 + 10)

    saved = documents.attach_file(db, staff.front_desk, task, big, label="Referral letter")

    assert saved.sha256 == hashlib.sha256(big.read_bytes()).hexdigest()
    assert saved.content_type == "application/pdf" and saved.size == big.stat().st_size
    with db.read() as s:
        assert s.scalar(select(func.count()).where(DocumentChunk.document_id == saved.id)) == 3
    assert task_row(db, task).document_count == 1
    (row,) = audit_rows(db, "document.attach")
    assert row.patient_id is not None and row.category == "patient"
    (listed,) = task_documents(db, staff.front_desk, task)
    assert (listed.label, listed.kind_words, listed.added_by) == (
        "Referral letter", "PDF", "Fran Front",
    )  # fmt: skip


def test_type_comes_from_the_bytes_not_the_name(db, staff, clock, tmp_path):
    task = make_task(db, staff.front_desk, "referral", "Referral")
    renamed = tmp_path / "letter.txt"
    renamed.write_bytes(PDF)
    word = tmp_path / "consult.bin"
    word.write_bytes(docx_bytes())

    assert documents.attach_file(db, staff.front_desk, task, renamed).content_type == (
        "application/pdf"
    )
    assert (
        "wordprocessingml" in documents.attach_file(db, staff.front_desk, task, word).content_type
    )


@pytest.mark.parametrize(
    ("name", "body", "says"),
    [
        ("scan.pdf", b"MZ\x90\x00" + b"\x00" * 100, "Windows program"),
        ("notes.txt", b"#!/bin/sh\nrm -rf /\n", "script"),
        ("fix.bat", b"@echo off\r\ndel *.*\r\n", "would run as a program"),
        ("letter.docx", docx_bytes(macros=True), "macros"),
        ("bundle.zip", b"PK\x03\x04" + b"\x00" * 40, "zip archive"),
        ("page.pdf", b"<html><script>alert(1)</script></html>", "not a kind of document"),
        ("empty.pdf", b"", "empty"),
    ],
)
def test_programs_scripts_and_unknown_files_are_refused_with_a_sentence(
    db, staff, clock, tmp_path, name, body, says
):
    task = make_task(db, staff.front_desk, "referral", "Referral")
    path = tmp_path / name
    path.write_bytes(body)
    with pytest.raises(ValidationError, match=says):
        documents.attach_file(db, staff.front_desk, task, path)
    assert task_row(db, task).document_count == 0
    assert task_documents(db, staff.front_desk, task) == []


def test_size_limit_is_a_setting(db, staff, clock, tmp_path):
    task = make_task(db, staff.front_desk, "referral", "Referral")
    set_limit(db, 1)
    with pytest.raises(ValidationError, match="files up to 1 MB"):
        documents.attach_file(db, staff.front_desk, task, pdf_file(tmp_path, size=1_100_000))
    set_limit(db, 2)
    assert documents.attach_file(db, staff.front_desk, task, pdf_file(tmp_path, size=1_100_000))


def test_open_and_save_write_the_bytes_and_are_audited(db, staff, clock, tmp_path):
    task = patient_task(db, staff)
    src = pdf_file(tmp_path, size=600_000)
    doc = documents.attach_file(db, staff.front_desk, task, src).id
    out = tmp_path / "out"
    out.mkdir()

    documents.write_out(db, staff.clinical, doc, out / "a.pdf", purpose="open")
    documents.write_out(db, staff.front_desk, doc, out / "b.pdf", purpose="save")

    assert (out / "a.pdf").read_bytes() == src.read_bytes() == (out / "b.pdf").read_bytes()
    (opened,) = audit_rows(db, "document.open")
    (saved,) = audit_rows(db, "document.save")
    assert opened.username == "clinical" and opened.patient_id is not None
    assert saved.username == "frontdesk" and saved.outcome == "success"


def test_a_damaged_document_is_not_opened(db, staff, clock, tmp_path):
    task = make_task(db, staff.front_desk, "referral", "Referral")
    doc = documents.attach_file(db, staff.front_desk, task, pdf_file(tmp_path)).id
    with db.write() as s:
        s.execute(update(DocumentChunk).values(data=b"%PDF-tampered"))
    with pytest.raises(ValidationError, match="fingerprint"):
        documents.write_out(db, staff.front_desk, doc, tmp_path / "x.pdf")
    assert not (tmp_path / "x.pdf").exists()


def test_a_role_that_may_not_see_the_patient_may_not_open_its_documents(db, staff, clock, tmp_path):
    task = patient_task(db, staff)
    doc = documents.attach_file(db, staff.front_desk, task, pdf_file(tmp_path)).id

    with pytest.raises(PermissionDenied, match="patient"):
        documents.write_out(db, staff.admin, doc, tmp_path / "x.pdf")  # admin: no patient.view

    assert not (tmp_path / "x.pdf").exists()
    (denied,) = audit_rows(db, "document.open")
    assert denied.outcome == "denied" and denied.patient_id is not None
    (hidden,) = task_documents(db, staff.admin, task)
    assert hidden.hidden and hidden.label is None and hidden.filename is None


def test_a_role_off_the_workflow_may_neither_attach_nor_list(db, staff, clock, tmp_path):
    task = make_task(db, staff.front_desk, "referral", "Referral")
    with pytest.raises(PermissionDenied):
        documents.attach_file(db, staff.billing, task, pdf_file(tmp_path))
    with pytest.raises(PermissionDenied):
        task_documents(db, staff.billing, task)
    assert audit_rows(db, "document.attach")[0].outcome == "denied"


def test_reference_and_soft_removal(db, staff, clock, tmp_path):
    task = make_task(db, staff.front_desk, "referral", "Referral")
    ref = documents.add_reference(
        db, staff.front_desk, task, label="Denial letter", reference="\\\\server\\scans\\d1.pdf"
    )
    file = documents.attach_file(db, staff.front_desk, task, pdf_file(tmp_path)).id
    assert task_row(db, task).document_count == 2
    with pytest.raises(ValidationError, match="kept elsewhere"):
        documents.write_out(db, staff.front_desk, ref.id, tmp_path / "r")
    with pytest.raises(ValidationError, match="Say where"):
        documents.add_reference(db, staff.front_desk, task, label="x", reference="  ")

    documents.remove_document(db, staff.front_desk, file)

    assert [d.label for d in task_documents(db, staff.front_desk, task)] == ["Denial letter"]
    assert task_row(db, task).document_count == 1
    with db.read() as s:  # kept for the audit
        assert s.get(TaskDocument, file).removed_by_id == staff.front_desk.user_id
    with pytest.raises(NotFound):
        documents.write_out(db, staff.front_desk, file, tmp_path / "gone.pdf")
    assert audit_rows(db, "document.remove")[0].outcome == "success"


def test_only_the_adder_the_owner_or_a_manager_removes(db, staff, clock, tmp_path):
    task = make_task(db, staff.front_desk, "referral", "Referral")
    doc = documents.attach_file(db, staff.front_desk, task, pdf_file(tmp_path)).id
    with pytest.raises(PermissionDenied, match="Only whoever attached"):
        documents.remove_document(db, staff.clinical, doc)
    documents.remove_document(db, staff.manager, doc)


def test_attaching_to_a_task_waiting_on_records_offers_the_next_step(db, staff, clock, tmp_path):
    task = make_task(db, staff.front_desk, "referral", "Referral")
    move(db, staff.front_desk, task, "waiting_records", reason=("waiting", "records_pending"))
    assert reason_id(db, "waiting", "records_pending")

    saved = documents.attach_file(db, staff.front_desk, task, pdf_file(tmp_path))

    assert saved.was_waiting_on_records
    step = documents.next_step_after_records(db, staff.front_desk, task)
    assert step is not None and step.to_status_name == "Ready to schedule"


def test_database_size_counts_document_bytes(db, staff, clock, tmp_path):
    task = make_task(db, staff.front_desk, "referral", "Referral")
    before, docs_before = database_size(db)
    documents.attach_file(db, staff.front_desk, task, pdf_file(tmp_path, size=300_000))
    after, docs_after = database_size(db)
    assert docs_before == 0 and docs_after == 300_000
    assert after >= before and after > 300_000


def test_a_records_request_waiting_on_its_sender_is_offered_received(db, staff, clock, tmp_path):
    task = make_task(db, staff.front_desk, "records", "Discharge summary",
                     extra={"records_from": "General Hospital"})  # fmt: skip
    move(db, staff.front_desk, task, "requested")
    move(db, staff.front_desk, task, "waiting_sender", reason=("waiting", "records_pending"))

    saved = documents.attach_file(db, staff.front_desk, task, pdf_file(tmp_path))

    assert saved.was_waiting_on_records
    step = documents.next_step_after_records(db, staff.front_desk, task)
    assert step is not None and step.to_status_name == "Received"
