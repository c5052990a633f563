"""The list views: My queue, Needs attention and Search.

Each view loads its rows through ctx.runner (never on the GUI thread), keeps the
selected task selected across refreshes, opens a task on double-click or Enter
(``task_activated``), and says so plainly when there is nothing to show.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QToolButton, QVBoxLayout, QWidget

from practiceboard.core.rows import Card, TaskFilter
from practiceboard.gui.kit.context import AppContext
from practiceboard.gui.kit.ops import Op
from practiceboard.gui.views.lists.filter_bar import FilterBar
from practiceboard.gui.views.lists.model import DEFAULT_COLUMNS
from practiceboard.gui.views.lists.table import Section, TaskListView, TaskTable, heading
from practiceboard.gui.views.registry import ViewHost
from practiceboard.queries import intake
from practiceboard.queries import tasks as task_queries
from practiceboard.queries.board import MAX_PAGE

PAGE_SIZE = 100
WATCHING_COLLAPSED = "queue/watchingCollapsed"  # QSettings key: the Watching pane folded


# ---------------------------------------------------------------- My queue


@dataclass(frozen=True)
class QueueRows:
    owned: list[Card]
    watched: list[Card]
    today: date


def load_queue(db, actor, filt: TaskFilter) -> QueueRows:
    """My open tasks (most urgent first) and the tasks I watch. A filter narrows both:
    the queue reads the same search the Search view uses, in urgency order."""
    today = intake.practice_zone(db, actor)[1]
    owned, watched = task_queries.my_queue(db, actor)
    if filt.is_empty():
        return QueueRows(owned, watched, today)
    me = actor.user_id
    if filt.owner_ids and me not in filt.owner_ids:
        owned = []
    else:
        mine = replace(filt, owner_ids=(me,), include_closed=False)
        owned = task_queries.search(db, actor, mine, sort="urgency", limit=MAX_PAGE)[0]
    owners = {c.owner_id for c in watched}
    if filt.owner_ids:
        owners &= set(filt.owner_ids)
    if owners:
        theirs = replace(filt, owner_ids=tuple(sorted(owners)), include_closed=False)
        found = {c.id for c in task_queries.search(db, actor, theirs, limit=MAX_PAGE)[0]}
        watched = [c for c in watched if c.id in found]
    else:
        watched = []
    return QueueRows(owned, watched, today)


OWNED_COLUMNS = tuple(c for c in DEFAULT_COLUMNS if c != "owner")  # all mine


class QueueView(TaskListView):
    """My queue: the tasks I own, most urgent first, then the ones I watch."""

    EMPTY = "Nothing in your queue. Nice."
    EMPTY_FILTERED = "None of your tasks match this filter."
    EMPTY_WATCHING = "You are not watching any tasks. Use Watch on a task to follow it here."

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(ctx, parent)
        self.setObjectName("queueView")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 12, 12, 12)
        self.heading = heading("My tasks", self, "sectionHeading")
        layout.addWidget(self.heading)
        self.owned = self._table(OWNED_COLUMNS, sortable=False)
        self.owned_section = Section(self.owned, self.EMPTY, self)
        layout.addWidget(self.owned_section, 1)
        # Watching: as tall as its rows (at most a third of the view), collapsible, and
        # remembered per PC — one watched task must not take half of My queue.
        self.watch_toggle = QToolButton(self, objectName="watchingToggle")
        self.watch_toggle.setCheckable(True)
        self.watch_toggle.setAutoRaise(True)
        self.watch_toggle.setToolTip("Show or hide the tasks you watch")
        self.watch_heading = heading("Watching", self, "sectionHeading")
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.watch_toggle)
        row.addWidget(self.watch_heading, 1)
        layout.addLayout(row)
        self.watched = self._table(DEFAULT_COLUMNS, sortable=False)
        self.watched_section = Section(self.watched, self.EMPTY_WATCHING, self, compact=True)
        layout.addWidget(self.watched_section, 0)
        self.watch_toggle.setChecked(not QSettings().value(WATCHING_COLLAPSED, False, bool))
        self.watch_toggle.toggled.connect(self._watching_toggled)
        self._watching_toggled(self.watch_toggle.isChecked(), remember=False)
        self._last_focus = self.owned
        self.owned.clicked.connect(lambda _i: self._focus(self.owned))
        self.watched.clicked.connect(lambda _i: self._focus(self.watched))

    def _watching_toggled(self, shown: bool, *, remember: bool = True) -> None:
        self.watch_toggle.setArrowType(Qt.ArrowType.DownArrow if shown else Qt.ArrowType.RightArrow)
        self.watched_section.setVisible(shown)
        if remember:
            QSettings().setValue(WATCHING_COLLAPSED, not shown)

    def _fit_watched(self) -> None:
        """The watched table's height: its header and rows, at most a third of the view."""
        table = self.watched
        rows = table.cards().rowCount()
        if not rows:
            return  # the compact empty sentence sizes itself
        header = table.horizontalHeader().sizeHint().height()
        scroll = table.horizontalScrollBar().sizeHint().height()
        row = table.verticalHeader().defaultSectionSize()
        wanted = header + rows * row + 2 * table.frameWidth() + scroll
        limit = max(table.verticalHeader().defaultSectionSize() * 3, self.height() // 3)
        self.watched_section.setMaximumHeight(min(wanted, limit))

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._fit_watched()

    def _focus(self, table: TaskTable) -> None:
        self._last_focus = table
        other = self.watched if table is self.owned else self.owned
        other.clearSelection()

    def _loader(self):
        return Op(self.ctx, load_queue, self._filter)

    def show_result(self, result: QueueRows) -> None:
        self.owned.set_cards(result.owned, result.today)
        self.watched.set_cards(result.watched, result.today)
        n, w = len(result.owned), len(result.watched)
        self.heading.setText(f"My tasks ({n})" if n else "My tasks")
        self.watch_heading.setText(f"Watching ({w})" if w else "Watching")
        filtered = not self._filter.is_empty()
        self.owned_section.show_rows(bool(n), self.EMPTY_FILTERED if filtered else None)
        self.watched_section.show_rows(bool(w))
        self._fit_watched()

    def show_problem(self, text: str) -> None:
        self.owned_section.show_problem(text)

    def current_task_id(self) -> int | None:
        first = self.watched if self.watched.hasFocus() else self._last_focus
        second = self.owned if first is self.watched else self.watched
        return first.current_task_id() or second.current_task_id()


# ---------------------------------------------------------------- Needs attention

ATTENTION_COLUMNS = ("ref", "title", "why", "status", "owner", "due", "in_status", "patient")


@dataclass(frozen=True)
class CardRows:
    cards: list[Card]
    total: int
    today: date


def load_attention(db, actor, filt: TaskFilter, sort: str) -> CardRows:
    today = intake.practice_zone(db, actor)[1]
    cards = task_queries.needs_attention(db, actor, filt, sort=sort)
    return CardRows(cards, len(cards), today)


class AttentionView(TaskListView):
    """Stuck work: overdue, past breach, untouched for 3 business days, or waiting
    with no explanation; each row says why. Filterable by owner, workflow and more."""

    EMPTY = "Nothing needs attention. Nice."
    EMPTY_FILTERED = "Nothing needs attention with these filters."

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(ctx, parent)
        self.setObjectName("attentionView")
        self.sort = "urgency"
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 12, 12, 12)
        self.filter_bar = FilterBar(ctx, self, show_attention=False, show_closed=False)
        self.filter_bar.filter_changed.connect(self._bar_changed)
        layout.addWidget(self.filter_bar)
        self.heading = heading("Needs attention", self, "sectionHeading")
        layout.addWidget(self.heading)
        self.table = self._table(ATTENTION_COLUMNS, sortable=True)
        # "Needs attention because" may run to two lines rather than be cut.
        self.table.setWordWrap(True)
        self.table.verticalHeader().setDefaultSectionSize(
            self.table.fontMetrics().lineSpacing() * 2 + 10
        )
        self.table.cards().sort_key = self.sort
        self.table.cards().sort_requested.connect(self._sort)
        self.section = Section(self.table, self.EMPTY, self)
        layout.addWidget(self.section, 1)

    def _bar_changed(self, filt: TaskFilter) -> None:
        self._filter = filt
        self.refresh()

    def set_filter(self, filt: TaskFilter) -> None:
        self.filter_bar.set_filter(filt)
        super().set_filter(filt)

    def _sort(self, key: str, _descending: bool) -> None:
        self.sort = key  # needs_attention sorts one way: most urgent / soonest first
        self.table.cards().descending = False
        self.refresh()

    def _loader(self):
        return Op(self.ctx, load_attention, self._filter, self.sort)

    def show_result(self, result: CardRows) -> None:
        self.table.set_cards(result.cards, result.today)
        n = result.total
        self.heading.setText(
            f"{n} task{'s' if n != 1 else ''} need{'s' if n == 1 else ''} attention"
            if n else "Needs attention"
        )  # fmt: skip
        filtered = any(
            getattr(self._filter, f) for f in ("workflow_ids", "status_ids", "categories",
            "owner_ids", "role_keys", "location_ids", "payers", "provider_ids", "due_from",
            "due_to", "text")
        )  # fmt: skip
        self.section.show_rows(bool(n), self.EMPTY_FILTERED if filtered else None)

    def show_problem(self, text: str) -> None:
        self.section.show_problem(text)

    def current_task_id(self) -> int | None:
        return self.table.current_task_id()


