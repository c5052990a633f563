"""Reports → Weekly aging report: build last week's report in a worker, then preview it
(QPrintPreviewDialog), print it, or save it as a PDF — Qt's own printing throughout."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtPrintSupport import QPrintDialog, QPrinter, QPrintPreviewDialog
from PySide6.QtWidgets import QDialog, QFileDialog, QWidget

from practiceboard.core.clock import now as clock_now
from practiceboard.db.engine import Database
from practiceboard.gui.kit.context import AppContext
from practiceboard.gui.kit.ops import Op
from practiceboard.gui.printing.document import letter_layout, paint, write_pdf
from practiceboard.reports import weekly
from practiceboard.reports.weekly import WeeklyReport


def build_last_week(db: Database, actor) -> WeeklyReport:
    return weekly.build(db, actor, weekly.previous_week(db, clock_now()))


class ReportActions:
    def __init__(self, ctx: AppContext, parent: QWidget):
        self.ctx, self.parent = ctx, parent
        self.dialog: QDialog | None = None  # the open preview (tests look at it)
        self._printer: QPrinter | None = None

    def _with_report(self, then: Callable[[WeeklyReport], None]) -> None:
        Op(self.ctx, build_last_week).success(then).report_to(
            self.parent, "Could not make the report"
        ).run()

    def preview(self) -> None:
        self._with_report(self.show_preview)

    def print(self) -> None:
        self._with_report(self._print)

    def save_pdf(self) -> None:
        self._with_report(self._save)

    @staticmethod
    def printer() -> QPrinter:
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setPageLayout(letter_layout())
        return printer

    def show_preview(self, report: WeeklyReport) -> QPrintPreviewDialog:
        printer = self.printer()
        self._printer = printer  # the dialog does not own it: keep it alive while it is open
        dialog = QPrintPreviewDialog(printer, self.parent)
        dialog.setWindowTitle(f"{report.title} — {report.period}")
        dialog.paintRequested.connect(lambda p: paint(report, p))
        dialog.finished.connect(lambda _r: setattr(self, "dialog", None))
        self.dialog = dialog
        dialog.open()
        return dialog

    def _print(self, report: WeeklyReport) -> None:
        printer = self.printer()
        dialog = QPrintDialog(printer, self.parent)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            paint(report, printer)

    def _save(self, report: WeeklyReport) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self.parent, "Save the weekly aging report", weekly.file_name(report.week),
            "PDF files (*.pdf)",
        )  # fmt: skip
        if path:
            write_pdf(report, Path(path))
