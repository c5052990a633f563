"""Bar charts drawn with QPainter into an image, for printed reports (on screen the
dashboard uses QtCharts). Horizontal bars: long workflow and people names stay readable."""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QImage, QPainter

from practiceboard.reports.weekly import Chart

# Calm to alarming: the aging buckets read left to right, young to old.
PALETTE = ("#5b9bd5", "#70ad47", "#ffc000", "#ed7d31", "#c00000", "#7f7f7f")
TWO = ("#5b9bd5", "#c00000")


def colours(chart: Chart) -> tuple[str, ...]:
    return TWO if len(chart.series) == 2 else PALETTE


def render(chart: Chart, width: int = 1280, scale: float = 2.0) -> QImage:
    """The chart as an image ``width`` pixels wide (``scale`` pixels per point of text)."""
    font = QFont()
    font.setPointSizeF(8.5 * scale / 1.33)
    fm = QFontMetricsF(font)
    row_h = fm.height() * 1.6
    title_h = fm.height() * 1.8
    legend_h = fm.height() * 1.6 if len(chart.series) > 1 else 0.0
    height = int(title_h + legend_h + row_h * max(1, len(chart.categories)) + fm.height())
    image = QImage(width, height, QImage.Format.Format_ARGB32)
    image.fill(QColor("white"))
    p = QPainter(image)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.setFont(font)
    bold = QFont(font)
    bold.setBold(True)
    p.setFont(bold)
    p.setPen(QColor("#12355b"))
    p.drawText(QRectF(0, 0, width, title_h), Qt.AlignmentFlag.AlignVCenter, chart.title)
    p.setFont(font)
    palette = colours(chart)
    x = 0.0
    for i, (name, _values) in enumerate(chart.series if legend_h else ()):
        p.fillRect(QRectF(x, title_h + fm.height() * 0.3, fm.height(), fm.height() * 0.8),
                   QColor(palette[i % len(palette)]))  # fmt: skip
        p.setPen(QColor("#3e4c59"))
        p.drawText(QRectF(x + fm.height() * 1.3, title_h, width, legend_h),
                   Qt.AlignmentFlag.AlignVCenter, name)  # fmt: skip
        x += fm.height() * 2 + fm.horizontalAdvance(name)
    label_w = min(width * 0.34, max((fm.horizontalAdvance(c) for c in chart.categories),
                                    default=0) + fm.height())  # fmt: skip
    value_w = fm.horizontalAdvance("00000") + fm.height()
    bar_w = width - label_w - value_w
    totals = [sum(s[1][i] for s in chart.series) for i in range(len(chart.categories))]
    peak = max(totals, default=0) or 1
    top = title_h + legend_h
    for row, category in enumerate(chart.categories):
        y = top + row * row_h
        p.setPen(QColor("#1f2933"))
        text = fm.elidedText(category, Qt.TextElideMode.ElideRight, label_w - fm.height() * 0.5)
        p.drawText(QRectF(0, y, label_w - fm.height() * 0.5, row_h),
                   Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight, text)  # fmt: skip
        x = label_w
        for i, (_name, values) in enumerate(chart.series):
            w = bar_w * values[row] / peak
            if w > 0:
                p.fillRect(QRectF(x, y + row_h * 0.18, w, row_h * 0.64),
                           QColor(palette[i % len(palette)]))  # fmt: skip
            x += w
        p.setPen(QColor("#3e4c59"))
        p.drawText(QRectF(x + fm.height() * 0.3, y, value_w, row_h),
                   Qt.AlignmentFlag.AlignVCenter, str(totals[row]))  # fmt: skip
    p.setPen(QColor("#c3ccd6"))
    p.drawLine(int(label_w), int(top), int(label_w), int(top + row_h * len(chart.categories)))
    p.end()
    return image
