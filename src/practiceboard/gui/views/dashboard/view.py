"""The dashboard view (see the package docstring). Reads run through Op in a worker;
a click on a tile or a bar shows the same list as Search, on a page of its own with its
filter chips set, and "‹ Dashboard" comes back."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from functools import partial
from pathlib import Path

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QFileDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from practiceboard.core.rows import PickerOptions, TaskFilter
from practiceboard.domain.aging import AGING_BUCKETS
from practiceboard.domain.policy import Cap
from practiceboard.gui.kit import theme
from practiceboard.gui.kit.change import Kind
from practiceboard.gui.kit.context import AppContext
from practiceboard.gui.kit.flow import FlowLayout, flow_policy
from practiceboard.gui.kit.ops import Op
from practiceboard.gui.kit.stale import RefreshWhenShown
from practiceboard.gui.printing.report_actions import ReportActions
from practiceboard.gui.views.dashboard import data
from practiceboard.gui.views.dashboard.charts import AGING_COLOURS, PAIR_COLOURS, ChartCard
from practiceboard.gui.views.lists.views import SearchView
from practiceboard.queries.pickers import picker_options
from practiceboard.reports.csvfile import write_csv

LOAD_PROBLEM = "Could not load the dashboard."
OWNERS_SHOWN = 12
SHOWN = (Kind.TASK, Kind.USER)


def _hours(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    h = seconds / 3600
    return f"{h:.1f} h" if h < 48 else f"{h / 24:.1f} d"


def _pct(rate: float | None) -> str:
    return "—" if rate is None else f"{100 * rate:.0f}%"


def delta_text(now: int, before: int, lower_is_better: bool | None) -> tuple[str, str]:
    """('▲ 5 vs last week', colour): green when it got better, red when worse."""
    d = now - before
    if d == 0:
        return "same as", theme.MUTED
    arrow = "▲" if d > 0 else "▼"
    if lower_is_better is None:
        colour = theme.MUTED
    else:
        colour = "#b42318" if (d > 0) == lower_is_better else "#1a7f37"
    return f"{arrow} {abs(d)} vs", colour


class Tile(QFrame):
    clicked = Signal()

    def __init__(self, key: str, caption: str, definition: str, parent: QWidget,
                 lower_is_better: bool | None) -> None:  # fmt: skip
        super().__init__(parent)
        self.setObjectName(f"tile_{key}")
        self.lower_is_better = lower_is_better
        self.setStyleSheet(
            f"QFrame#tile_{key} {{ background: {theme.SURFACE}; border: 1px solid "
            f"{theme.BORDER}; border-radius: 6px; }} QFrame#tile_{key}:hover {{ border-color: "
            f"{theme.ACCENT}; }}"
        )
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setToolTip(f"{definition}\nClick to see these tasks.")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 8, 12, 8)
        self.caption = QLabel(caption, self)
        self.caption.setProperty("kind", "muted")
        self.number = QLabel("–", self, objectName=f"tileNumber_{key}")
        font = self.number.font()
        font.setPointSizeF(font.pointSizeF() * 2.2)
        font.setBold(True)
        self.number.setFont(font)
        self.delta = QLabel("", self, objectName=f"tileDelta_{key}")
        for w in (self.caption, self.number, self.delta):
            w.setTextFormat(Qt.TextFormat.PlainText)
            layout.addWidget(w)

    def show_value(self, now: int, before: int, before_label: str) -> None:
        self.number.setText(f"{now:,}")
        text, colour = delta_text(now, before, self.lower_is_better)
        self.delta.setText(f"{text} {before_label} ({before:,})")
        self.delta.setStyleSheet(f"color: {colour};")

    def mouseReleaseEvent(self, event) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self.clicked.emit()
        super().mouseReleaseEvent(event)


class DashboardView(RefreshWhenShown, QWidget):
    shown_kinds = SHOWN
    task_activated = Signal(int)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("dashboardView")
        self.request = data.Request()
        self.result: data.DashData | None = None
        self.options = PickerOptions()
        self._ticket, self._stale = 0, True
        self.reads_reports = ctx.can(Cap.REPORTS_VIEW)
        self.stack = QStackedWidget(self)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.stack)
        self.stack.addWidget(self._build_board())
        self.stack.addWidget(self._build_drill())
        ctx.signals.data_changed.connect(self._data_changed)
        Op(ctx, picker_options).success(self._options_loaded).failure(lambda *_: None).run()

    # ---------------------------------------------------------------- building

    def _build_board(self) -> QWidget:
        page = QWidget(self)
        layout = QVBoxLayout(page)
        layout.setContentsMargins(12, 12, 12, 0)
        bar = QHBoxLayout()
        self.period = QComboBox(page, objectName="dashPeriod")
        for key in data.PERIODS:
            self.period.addItem(data.PERIOD_LABELS[key], key)
        self.period.setToolTip("The period the tiles, breaches and metrics are about")
        self.period.currentIndexChanged.connect(self._period_changed)
        self.date_from = QDateEdit(page, objectName="dashFrom", calendarPopup=True)
        self.date_to = QDateEdit(page, objectName="dashTo", calendarPopup=True)
        for edit in (self.date_from, self.date_to):
            edit.setDisplayFormat("MMM d, yyyy")
            edit.setDate(QDate.currentDate())
            edit.hide()
            edit.dateChanged.connect(self._custom_changed)
        self.workflow = self._combo(page, "dashWorkflow", "All workflows")
        self.location = self._combo(page, "dashLocation", "All locations")
        self.role = self._combo(page, "dashRole", "All roles")
        # The pickers flow onto a second line on a narrow window rather than widening it.
        pickers = QWidget(page, objectName="dashPickers")
        flow_policy(pickers)
        flow = FlowLayout(pickers)
        flow.addWidget(QLabel("Period:", pickers))
        for w in (self.period, self.date_from, self.date_to, self.workflow, self.location,
                  self.role):  # fmt: skip
            flow.addWidget(w)
        bar.addWidget(pickers, 1)
        self.report_actions = ReportActions(self.ctx, self)
        if self.reads_reports:
            report = QToolButton(page, objectName="weeklyReportButton")
            report.setText("Weekly aging report")
            report.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
            menu = QMenu(report)
            menu.addAction("Print preview…", self.report_actions.preview)
            menu.addAction("Print…", self.report_actions.print)
            menu.addAction("Save as PDF…", self.report_actions.save_pdf)
            report.setMenu(menu)
            bar.addWidget(report)
        layout.addLayout(bar)
        self.status = QLabel("", page, objectName="dashStatus")
        self.status.setProperty("kind", "muted")
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.status.setWordWrap(True)
        layout.addWidget(self.status)

        scroll = QScrollArea(page)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        body = QWidget(scroll)
        grid = QVBoxLayout(body)
        grid.setContentsMargins(0, 4, 0, 12)
        tiles = QHBoxLayout()
        self.tiles = {
            "open": Tile("open", "Open at the end", data.DEFINITIONS["open"], body, True),
            "created": Tile("created", "New", data.DEFINITIONS["created"], body, None),
            "closed": Tile("closed", "Closed", data.DEFINITIONS["closed"], body, False),
            "breached": Tile(
                "breached", "Breached the SLA", data.DEFINITIONS["breached"], body, True
            ),  # fmt: skip
        }
        for key, tile in self.tiles.items():
            tile.clicked.connect(partial(self._tile_clicked, key))
            tiles.addWidget(tile)
        grid.addLayout(tiles)
        charts = QGridLayout()
        self.charts = {
            "aging": ChartCard("aging", "Open work by workflow and days in status",
                               data.DEFINITIONS["aging"], body, stacked=True),
            "load_owner": ChartCard("load_owner", "Load by owner", data.DEFINITIONS["load_owner"],
                                    body, stacked=True),
            "volume": ChartCard("volume", "Created vs closed, 12 weeks",
                                data.DEFINITIONS["volume"], body, horizontal=False),
            "load_role": ChartCard("load_role", "Load by role", data.DEFINITIONS["load_role"],
                                   body),
            "exceptions": ChartCard("exceptions", "SLA breaches by reason",
                                    data.DEFINITIONS["exceptions"], body),
        }  # fmt: skip
        charts.addWidget(self.charts["aging"], 0, 0)
        charts.addWidget(self.charts["load_owner"], 0, 1)
        charts.addWidget(self.charts["volume"], 1, 0)
        charts.addWidget(self.charts["exceptions"], 1, 1)
        charts.addWidget(self.charts["load_role"], 2, 0)
        charts.setColumnStretch(0, 1)
        charts.setColumnStretch(1, 1)
        for key, card in self.charts.items():
            card.clicked.connect(partial(self._bar_clicked, key))
            card.export_requested.connect(self._export_chart)
        grid.addLayout(charts)
        self.tables: dict[str, QTableWidget] = {}
        if self.reads_reports:
            grid.addWidget(self._section("Workflow metrics (this period, and before)", body))
            self.tables["metrics"] = self._table(body, "metricsTable", [
                ("Workflow", ""), ("Cycle time median", data.DEFINITIONS["cycle"]),
                ("Cycle time p90", data.DEFINITIONS["cycle"]),
                ("Reopen rate", data.DEFINITIONS["reopen"]),
                ("Reassignment rate", data.DEFINITIONS["reassign"]),
                ("Approval turnaround", data.DEFINITIONS["turnaround"]),
                ("Rework rate", data.DEFINITIONS["rework"]),
            ])  # fmt: skip
            grid.addWidget(self.tables["metrics"])
            lower = QHBoxLayout()
            self.tables["time_in_status"] = self._table(body, "timeInStatusTable", [
                ("Status", ""), ("Stays", data.DEFINITIONS["time_in_status"]),
                ("Median", data.DEFINITIONS["time_in_status"]),
                ("p90", data.DEFINITIONS["time_in_status"]),
            ])  # fmt: skip
            self.tables["reasons"] = self._table(body, "reasonsTable", [
                ("Top reasons", data.DEFINITIONS["reasons"]), ("Kind", ""), ("Times", ""),
            ])  # fmt: skip
            lower.addWidget(self.tables["time_in_status"], 3)
            lower.addWidget(self.tables["reasons"], 2)
            grid.addLayout(lower)
        grid.addStretch(1)
        scroll.setWidget(body)
        layout.addWidget(scroll, 1)
        return page

    def _combo(self, parent: QWidget, name: str, everything: str) -> QComboBox:
        box = QComboBox(parent, objectName=name)
        box.addItem(everything, None)
        box.currentIndexChanged.connect(self._pickers_changed)
        return box

    def _section(self, text: str, parent: QWidget) -> QLabel:
        label = QLabel(text, parent)
        label.setProperty("kind", "heading")
        return label

    def _table(self, parent: QWidget, name: str, columns) -> QTableWidget:
        table = QTableWidget(0, len(columns), parent, objectName=name)
        for i, (title, tip) in enumerate(columns):
            item = QTableWidgetItem(title)
            if tip:
                item.setToolTip(tip)
            table.setHorizontalHeaderItem(i, item)
        table.verticalHeader().hide()
        table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        table.horizontalHeader().setStretchLastSection(True)
        table.setMinimumHeight(160)
        return table

    def _build_drill(self) -> QWidget:
        page = QWidget(self)
        layout = QVBoxLayout(page)
        layout.setContentsMargins(12, 8, 12, 0)
        top = QHBoxLayout()
        back = QPushButton("‹ Dashboard", page, objectName="backToDashboard")
        back.clicked.connect(lambda: self.stack.setCurrentIndex(0))
        top.addWidget(back)
        self.drill_title = QLabel("", page, objectName="drillTitle")
        self.drill_title.setTextFormat(Qt.TextFormat.PlainText)
        self.drill_title.setProperty("kind", "heading")
        top.addWidget(self.drill_title, 1)
        export = QPushButton("Export CSV…", page, objectName="exportList")
        export.clicked.connect(self._export_list)
        top.addWidget(export)
        layout.addLayout(top)
        self.list = SearchView(self.ctx, page)
        self.list.task_activated.connect(self.task_activated)
        layout.addWidget(self.list, 1)
        return page

    # ---------------------------------------------------------------- the view contract

    def refresh(self) -> None:
        self._stale = False
        self._ticket += 1
        ticket = self._ticket
        self.status.setText("Loading…")
        Op(self.ctx, data.load, self.request).success(partial(self._arrived, ticket)).failure(
            partial(self._failed, ticket)
        ).run()

    def current_task_id(self) -> int | None:
        return self.list.current_task_id() if self.stack.currentIndex() == 1 else None

    # ---------------------------------------------------------------- pickers

    def _options_loaded(self, options: PickerOptions) -> None:
        self.options = options
        for box, items in (
            (self.workflow, [(w.name, w.id) for w in options.workflows]),
            (self.location, [(x.label, x.id) for x in options.locations]),
            (self.role, [(r.name, r.key) for r in options.roles]),
        ):
            box.blockSignals(True)
            for label, value in items:
                box.addItem(label, value)
            box.blockSignals(False)
        if options.today is not None:
            for edit in (self.date_from, self.date_to):
                edit.blockSignals(True)
                edit.setDate(QDate(options.today.year, options.today.month, options.today.day))
                edit.blockSignals(False)

    def _period_changed(self) -> None:
        key = self.period.currentData()
        custom = key == "custom"
        self.date_from.setVisible(custom)
        self.date_to.setVisible(custom)
        self.request = replace(self.request, period_key=key,
                               custom=self._custom_dates() if custom else None)  # fmt: skip
        self.refresh()

    def _custom_dates(self) -> tuple[date, date]:
        return (self.date_from.date().toPython(), self.date_to.date().toPython())

    def _custom_changed(self) -> None:
        if self.request.period_key == "custom":
            self.request = replace(self.request, custom=self._custom_dates())
            self.refresh()

    def _pickers_changed(self) -> None:
        self.request = replace(
            self.request, workflow_id=self.workflow.currentData(),
            location_id=self.location.currentData(), role_key=self.role.currentData(),
        )  # fmt: skip
        self.refresh()

    def set_period(self, key: str, custom: tuple[date, date] | None = None) -> None:
        if custom is not None:
            for edit, day in zip((self.date_from, self.date_to), custom, strict=True):
                edit.blockSignals(True)
                edit.setDate(QDate(day.year, day.month, day.day))
                edit.blockSignals(False)
        self.period.setCurrentIndex(data.PERIODS.index(key))

    # ---------------------------------------------------------------- showing

    def _arrived(self, ticket: int, result: data.DashData) -> None:
        if ticket != self._ticket:
            return
        self.result = result
        p = result.period
        self.status.setText(
            f"{result.board.open_total:,} open now, {result.board.attention_total:,} need "
            f"attention · compared with {p.prev_label}"
        )
        c, b = result.counts, result.prev_counts
        for key, now, before in (("open", c.open_at_end, b.open_at_end),
                                 ("created", c.created, b.created),
                                 ("closed", c.closed, b.closed),
                                 ("breached", c.breached, b.breached)):  # fmt: skip
            self.tiles[key].show_value(now, before, p.prev_label)
        aging = result.aging()
        by_status = result.request.workflow_id is not None
        self.charts["aging"].title.setText(
            "Open work by status and days in status" if by_status
            else "Open work by workflow and days in status"
        )  # fmt: skip
        self.charts["aging"].set_data(
            [label for label, _ in aging],
            [(b[0], [counts[i] for _, counts in aging]) for i, b in enumerate(AGING_BUCKETS)],
            AGING_COLOURS,
        )
        owners = result.board.by_owner[:OWNERS_SHOWN]
        self.charts["load_owner"].set_data(
            [r.label for r in owners],
            [("Fine", [r.count - r.attention for r in owners]),
             ("Needs attention", [r.attention for r in owners])],
            PAIR_COLOURS,
        )  # fmt: skip
        self.charts["load_role"].set_data(
            [r.label for r in result.board.by_role],
            [("Open", [r.count for r in result.board.by_role])],
        )
        self.charts["volume"].set_data(
            [f"{w.monday.month}/{w.monday.day}" for w in result.weeks],
            [("Created", [v[0] for v in result.volume]), ("Closed", [v[1] for v in result.volume])],
            PAIR_COLOURS,
        )
        reasons: dict[str, int] = {}
        for r in result.breaches:
            reasons[r.reason or "No reason given"] = (
                reasons.get(r.reason or "No reason given", 0) + 1
            )
        ordered = sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0]))
        self.charts["exceptions"].set_data(
            [k for k, _ in ordered], [("Breaches", [n for _, n in ordered])]
        )
        if result.metrics is not None:
            self._show_metrics(result.metrics, result.prev_metrics)

    def _show_metrics(self, m: data.Metrics, pm: data.Metrics | None) -> None:
        def was(now: str, before: str) -> str:
            return now if before in ("—", now) else f"{now} (was {before})"

        prev = {r.key: r for r in (pm.cycle if pm else ())}
        prev_re = {r.key: r for r in (pm.reopen if pm else ())}
        prev_ra = {r.key: r for r in (pm.reassign if pm else ())}
        prev_t = {r.key: r for r in (pm.turnaround if pm else ())}
        prev_w = {r.key: r for r in (pm.rework if pm else ())}
        re, ra = {r.key: r for r in m.reopen}, {r.key: r for r in m.reassign}
        turn, rework = {r.key: r for r in m.turnaround}, {r.key: r for r in m.rework}
        rows = []
        for cyc in m.cycle:
            k = cyc.key
            p = prev.get(k)
            rows.append((
                cyc.label,
                was(_hours(cyc.median_seconds), _hours(p.median_seconds if p else None)),
                was(_hours(cyc.p90_seconds), _hours(p.p90_seconds if p else None)),
                was(_pct(re[k].rate), _pct(prev_re[k].rate if k in prev_re else None)),
                was(_pct(ra[k].rate), _pct(prev_ra[k].rate if k in prev_ra else None)),
                was(_hours(turn[k].median_seconds), _hours(prev_t[k].median_seconds
                                                           if k in prev_t else None)),
                was(_pct(rework[k].rate), _pct(prev_w[k].rate if k in prev_w else None)),
            ))  # fmt: skip
        self._fill(self.tables["metrics"], rows)
        self._fill(self.tables["time_in_status"], [
            (r.label, r.count, _hours(r.median_seconds), _hours(r.p90_seconds))
            for r in m.time_in_status
        ])  # fmt: skip
        self._fill(self.tables["reasons"], [
            (r.label, r.key.partition(":")[0].replace("_", " "), r.count) for r in m.reasons
        ])  # fmt: skip

    def _fill(self, table: QTableWidget, rows) -> None:
        table.setRowCount(len(rows))
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                item = QTableWidgetItem(str(value))
                if isinstance(value, int):
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                table.setItem(r, c, item)

    def _failed(self, ticket: int, _exc: Exception, text: str) -> None:
        if ticket == self._ticket:
            self.status.setText(f"{LOAD_PROBLEM} {text}")

    # ---------------------------------------------------------------- click-through

    def _base_filter(self) -> TaskFilter:
        return self.request.task_filter()

    def _bar_clicked(self, key: str, series: int, category: int) -> None:
        result = self.result
        if result is None:
            return
        base = self._base_filter()
        card = self.charts[key]
        label = card.categories[category]
        if key == "aging":
            lo, hi = AGING_BUCKETS[series][1], AGING_BUCKETS[series][2]
            row = result.aging_filter(label)
            filt = replace(base, workflow_ids=row.workflow_ids or base.workflow_ids,
                           status_ids=row.status_ids, min_days_in_status=lo,
                           max_days_in_status=hi)  # fmt: skip
            self.open_list(filt, f"{label}, {AGING_BUCKETS[series][0]} in status")
        elif key == "load_owner":
            owner = result.board.by_owner[category]
            filt = replace(base, owner_ids=(int(owner.key),), needs_attention=series == 1)
            self.open_list(filt, f"Open work of {owner.label}")
        elif key == "load_role":
            role = result.board.by_role[category]
            self.open_list(replace(base, role_keys=(role.key,)), f"Open work of {role.label}")
        elif key == "volume":
            week = result.weeks[category]
            start, end = week.bounds(_zone(result.zone))
            what = ("created", "closed")[series]
            self._drill(what, start, end, f"{what.title()} in the week of {label}")
        elif key == "exceptions":
            ids = tuple(sorted({r.task_id for r in result.breaches
                                if (r.reason or "No reason given") == label}))  # fmt: skip
            self.open_list(replace(base, task_ids=ids, include_closed=True),
                           f"SLA breaches: {label}")  # fmt: skip

    def _tile_clicked(self, key: str) -> None:
        result = self.result
        if result is None:
            return
        p = result.period
        if key == "open":
            self.open_list(self._base_filter(), "Open work")
        else:
            self._drill(key, p.start, p.end, f"{self.tiles[key].caption.text()}: {p.label}")

    def _drill(self, what: str, start, end, title: str) -> None:
        base = self._base_filter()
        Op(self.ctx, data.drill_ids, what, start, end, base).success(
            lambda ids: self.open_list(
                replace(base, task_ids=ids or (0,), include_closed=True), title
            )  # fmt: skip
        ).report_to(self, "Could not open the list").run()

    def open_list(self, filt: TaskFilter, title: str) -> None:
        """The Search list, on the drill-down page, with these filter chips."""
        self.drill_title.setText(title)
        self.stack.setCurrentIndex(1)
        self.list.set_filter(filt)

    # ---------------------------------------------------------------- exports

    def _export_chart(self, key: str) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Save the chart's numbers",
                                              f"{key}.csv", "CSV files (*.csv)")  # fmt: skip
        if path:
            self.charts[key].write_csv(Path(path))

    def _export_list(self) -> None:
        """The button over a figure's list: the window's Export to CSV… (audited)."""
        from practiceboard.gui.kit.export import export_view

        export_view(self.ctx, self.list, self.drill_title.text() or "Dashboard list", self)

    def export_list(self, path: Path) -> Path:
        """The rows the list shows, as CSV (Excel-safe)."""
        cards = self.list.table.cards().rows
        header = ("Ref", "Title", "Workflow", "Status", "Owner", "Due", "In status since")
        rows = [(c.ref, c.title, c.workflow_name, c.status_name, c.owner_name,
                 c.due_date.isoformat() if c.due_date else "",
                 c.status_since.isoformat(timespec="minutes")) for c in cards]  # fmt: skip
        return write_csv(path, header, rows)


def _zone(name: str):
    from zoneinfo import ZoneInfo

    return ZoneInfo(name)
