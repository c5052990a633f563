"""The manager's tab: every pending request grouped by the approver holding it
("waiting on Dr. X for 2.1 business days"), and the flow's figures from the metrics
queries — turnaround (median and p90) this week against last, rework rate, and the
top rejection and send-back reasons of the two weeks."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from practiceboard.core.rows import DurationStat, RateStat
from practiceboard.gui.kit.context import AppContext
from practiceboard.gui.kit.errors import SOMETHING_WRONG
from practiceboard.gui.kit.ops import Op
from practiceboard.gui.kit.tooltips import plain_tip
from practiceboard.gui.views.approvals.model import SLA_COLORS, SLA_WORDS, hours_label
from practiceboard.queries import approvals as q

TASK_ID = Qt.ItemDataRole.UserRole + 1
FIGURE_ROWS = ["Turnaround this week", "Turnaround last week", "Rework this week",
               "Rework last week"]  # fmt: skip


def duration_label(seconds: float | None) -> str:
    if seconds is None:
        return "–"
    hours = seconds / 3600
    return f"{hours:.1f} h" if hours < 48 else f"{hours / 24:.1f} days"


def rate_label(stat: RateStat | None) -> str:
    if stat is None or stat.rate is None:
        return "–"
    return f"{stat.rate:.0%} ({stat.numerator} of {stat.denominator})"


def _plain(parent: QWidget, name: str, kind: str | None = None) -> QLabel:
    label = QLabel(parent, objectName=name)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(True)
    if kind:
        label.setProperty("kind", kind)
    return label


class FlowPanel(QWidget):
    task_activated = Signal(int)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("flowPanel")
        self._ticket = 0
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        split = QSplitter(Qt.Orientation.Horizontal, self)
        layout.addWidget(split)
        self.tree = QTreeWidget(split)
        self.tree.setObjectName("byApprover")
        self.tree.setColumnCount(5)
        self.tree.setHeaderLabels(["Waiting on / request", "Patient", "Waiting", "SLA", "Rounds"])
        self.tree.setAlternatingRowColors(True)
        self.tree.setUniformRowHeights(True)
        self.tree.itemActivated.connect(self._activated)
        head = self.tree.header()
        head.setStretchLastSection(False)
        head.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for c in range(1, 5):
            head.setSectionResizeMode(c, QHeaderView.ResizeMode.ResizeToContents)
        right = QWidget(split)
        col = QVBoxLayout(right)
        col.setContentsMargins(8, 0, 0, 0)
        self.summary = _plain(right, "flowSummary", "heading")
        col.addWidget(self.summary)
        heading = _plain(right, "turnaroundHeading", "heading")
        heading.setText("Turnaround (request to decision: median / p90) and rework")
        col.addWidget(heading)
        # One column per approval workflow, one row per figure: it fits beside the tree.
        self.figures = QTableWidget(len(FIGURE_ROWS), 0, right)
        self.figures.setObjectName("turnaroundTable")
        self.figures.setVerticalHeaderLabels(FIGURE_ROWS)
        self.figures.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.figures.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.figures.setWordWrap(False)
        self.figures.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.figures.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        col.addWidget(self.figures)
        reasons = _plain(right, "reasonsHeading", "heading")
        reasons.setText("Top rejection and send-back reasons (two weeks)")
        col.addWidget(reasons)
        self.reasons = _plain(right, "topReasons")
        col.addWidget(self.reasons)
        col.addStretch(1)
        split.addWidget(self.tree)
        split.addWidget(right)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        split.setSizes([680, 500])

    def refresh(self) -> None:
        self._ticket += 1
        ticket = self._ticket
        Op(self.ctx, q.approval_flow).success(
            lambda flow: self.show_flow(flow) if ticket == self._ticket else None
        ).failure(lambda _e, text: self.summary.setText(text)).fallback(SOMETHING_WRONG).run()

    def current_task_id(self) -> int | None:
        item = self.tree.currentItem()
        return item.data(0, TASK_ID) if item is not None else None

    def _activated(self, item: QTreeWidgetItem, _column: int) -> None:
        task_id = item.data(0, TASK_ID)
        if task_id:
            self.task_activated.emit(task_id)

    def show_flow(self, flow: q.ApprovalFlow) -> None:
        keep = self.current_task_id()
        self.tree.clear()
        total = sum(len(ld.items) for ld in flow.loads)
        breaches = sum(ld.breaches for ld in flow.loads)
        self.summary.setText(
            f"{total} pending with {len(flow.loads)} approvers · {breaches} past breach"
        )
        for load in flow.loads:
            oldest = load.items[0].waiting_hours if load.items else 0.0
            head = QTreeWidgetItem(self.tree)
            text = f"{load.approver_name} — {len(load.items)} waiting"
            if load.breaches:
                text += f", {load.breaches} past breach"
            head.setText(0, f"{text}, oldest {hours_label(oldest)}")
            head.setToolTip(0, plain_tip(f"Waiting on {load.approver_name} for "
                                         f"{hours_label(oldest)}"))  # fmt: skip
            head.setFirstColumnSpanned(True)
            font = head.font(0)
            font.setBold(True)
            head.setFont(0, font)
            for item in load.items:
                row = QTreeWidgetItem(head)
                row.setData(0, TASK_ID, item.card.id)
                row.setText(0, f"{item.card.ref} · {item.card.title}")
                row.setText(1, item.card.patient_ref or "")
                row.setText(2, hours_label(item.waiting_hours))
                row.setText(3, SLA_WORDS.get(item.card.sla, ""))
                if item.card.sla in SLA_COLORS:
                    row.setForeground(3, QBrush(SLA_COLORS[item.card.sla]))
                row.setText(4, f"sent back {item.rounds}×" if item.rounds else "")
                if item.card.id == keep:
                    self.tree.setCurrentItem(row)
            head.setExpanded(True)
        self._figures(flow)
        reasons = [f"{r.count} × {r.label}" for r in flow.top_reasons]
        self.reasons.setText("\n".join(reasons) if reasons else "No rejections or send-backs.")

    def _figures(self, flow: q.ApprovalFlow) -> None:
        last = {d.key: d for d in flow.turnaround_last_week}
        rw_now = {r.key: r for r in flow.rework_this_week}
        rw_last = {r.key: r for r in flow.rework_last_week}
        cols = list(flow.turnaround_this_week)
        self.figures.setColumnCount(len(cols))
        self.figures.setHorizontalHeaderLabels([d.label for d in cols])

        def pair(d: DurationStat | None) -> str:
            if d is None or not d.count:
                return "–"
            return f"{duration_label(d.median_seconds)} / {duration_label(d.p90_seconds)}"

        for c, d in enumerate(cols):
            texts = (pair(d), pair(last.get(d.key)), rate_label(rw_now.get(d.key)),
                     rate_label(rw_last.get(d.key)))  # fmt: skip
            for r, text in enumerate(texts):
                self.figures.setItem(r, c, QTableWidgetItem(text))
        self.figures.resizeRowsToContents()
        height = self.figures.horizontalHeader().height() + 4
        height += sum(self.figures.rowHeight(r) for r in range(self.figures.rowCount()))
        self.figures.setFixedHeight(height)
