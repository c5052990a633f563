"""A chart card of the dashboard: a title whose tooltip says how the numbers are
counted, a QtCharts bar chart whose bars say which tasks they stand for (``clicked``),
and the chart's data as CSV."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCharts import (
    QBarCategoryAxis,
    QBarSeries,
    QBarSet,
    QChart,
    QChartView,
    QHorizontalBarSeries,
    QHorizontalStackedBarSeries,
    QValueAxis,
)
from PySide6.QtCore import QMargins, Qt, Signal
from PySide6.QtGui import QColor, QCursor, QFont, QPainter
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QToolButton,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from practiceboard.gui.kit import theme
from practiceboard.gui.kit.tooltips import plain_tip
from practiceboard.reports.csvfile import write_csv

AGING_COLOURS = ("#5b9bd5", "#70ad47", "#ffc000", "#ed7d31", "#c00000")
PAIR_COLOURS = ("#5b9bd5", "#c05746")
SINGLE = ("#2b6cb0",)


class ChartCard(QFrame):
    """``clicked(series_index, category_index)`` when a bar is clicked."""

    clicked = Signal(int, int)
    export_requested = Signal(str)

    def __init__(self, key: str, title: str, definition: str, parent: QWidget | None = None,
                 *, horizontal: bool = True, stacked: bool = False) -> None:  # fmt: skip
        super().__init__(parent)
        self.key, self.horizontal, self.stacked = key, horizontal, stacked
        self.setObjectName(f"chart_{key}")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setStyleSheet(
            f"QFrame#chart_{key} {{ background: {theme.SURFACE}; border: 1px solid "
            f"{theme.BORDER}; border-radius: 6px; }}"
        )
        self.categories: tuple[str, ...] = ()
        self.series_names: tuple[str, ...] = ()
        self.values: tuple[tuple[int, ...], ...] = ()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        top = QHBoxLayout()
        self.title = QLabel(title, self, objectName=f"chartTitle_{key}")
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        bold = QFont(self.title.font())
        bold.setBold(True)
        self.title.setFont(bold)
        self.title.setToolTip(definition)
        self.setToolTip(definition)
        top.addWidget(self.title, 1)
        self.export = QToolButton(self, objectName=f"export_{key}")
        self.export.setText("CSV…")
        self.export.setToolTip("Save this chart's numbers as a CSV file")
        self.export.clicked.connect(lambda: self.export_requested.emit(self.key))
        top.addWidget(self.export)
        layout.addLayout(top)
        self.chart = QChart()
        self.chart.setBackgroundBrush(QColor(theme.SURFACE))
        self.chart.setBackgroundRoundness(0)
        self.chart.setMargins(QMargins(0, 0, 0, 0))
        self.chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
        self.view = QChartView(self.chart, self)
        self.view.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.view.setFixedHeight(220)
        layout.addWidget(self.view, 1)
        self.empty = QLabel("Nothing to show for this period.", self)
        self.empty.setProperty("kind", "muted")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.hide()
        layout.addWidget(self.empty)

    def set_data(self, categories: Sequence[str], series: Sequence[tuple[str, Sequence[int]]],
                 colours: Sequence[str] = SINGLE) -> None:  # fmt: skip
        """Bars: one set per series, a value per category (in category order)."""
        self.categories = tuple(categories)
        self.series_names = tuple(name for name, _ in series)
        self.values = tuple(tuple(int(v) for v in values) for _, values in series)
        self.chart.removeAllSeries()
        for axis in self.chart.axes():
            self.chart.removeAxis(axis)
        has_data = bool(self.categories) and any(any(v) for v in self.values)
        self.view.setVisible(has_data)
        self.empty.setVisible(not has_data)
        if not has_data:
            return
        if self.horizontal:
            kind = QHorizontalStackedBarSeries if self.stacked else QHorizontalBarSeries
            # Qt draws the first category at the bottom: reverse so the list reads down.
            cats = list(reversed(self.categories))
            order = list(reversed(range(len(self.categories))))
        else:
            kind, cats, order = QBarSeries, list(self.categories), list(range(len(self.categories)))
        bars = kind()
        bars.setLabelsVisible(self.horizontal and not self.stacked)
        for index, (name, values) in enumerate(zip(self.series_names, self.values, strict=True)):
            bar_set = QBarSet(name)
            bar_set.setColor(QColor(colours[index % len(colours)]))
            bar_set.setBorderColor(QColor(colours[index % len(colours)]))
            bar_set.append([values[i] for i in order])
            bar_set.clicked.connect(lambda pos, s=index, o=order: self.clicked.emit(s, o[pos]))
            bar_set.hovered.connect(lambda on, pos, s=index, o=order: self._hover(on, s, o[pos]))
            bars.append(bar_set)
        self.chart.addSeries(bars)
        cat_axis = QBarCategoryAxis()
        cat_axis.append(cats)
        cat_axis.setTruncateLabels(False)
        value_axis = QValueAxis()
        value_axis.setLabelFormat("%d")
        per = [[v[i] for v in self.values] for i in range(len(self.categories))]
        peak = max(sum(p) if self.stacked else max(p) for p in per)
        value_axis.setRange(0, max(1, peak))
        value_axis.applyNiceNumbers()
        value_axis.setLabelFormat("%d")
        if self.horizontal:
            self.chart.addAxis(cat_axis, Qt.AlignmentFlag.AlignLeft)
            self.chart.addAxis(value_axis, Qt.AlignmentFlag.AlignBottom)
        else:
            self.chart.addAxis(cat_axis, Qt.AlignmentFlag.AlignBottom)
            self.chart.addAxis(value_axis, Qt.AlignmentFlag.AlignLeft)
        bars.attachAxis(cat_axis)
        bars.attachAxis(value_axis)
        self.chart.legend().setVisible(len(self.series_names) > 1)
        rows = len(self.categories) if self.horizontal else 8
        self.view.setFixedHeight(min(420, max(220, 28 * rows + 90)))

    def _hover(self, on: bool, series: int, category: int) -> None:
        if not on:
            QToolTip.hideText()
            return
        name = self.series_names[series]
        n = self.values[series][category]
        what = f"{self.categories[category]} — {name}" if len(self.series_names) > 1 else \
            self.categories[category]  # fmt: skip
        QToolTip.showText(QCursor.pos(), plain_tip(f"{what}: {n}. Click to see these tasks."),
                          self.view)  # fmt: skip

    def rows(self) -> list[tuple]:
        return [(c, *(v[i] for v in self.values)) for i, c in enumerate(self.categories)]

    def write_csv(self, path: Path) -> Path:
        return write_csv(path, ("", *self.series_names), self.rows())
