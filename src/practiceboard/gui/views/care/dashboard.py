"""The care dashboard: overdue follow-ups by program and by owner, due today and this
week, patients by risk with an overdue item, completion rate by task type and the
backlog's last 12 weeks — as numbers and simple charts (QtCharts). Each number and
each bar opens the list behind it below; the list exports as CSV (for roles with the
export capability)."""

from __future__ import annotations

import csv
import io
from functools import partial

from PySide6.QtCharts import (
    QBarCategoryAxis,
    QBarSeries,
    QBarSet,
    QChart,
    QChartView,
    QHorizontalBarSeries,
    QLineSeries,
    QValueAxis,
)
from PySide6.QtCore import QDateTime, QMargins, Qt, Signal
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import (
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from practiceboard.core.paths import private_file
from practiceboard.domain.policy import Cap
from practiceboard.gui.kit import theme
from practiceboard.gui.kit.change import Kind
from practiceboard.gui.kit.context import AppContext
from practiceboard.gui.kit.errors import SOMETHING_WRONG
from practiceboard.gui.kit.ops import Op
from practiceboard.gui.kit.stale import RefreshWhenShown
from practiceboard.gui.views.care.table import Column, RowsTable, day, label
from practiceboard.queries import care_dashboard as dash
from practiceboard.queries.care_dashboard import CareDashboard, CareTaskRow

SHOWN = (Kind.TASK, Kind.CARE_PLAN, Kind.USER)
TOP = 8  # bars per chart

LIST_COLUMNS = (
    Column("Due", lambda r: day(r.due_date), 10),
    Column("Task", lambda r: r.title, 24),
    Column("Patient", lambda r: f"{r.mrn} · {r.patient_name}" if r.mrn else "", 0, patient=True),
    Column("Program", lambda r: r.program_name, 20),
    Column("Owner", lambda r: r.owner_name, 16),
    Column("Status", lambda r: r.status_name, 11),
    Column("Ref", lambda r: r.ref, 11),
)
CSV_HEADER = ("ref", "title", "mrn", "patient", "program", "owner", "status", "due", "closed")


def rows_as_csv(rows: list[CareTaskRow]) -> str:
    """The list as CSV text (spreadsheet-safe: a leading = + - @ is quoted away)."""

    def safe(value) -> str:
        text = "" if value is None else str(value)
        return "'" + text if text[:1] in ("=", "+", "-", "@") else text

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for r in rows:
        writer.writerow([safe(v) for v in (r.ref, r.title, r.mrn, r.patient_name, r.program_name,
                                           r.owner_name, r.status_name, r.due_date,
                                           "yes" if r.closed else "no")])  # fmt: skip
    return out.getvalue()


def _count_axis(top: int) -> QValueAxis:
    """A value axis of whole numbers from 0 to a little above ``top``."""
    axis = QValueAxis()
    axis.setLabelFormat("%d")
    step = max(1, -(-top // 5))  # at most six ticks, whole numbers
    ticks = -(-(top + 1) // step)
    axis.setRange(0, ticks * step)
    axis.setTickCount(ticks + 1)
    return axis


def _chart(title: str) -> QChart:
    chart = QChart()
    chart.setTitle(title)
    chart.legend().hide()
    chart.setMargins(QMargins(4, 4, 4, 4))
    chart.setBackgroundRoundness(4)
    return chart


class CareDashboardView(RefreshWhenShown, QWidget):
    shown_kinds = SHOWN
    task_activated = Signal(int)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("careDashboardView")
        self.board: CareDashboard | None = None
        self.figure: tuple[str, str | None] | None = None
        self.rows: list[CareTaskRow] = []
        self._ticket = 0
        self._stale = False
        outer = QVBoxLayout(self)
        outer.setContentsMargins(12, 12, 12, 12)
        self.heading = label("Care plans — what is at risk", self, "heading", "careHeading")
        outer.addWidget(self.heading)
        self.problem = label("", self, "error", "careProblem")
        self.problem.hide()
        outer.addWidget(self.problem)
        tiles = QHBoxLayout()
        self.tiles: dict[str, QPushButton] = {}
        captions = [("overdue", "overdue follow-ups"), ("due_today", "due today"),
                    ("due_week", "due this week"), ("backlog", "backlog today")]  # fmt: skip
        for key, caption in captions:
            button = QPushButton(f"–\n{caption}", self, objectName=f"tile_{key}")
            button.setProperty("caption", caption)
            button.setMinimumHeight(self.fontMetrics().height() * 4)
            font = button.font()
            font.setPointSizeF(font.pointSizeF() * 1.3)
            button.setFont(font)
            button.clicked.connect(partial(self.open_figure, key, None))
            tiles.addWidget(button)
            self.tiles[key] = button
        outer.addLayout(tiles)

        split = QSplitter(Qt.Orientation.Vertical, self)
        charts = QWidget(split)
        grid = QGridLayout(charts)
        grid.setContentsMargins(0, 0, 0, 0)
        self.views: dict[str, QChartView] = {}
        for i, key in enumerate(("program", "owner", "risk", "completion", "backlog")):
            view = QChartView(_chart(""), charts)
            view.setRenderHint(QPainter.RenderHint.Antialiasing)
            view.setMinimumHeight(190)
            view.setObjectName(f"chart_{key}")
            grid.addWidget(view, i // 3, i % 3, 1, 1 if i < 3 else (1 if i == 3 else 2))
            self.views[key] = view
        split.addWidget(charts)

        listing = QWidget(split)
        lay = QVBoxLayout(listing)
        lay.setContentsMargins(0, 0, 0, 0)
        bar = QHBoxLayout()
        self.list_heading = label("Pick a number or a bar to see its tasks.", listing,
                                  "heading", "figureHeading")  # fmt: skip
        bar.addWidget(self.list_heading, 1)
        self.export_button = QPushButton("Export CSV…", listing, objectName="exportCsv")
        self.export_button.clicked.connect(self.export_csv)
        self.export_button.setVisible(ctx.can(Cap.EXPORT))
        self.export_button.setEnabled(False)
        bar.addWidget(self.export_button)
        lay.addLayout(bar)
        self.table = RowsTable(LIST_COLUMNS, lambda r: r.id, listing)
        self.table.setObjectName("figureTasks")
        self.table.activated_id.connect(self.task_activated)
        lay.addWidget(self.table, 1)
        split.addWidget(listing)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        outer.addWidget(split, 1)
        ctx.signals.data_changed.connect(self._data_changed)
        self.refresh()

    # ---------------------------------------------------------------- the contract

    def refresh(self) -> None:
        self._stale = False
        self._ticket += 1
        Op(self.ctx, dash.care_dashboard).success(partial(self._arrived, self._ticket)).failure(
            partial(self._failed, self._ticket)
        ).fallback(SOMETHING_WRONG).run()
        if self.figure is not None:
            self.open_figure(*self.figure)

    def current_task_id(self) -> int | None:
        return self.table.current_id()

    def _failed(self, ticket: int, _exc: Exception, text: str) -> None:
        if ticket == self._ticket:
            self.problem.setText(f"Could not load the care dashboard. {text}")
            self.problem.show()

    # ---------------------------------------------------------------- figures

    def _arrived(self, ticket: int, board: CareDashboard) -> None:
        if ticket != self._ticket:
            return
        self.problem.hide()
        self.board = board
        backlog_now = board.backlog[-1][1] if board.backlog else 0
        for key, n in [("overdue", board.overdue_total), ("due_today", board.due_today),
                       ("due_week", board.due_this_week), ("backlog", backlog_now)]:  # fmt: skip
            tile = self.tiles[key]
            tile.setText(f"{n}\n{tile.property('caption')}")
        self._bars("program", "Overdue follow-ups by program", board.overdue_by_program,
                   "overdue_program", horizontal=True)  # fmt: skip
        self._bars("owner", "Overdue follow-ups by owner", board.overdue_by_owner,
                   "overdue_owner", horizontal=True)  # fmt: skip
        self._bars("risk", "Patients with an overdue item, by risk", board.risk_with_overdue,
                   "risk")  # fmt: skip
        self._completion(board)
        self._backlog(board)

    def _bars(self, name: str, title: str, rows, figure: str, horizontal=False) -> None:
        rows = list(rows)[:TOP]
        chart = _chart(title if rows else f"{title}: none")
        bars = QBarSet(title)
        bars.setColor(QColor(theme.BADGE_COLORS["overdue"] if figure != "risk" else theme.ACCENT))
        for r in rows:
            bars.append(r.count)
        series = QHorizontalBarSeries() if horizontal else QBarSeries()
        series.append(bars)
        series.setLabelsVisible(True)
        chart.addSeries(series)
        names = QBarCategoryAxis()
        names.append([r.label for r in rows])
        values = _count_axis(max([r.count for r in rows] + [1]))
        left, bottom = Qt.AlignmentFlag.AlignLeft, Qt.AlignmentFlag.AlignBottom
        category_side, value_side = (left, bottom) if horizontal else (bottom, left)
        chart.addAxis(names, category_side)
        chart.addAxis(values, value_side)
        series.attachAxis(names)
        series.attachAxis(values)
        keys = [r.key for r in rows]
        bars.clicked.connect(lambda i: self.open_figure(figure, keys[i]))
        self._set_chart(name, chart, bars)

    def _completion(self, board: CareDashboard) -> None:
        rows = list(board.completion)[:5]
        title = f"Completion by task type, last {dash.COMPLETION_DAYS} days (%)"
        chart = _chart(title if rows else f"{title}: nothing due")
        bars = QBarSet("done %")
        bars.setColor(QColor(theme.CATEGORY_COLORS["done"]))
        for r in rows:
            bars.append(round(100 * r.rate))
        series = QHorizontalBarSeries()
        series.append(bars)
        series.setLabelsVisible(True)
        series.setLabelsFormat("@value%")
        chart.addSeries(series)
        names = QBarCategoryAxis()
        names.append([r.key if len(r.key) <= 18 else r.key[:17] + "…" for r in rows])
        small = names.labelsFont()
        small.setPointSizeF(small.pointSizeF() * 0.85)
        names.setLabelsFont(small)
        values = QValueAxis()
        values.setRange(0, 100)
        values.setTickCount(6)
        values.setLabelFormat("%d")
        chart.addAxis(names, Qt.AlignmentFlag.AlignLeft)
        chart.addAxis(values, Qt.AlignmentFlag.AlignBottom)
        series.attachAxis(names)
        series.attachAxis(values)
        keys = [r.key for r in rows]
        bars.clicked.connect(lambda i: self.open_figure("completion", keys[i]))
        self._set_chart("completion", chart, bars)

    def _backlog(self, board: CareDashboard) -> None:
        chart = _chart("Backlog (open, due) at each week's end, last 12 weeks")
        line = QLineSeries()
        line.setPointsVisible(True)
        line.setColor(QColor(theme.ACCENT))
        names = QBarCategoryAxis()
        for i, (_d, n) in enumerate(board.backlog):
            line.append(i, n)
        names.append([f"{d:%m/%d}" for d, _n in board.backlog])
        chart.addSeries(line)
        values = _count_axis(max([n for _d, n in board.backlog] + [1]))
        chart.addAxis(names, Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(values, Qt.AlignmentFlag.AlignLeft)
        line.attachAxis(names)
        line.attachAxis(values)
        line.clicked.connect(lambda _p: self.open_figure("backlog", None))
        self._set_chart("backlog", chart, line)

    def _set_chart(self, name: str, chart: QChart, series_or_set) -> None:
        old = self.views[name].chart()
        self.views[name].setChart(chart)
        setattr(self, f"{name}_series", series_or_set)  # tests click the bars through this
        old.deleteLater()

    # ---------------------------------------------------------------- the list behind

    TITLES = {
        "overdue": "Overdue follow-ups", "overdue_program": "Overdue follow-ups — {}",
        "overdue_owner": "Overdue follow-ups owned by {}", "due_today": "Due today",
        "due_week": "Due this week", "risk": "Overdue items of {}-risk plans",
        "completion": "“{}” due in the last 30 days", "backlog": "Backlog today (open, due)",
    }  # fmt: skip

    def _label_of(self, figure: str, key: str | None) -> str:
        if self.board is None or key is None:
            return key or ""
        pool = {"overdue_program": self.board.overdue_by_program,
                "overdue_owner": self.board.overdue_by_owner}.get(figure, ())  # fmt: skip
        return next((r.label for r in pool if r.key == key), key)

    def open_figure(self, figure: str, key: str | None) -> None:
        self.figure = (figure, key)
        title = self.TITLES[figure].format(self._label_of(figure, key))
        self.list_heading.setText(title)
        Op(self.ctx, dash.figure_tasks, figure, key).success(
            partial(self._list_arrived, title)
        ).report_to(self, "Could not load the list").run()

    def _list_arrived(self, title: str, rows: list[CareTaskRow]) -> None:
        self.rows = rows
        self.table.set_rows(rows)
        self.list_heading.setText(f"{title} ({len(rows)})")
        self.export_button.setEnabled(bool(rows))

    def export_csv(self) -> None:
        if not self.rows:
            return
        stamp = QDateTime.currentDateTime().toString("yyyyMMdd-HHmm")
        path, _ = QFileDialog.getSaveFileName(
            self, "Export the list", f"care-{self.figure[0]}-{stamp}.csv", "CSV files (*.csv)"
        )
        if path:
            self.write_csv(path)

    def write_csv(self, path: str) -> None:
        """Read the list again through the audited export, then write the file."""
        Op(self.ctx, dash.export_tasks, *self.figure).success(partial(self._write, path)).report_to(
            self, "Not exported"
        ).run()

    def _write(self, path: str, rows: list[CareTaskRow]) -> None:
        try:
            private_file(path)  # patient rows: this user's only
            with open(path, "w", encoding="utf-8-sig", newline="") as out:
                out.write(rows_as_csv(rows))
        except OSError as err:
            self.ctx.messages.error(self, "Not exported", f"The file could not be written: {err}")
