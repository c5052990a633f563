"""A report on paper: Letter portrait, the report's HTML laid out by QTextDocument,
painted a page at a time with the footer (practice, report, week, the HIPAA line when
patient identifiers are in it) and "Page n of N" on every page."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from PySide6.QtCore import QMarginsF, QRectF, QSizeF, Qt, QUrl
from PySide6.QtGui import (
    QColor,
    QFont,
    QGuiApplication,
    QPagedPaintDevice,
    QPageLayout,
    QPageSize,
    QPainter,
    QPdfWriter,
    QTextDocument,
)

from practiceboard.core.paths import private_file
from practiceboard.gui.printing.charts import render
from practiceboard.reports.weekly import HIPAA, WeeklyReport, to_html

CSS_DPI = 96.0  # QTextDocument lays out in these units
FOOTER = 36.0  # layout units kept free at the foot of each page
MARGINS_MM = QMarginsF(15, 14, 15, 12)


def letter_layout() -> QPageLayout:
    return QPageLayout(
        QPageSize(QPageSize.PageSizeId.Letter), QPageLayout.Orientation.Portrait, MARGINS_MM,
        QPageLayout.Unit.Millimeter,
    )  # fmt: skip


def build_document(report: WeeklyReport) -> QTextDocument:
    doc = QTextDocument()
    doc.setDocumentMargin(0)
    font = QFont()
    font.setPointSizeF(9)
    doc.setDefaultFont(font)
    for key, chart in report.charts.items():
        doc.addResource(QTextDocument.ResourceType.ImageResource, QUrl(f"chart:{key}"),
                        render(chart))  # fmt: skip
    doc.setHtml(to_html(report))
    return doc


def paint(report: WeeklyReport, device: QPagedPaintDevice) -> int:
    """Lay the report out on the device's pages and paint it; returns the page count."""
    doc = build_document(report)
    dpi = device.resolution()
    rect = device.pageLayout().paintRectPixels(dpi)
    scale = dpi / CSS_DPI
    page_w, page_h = rect.width() / scale, rect.height() / scale
    body_h = page_h - FOOTER
    doc.setPageSize(QSizeF(page_w, body_h))
    pages = doc.pageCount()
    painter = QPainter(device)
    try:
        painter.scale(scale, scale)
        small = QFont(doc.defaultFont())
        small.setPixelSize(10)  # layout units (7.5 pt), which the painter scales
        bold = QFont(small)
        bold.setBold(True)
        for page in range(pages):
            if page:
                device.newPage()
            painter.save()
            painter.translate(0, -page * body_h)
            doc.drawContents(painter, QRectF(0, page * body_h, page_w, body_h))
            painter.restore()
            painter.setPen(QColor("#c3ccd6"))
            painter.drawLine(0, int(body_h + 6), int(page_w), int(body_h + 6))
            painter.setFont(small)
            painter.setPen(QColor("#52606d"))
            line = (FOOTER - 8) / 2
            first = QRectF(0, body_h + 8, page_w * 0.75, line)
            painter.drawText(first, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                             report.footer_title)  # fmt: skip
            painter.drawText(QRectF(page_w * 0.75, body_h + 8, page_w * 0.25, line),
                             Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                             f"Page {page + 1} of {pages}")  # fmt: skip
            if report.has_patients:
                painter.setFont(bold)
                painter.setPen(QColor("#9b1c1c"))
                painter.drawText(QRectF(0, body_h + 8 + line, page_w, line),
                                 Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                                 HIPAA)  # fmt: skip
    finally:
        painter.end()
    return pages


def write_pdf(report: WeeklyReport, path: Path) -> Path:
    """Save the report as a PDF (written to a temporary name first, so a half-written
    file never sits in a shared reports folder)."""
    path = Path(path)
    path.parent.mkdir(parents=True, mode=0o700, exist_ok=True)
    partial = private_file(path.with_name(path.name + ".part"))  # this user's only
    writer = QPdfWriter(str(partial))
    writer.setResolution(300)
    writer.setPageLayout(letter_layout())
    writer.setTitle(f"{report.title} {report.week.label}")
    writer.setCreator("PracticeBoard")
    paint(report, writer)
    del writer  # closes the file
    os.replace(partial, path)
    return path


def ensure_app() -> QGuiApplication:
    """Text layout needs a QGuiApplication; the CLI and the scheduler's job run without
    a window, so one is made, off-screen where there is no display to open."""
    app = QGuiApplication.instance()
    if app is None:
        if _headless() and not os.environ.get("QT_QPA_PLATFORM"):
            os.environ["QT_QPA_PLATFORM"] = "offscreen"
        app = QGuiApplication(["practiceboard"])
    return app  # type: ignore[return-value]


def _headless() -> bool:
    """No display to talk to: only on Linux and BSDs (Windows and macOS always have one)."""
    if sys.platform.startswith(("win", "darwin")):
        return False
    return not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
