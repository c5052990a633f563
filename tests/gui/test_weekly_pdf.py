"""The weekly aging report on paper: the PDF's text (read back with QtPdf) has each
section and the known fortnight's numbers; the admin's copy has no MRN; the CLI writes
the PDF and the CSVs; print preview opens."""

from __future__ import annotations

import pytest
from PySide6.QtPdf import QPdfDocument

from practiceboard import cli
from practiceboard.gui.printing.document import write_pdf
from practiceboard.reports import weekly
from support import use_new_york, weekly_history
from support.weekly import MRN, THIS


@pytest.fixture
def history(sqlite_db, gui_staff, clock):
    use_new_york(sqlite_db)
    return weekly_history(sqlite_db, gui_staff, clock)


def pdf_text(qapp, path) -> tuple[int, str]:
    doc = QPdfDocument(qapp)
    assert doc.load(str(path)) == QPdfDocument.Error.None_
    pages = doc.pageCount()
    text = "\n".join(doc.getAllText(i).text() for i in range(pages))
    doc.close()
    return pages, " ".join(text.split())


def test_the_pdf_has_every_section_and_the_numbers(qapp, sqlite_db, gui_staff, history, tmp_path):
    report = weekly.build(sqlite_db, gui_staff.manager, THIS)
    path = write_pdf(report, tmp_path / "week.pdf")
    pages, text = pdf_text(qapp, path)
    for n, s in enumerate(report.sections, start=1):
        assert f"{n}. {s.title}" in text
    assert "Jul 7 – Jul 13, 2025 (2025-W28)" in text
    assert "Open at the end of the week 4 3 +1" in text
    assert "Breached the SLA 2 1 +1" in text
    assert "All workflows 0 2 2 0 0 4" in text
    assert MRN in text and "handle per HIPAA" in text
    assert f"Page 1 of {pages}" in text and f"Page {pages} of {pages}" in text
    again = write_pdf(weekly.build(sqlite_db, gui_staff.manager, THIS), tmp_path / "again.pdf")
    assert pdf_text(qapp, again)[0] == pages  # the page count is stable


def test_the_admins_pdf_has_no_mrn(qapp, sqlite_db, gui_staff, history, tmp_path):
    path = write_pdf(weekly.build(sqlite_db, gui_staff.admin, THIS), tmp_path / "admin.pdf")
    _pages, text = pdf_text(qapp, path)
    assert MRN not in text and "HIPAA" not in text
    assert "3. The oldest 25 open items" in text


def test_cli_writes_the_pdf_and_the_csvs(qapp, sqlite_db, gui_staff, history, tmp_path, capsys):
    out, folder = tmp_path / "report.pdf", tmp_path / "csv"
    code = cli.main(["report", "weekly", "--db", sqlite_db.url, "--week", "2025-W28",
                     "--out", str(out), "--csv", str(folder), "--as", "admin"])  # fmt: skip
    printed = capsys.readouterr().out.splitlines()
    assert code == 0 and printed[-1] == str(out)
    assert len(list(folder.glob("2025-W28 *.csv"))) == len(printed) - 1
    _pages, text = pdf_text(qapp, out)
    assert "1. Summary" in text and MRN not in text


def test_cli_says_what_is_missing(sqlite_db, gui_staff, capsys):
    assert cli.main(["report", "weekly", "--db", sqlite_db.url]) == 2
    assert "--out FILE.pdf" in capsys.readouterr().err
    assert cli.main(["report", "weekly", "--db", sqlite_db.url, "--week", "soon",
                     "--csv", "x"]) == 1  # fmt: skip
    assert "2026-W47" in capsys.readouterr().err


def test_the_monday_job_draws_the_pdf_in_a_pool_thread(qapp, sqlite_db, history, tmp_path):
    """As the scheduler runs it: off the GUI thread, with the real PDF writer."""
    from concurrent.futures import ThreadPoolExecutor

    from practiceboard.jobs import weekly_report
    from support import ny

    with ThreadPoolExecutor(1) as pool:
        written = pool.submit(
            weekly_report.run, sqlite_db, write_pdf, at=ny(2025, 7, 14, 7, 1), folder=tmp_path
        ).result(timeout=60)
    assert written.path == tmp_path / "Weekly aging report 2025-W28.pdf"
    _pages, text = pdf_text(qapp, written.path)
    assert "Open at the end of the week 4 3 +1" in text and MRN in text  # a manager's copy