# ---------------------------------------------------------------- Search


def load_search(db, actor, filt, sort, descending, offset) -> CardRows:
    today = intake.practice_zone(db, actor)[1]
    cards, total = task_queries.search(
        db, actor, filt, sort=sort, descending=descending, offset=offset, limit=PAGE_SIZE
    )
    return CardRows(cards, total, today)


class SearchView(TaskListView):
    """Free-text search and filters over every task the user may see, a page at a time."""

    EMPTY = "No tasks match. Try fewer words or remove a filter."
    START = "Type in the search box or pick a filter to find tasks."

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(ctx, parent)
        self.setObjectName("searchView")
        self.sort, self.descending, self.offset, self.total = "urgency", False, 0, 0
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 12, 12, 12)
        self.filter_bar = FilterBar(ctx, self)
        self.filter_bar.filter_changed.connect(self._bar_changed)
        layout.addWidget(self.filter_bar)
        self.table = self._table(DEFAULT_COLUMNS, sortable=True)
        self.table.cards().sort_key = self.sort
        self.table.cards().sort_requested.connect(self._sort)
        self.section = Section(self.table, self.START, self)
        layout.addWidget(self.section, 1)
        pager = QHBoxLayout()
        self.summary = heading("", self, "pageSummary", "muted")
        pager.addWidget(self.summary, 1)
        self.previous = QPushButton("‹ Prev&ious", self, objectName="previousPage")
        self.previous.clicked.connect(lambda: self.go_to(self.offset - PAGE_SIZE))
        self.next = QPushButton("&Next ›", self, objectName="nextPage")
        self.next.clicked.connect(lambda: self.go_to(self.offset + PAGE_SIZE))
        pager.addWidget(self.previous)
        pager.addWidget(self.next)
        layout.addLayout(pager)
        self._sync_pager()

    def _bar_changed(self, filt: TaskFilter) -> None:
        self._filter, self.offset = filt, 0
        self.refresh()

    def set_filter(self, filt: TaskFilter) -> None:
        self.filter_bar.set_filter(filt)
        self.offset = 0
        super().set_filter(filt)

    # ---------------------------------------------------------------- the view contract

    def attach(self, host: ViewHost) -> None:
        """Words typed in the view's own box show in the tool bar's search box too."""
        self.filter_bar.filter_changed.connect(lambda filt: host.show_search_text(filt.text))

    def in_use(self) -> bool:
        """An emptied search (no words, no filter) ends it: the window hides the view."""
        return not self._filter.is_empty()

    def search_text(self, text: str) -> None:
        """The main window's search box: keep the other filters, replace the words."""
        self.set_filter(replace(self._filter, text=text))

    def focus_search(self) -> None:
        self.filter_bar.text.setFocus()
        self.filter_bar.text.selectAll()

    def _sort(self, key: str, descending: bool) -> None:
        self.sort, self.descending, self.offset = key, descending, 0
        self.refresh()

    def go_to(self, offset: int) -> None:
        self.offset = max(0, min(offset, max(self.total - 1, 0)))
        self.refresh()

    def _loader(self):
        return Op(self.ctx, load_search, self._filter, self.sort, self.descending, self.offset)

    def show_result(self, result: CardRows) -> None:
        self.total = result.total
        self.table.set_cards(result.cards, result.today)
        if self.table.current_task_id() is None:
            self.table.scrollToTop()
        self.section.show_rows(bool(result.cards), None if self._filter.is_empty() else self.EMPTY)
        if self._filter.is_empty() and not result.cards:
            self.section.show_rows(False, self.START)
        self._sync_pager()

    def show_problem(self, text: str) -> None:
        self.section.show_problem(text)
        self.summary.setText("")

    def _sync_pager(self) -> None:
        shown = len(self.table.cards().rows)
        if self.total == 0:
            self.summary.setText("No tasks found." if self.loaded_once else "")
        else:
            first, last = self.offset + 1, self.offset + shown
            if first == 1 and last == self.total:
                n = self.total
                self.summary.setText(f"{n:,} task{'s' if n != 1 else ''}")
            else:
                self.summary.setText(f"Showing {first:,}–{last:,} of {self.total:,} tasks")
        self.previous.setEnabled(self.offset > 0)
        self.next.setEnabled(self.offset + shown < self.total)

    def current_task_id(self) -> int | None:
        return self.table.current_task_id()


__all__ = ["AttentionView", "QueueView", "SearchView", "TaskTable"]
