"""The filter bar over task lists: free text plus status, owner, role, location, payer,
provider, due range and "needs attention". Filters combine (AND); the active ones
show as chips that remove themselves when clicked; saved filters per person
(saved_filter_box).

The bar only builds a TaskFilter and emits ``filter_changed``; the view it sits
on runs the query.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from functools import partial

from PySide6.QtCore import QDate, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDateEdit,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
    QWidgetAction,
)

from practiceboard.core.rows import (
    PickerOptions,
    TaskFilter,
)
from practiceboard.gui.kit import theme
from practiceboard.gui.kit.context import AppContext
from practiceboard.gui.kit.flow import FlowLayout, flow_policy
from practiceboard.gui.kit.ops import Op
from practiceboard.gui.kit.tooltips import plain_tip
from practiceboard.gui.kit.wording import short_date
from practiceboard.gui.views.lists.saved_filter_box import SavedFilterBox
from practiceboard.queries.pickers import picker_options

CATEGORY_LABELS = {
    "new": "New", "active": "In progress", "waiting": "Waiting", "review": "In review",
    "done": "Done", "cancelled": "Cancelled",
}  # fmt: skip
CHIP_MAX = 42
CHIP_STYLE = f"""
QToolButton#filterChip {{
    background: {theme.ACCENT_SOFT}; color: #1a4f86; border: 1px solid #b9d0ea;
    border-radius: 10px; padding: 2px 8px;
}}
QToolButton#filterChip:hover {{ background: #d3e4f6; border-color: {theme.ACCENT}; }}
"""
TYPING_PAUSE_MS = 250  # the same pause as the main search box


def amp(text: str) -> str:
    """Button and menu text treats '&' as a shortcut marker; show it as itself."""
    return text.replace("&", "&&")


class _StayOpenMenu(QMenu):
    """Ticking several owners should not take several trips to the button."""

    def mouseReleaseEvent(self, event) -> None:
        action = self.activeAction()
        if action is not None and action.isCheckable() and action.isEnabled():
            action.trigger()
            return
        super().mouseReleaseEvent(event)


class FilterBar(QWidget):
    filter_changed = Signal(object)  # TaskFilter

    def __init__(
        self,
        ctx: AppContext,
        parent: QWidget | None = None,
        *,
        show_attention: bool = True,
        show_closed: bool = True,
        placeholder: str = "Search reference, title or MRN…",
    ):
        super().__init__(parent)
        self.setObjectName("filterBar")
        self.ctx = ctx
        self.show_attention, self.show_closed = show_attention, show_closed
        self.options = PickerOptions()
        self._filter = TaskFilter()
        self._typing = QTimer(self, singleShot=True, interval=TYPING_PAUSE_MS)
        self._typing.timeout.connect(self._text_settled)
        self._build(show_attention, show_closed, placeholder)
        self.setStyleSheet(CHIP_STYLE)
        self.reload_options()

    # ---------------------------------------------------------------- layout

    def _build(self, show_attention: bool, show_closed: bool, placeholder: str) -> None:
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(6)
        # The words, the filter menus and the check boxes flow onto a second line when
        # the window is narrow (1366 px at 150 %) rather than widening it.
        top_row = QWidget(self, objectName="filterTopRow")
        flow_policy(top_row)
        top = FlowLayout(top_row)
        self.text = QLineEdit(self, objectName="filterText", placeholderText=placeholder)
        self.text.setClearButtonEnabled(True)
        self.text.setMinimumWidth(220)
        self.text.textEdited.connect(lambda _t: self._typing.start())
        self.text.returnPressed.connect(self._text_settled)
        top.addWidget(self.text, 1)
        self.menus: dict[str, QToolButton] = {}
        for key, label in (
            ("workflow", "&Workflow"), ("status", "&Status"), ("owner", "&Owner"),
            ("role", "&Role"), ("location", "&Location"), ("payer", "&Payer"),
            ("provider", "Pro&vider"), ("due", "&Due"),
        ):  # fmt: skip
            button = QToolButton(self, objectName=f"filter_{key}", text=label)
            button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
            button.setMenu(_StayOpenMenu(button))
            button.setEnabled(False)  # until the pickers are loaded
            self.menus[key] = button
            top.addWidget(button)
        self.attention = QCheckBox("Needs &attention", self, objectName="filterAttention")
        self.attention.toggled.connect(lambda on: self._change(needs_attention=on))
        self.attention.setVisible(show_attention)
        top.addWidget(self.attention)
        self.closed = QCheckBox("Include &closed", self, objectName="filterClosed")
        self.closed.toggled.connect(lambda on: self._change(include_closed=on))
        self.closed.setVisible(show_closed)
        top.addWidget(self.closed)
        outer.addWidget(top_row)

        bottom = QHBoxLayout()
        bottom.setSpacing(6)
        self.chips_row = QHBoxLayout()
        self.chips_row.setSpacing(4)
        self.no_filter = QLabel("No filters: showing every task you may see.", self)
        self.no_filter.setObjectName("noFilter")
        self.no_filter.setProperty("kind", "muted")
        self.no_filter.setTextFormat(Qt.TextFormat.PlainText)
        self.no_filter.setWordWrap(True)  # on a narrow window it takes two lines, not width
        self.chips_row.addWidget(self.no_filter)
        bottom.addLayout(self.chips_row)
        self.clear_button = QPushButton("Cl&ear", self, objectName="filterClear")
        self.clear_button.setToolTip("Remove every filter")
        self.clear_button.clicked.connect(self.clear)
        bottom.addWidget(self.clear_button)
        bottom.addStretch(1)
        self.saved = SavedFilterBox(self.ctx, self.filter, self)
        self.saved.picked.connect(partial(self.set_filter, emit=True))
        bottom.addWidget(self.saved)
        outer.addLayout(bottom)
        self.chips: list[QToolButton] = []
        self._sync()

    # ---------------------------------------------------------------- public API

    def filter(self) -> TaskFilter:
        return self._filter

    def set_filter(self, filt: TaskFilter, *, emit: bool = False) -> None:
        """Show ``filt`` as the active filter (from a saved filter or the view)."""
        self._typing.stop()
        self._filter = filt
        self._sync()
        if emit:
            self.filter_changed.emit(filt)

    def clear(self) -> None:
        keep_closed = self._filter.include_closed and not self.show_closed
        self.set_filter(TaskFilter(include_closed=keep_closed), emit=True)

    def reload_options(self) -> None:
        Op(self.ctx, picker_options).success(self._options_loaded).failure(
            lambda _exc, text: self._options_failed(text)
        ).fallback("{detail}").run()

    # ---------------------------------------------------------------- changes

    def _change(self, **kw) -> None:
        new = replace(self._filter, **kw)
        if new != self._filter:
            self.set_filter(new, emit=True)

    def _text_settled(self) -> None:
        self._typing.stop()
        self._change(text=self.text.text().strip())

    def _toggle(self, field: str, value, on: bool) -> None:
        values = list(getattr(self._filter, field))
        if on and value not in values:
            values.append(value)
        elif not on and value in values:
            values.remove(value)
        self._change(**{field: tuple(values)})

    def _set_due(self, due_from: date | None, due_to: date | None) -> None:
        self._change(due_from=due_from, due_to=due_to)

    # ---------------------------------------------------------------- options

    def _options_loaded(self, options: PickerOptions) -> None:
        self.options = options
        self._fill_menus()
        self.saved.show_rows(options.saved_filters)
        for button in self.menus.values():
            button.setEnabled(True)
        self._sync()

    def _options_failed(self, text: str) -> None:
        self.no_filter.setText(f"Filters are unavailable: {text}")

    def _fill_menus(self) -> None:
        o = self.options
        self._fill("workflow", "workflow_ids", [(w.id, w.name) for w in o.workflows])
        self._fill_status()
        self._fill("owner", "owner_ids", [(u.id, u.display_name) for u in o.users])
        self._fill("role", "role_keys", [(r.key, r.name) for r in o.roles])
        self._fill("location", "location_ids", [(x.id, x.label) for x in o.locations])
        self._fill("payer", "payers", [(p, p) for p in o.payers], empty="No payers used yet")
        self._fill("provider", "provider_ids", [(x.id, x.label) for x in o.providers])
        self._fill_due()

    def _fill(self, key: str, field: str, items, empty: str = "Nothing to pick") -> None:
        menu = self.menus[key].menu()
        menu.clear()
        if not items:
            menu.addAction(empty).setEnabled(False)
        for value, label in items:
            self._check_action(menu, amp(label), field, value)

    def _check_action(self, menu: QMenu, label: str, field: str, value) -> None:
        action = menu.addAction(label)
        action.setCheckable(True)
        action.setData((field, value))
        action.toggled.connect(partial(self._toggle, field, value))

    def _fill_status(self) -> None:
        menu = self.menus["status"].menu()
        menu.clear()
        menu.addSection("Any workflow")
        for cat, label in CATEGORY_LABELS.items():
            self._check_action(menu, label, "categories", cat)
        menu.addSection("One status")
        for wf in self.options.workflows:
            sub = menu.addMenu(amp(wf.name))
            for s in wf.statuses:
                self._check_action(sub, amp(s.name), "status_ids", s.id)

    def _fill_due(self) -> None:
        menu = self.menus["due"].menu()
        menu.clear()
        today = self.today()
        week_end = today + timedelta(days=6 - today.weekday())
        presets = (
            ("Overdue", None, today - timedelta(days=1)),
            ("Due today", today, today),
            ("Due by the end of this week", None, week_end),
            ("Due in the next 7 days", today, today + timedelta(days=7)),
        )
        for label, lo, hi in presets:
            menu.addAction(label).triggered.connect(partial(self._set_due, lo, hi))
        menu.addSeparator()
        custom = QWidget(menu)
        row = QHBoxLayout(custom)
        row.setContentsMargins(8, 4, 8, 4)
        self.due_from = self._date_edit(custom, "dueFrom")
        self.due_to = self._date_edit(custom, "dueTo")
        apply = QPushButton("Apply", custom, objectName="dueApply")
        apply.clicked.connect(self._apply_custom_due)
        apply.clicked.connect(menu.close)
        for w in (QLabel("From", custom), self.due_from, QLabel("to", custom), self.due_to, apply):
            row.addWidget(w)
        holder = QWidgetAction(menu)
        holder.setDefaultWidget(custom)
        menu.addAction(holder)
        menu.addSeparator()
        menu.addAction("Any due date").triggered.connect(partial(self._set_due, None, None))

    def _date_edit(self, parent: QWidget, name: str) -> QDateEdit:
        edit = QDateEdit(parent, objectName=name, calendarPopup=True, displayFormat="MMM d, yyyy")
        edit.setDate(QDate(self.today()))
        return edit

    def _apply_custom_due(self) -> None:
        lo, hi = self.due_from.date().toPython(), self.due_to.date().toPython()
        self._set_due(min(lo, hi), max(lo, hi))

    def today(self) -> date:
        return self.options.today or date.today()

    # ---------------------------------------------------------------- showing the filter

    def _sync(self) -> None:
        """Make every control and chip show self._filter (no signals go out)."""
        f = self._filter
        if self.text.text().strip() != f.text:
            self.text.setText(f.text)
        for box, on in ((self.attention, f.needs_attention), (self.closed, f.include_closed)):
            box.blockSignals(True)
            box.setChecked(on)
            box.blockSignals(False)
        for button in self.menus.values():
            self._sync_menu(button.menu())
        self._rebuild_chips()
        self.clear_button.setEnabled(not f.is_empty())
        self.saved.sync()

    def _sync_menu(self, menu: QMenu) -> None:
        for action in menu.actions():
            if action.menu() is not None:
                self._sync_menu(action.menu())
            data = action.data()
            if action.isCheckable() and isinstance(data, tuple):
                field, value = data
                action.blockSignals(True)
                action.setChecked(value in getattr(self._filter, field))
                action.blockSignals(False)

    def chip_texts(self) -> list[str]:
        """What each chip stands for, in full (its tooltip shows exactly this)."""
        return [c.property("fullText") for c in self.chips]

    def _rebuild_chips(self) -> None:
        for chip in self.chips:
            self.chips_row.removeWidget(chip)
            chip.hide()  # gone now, deleted when the event loop gets to it
            chip.deleteLater()
        self.chips = []
        for text, clear in self._describe():
            chip = QToolButton(self, objectName="filterChip")
            shown = text if len(text) <= CHIP_MAX else text[: CHIP_MAX - 1] + "…"
            chip.setText(amp(shown) + "  ✕")
            chip.setProperty("fullText", text)
            chip.setToolTip(plain_tip(text))  # the words typed, shown literally
            chip.setAccessibleName(f"Remove filter {text}")
            chip.clicked.connect(partial(self._change, **clear))
            self.chips_row.addWidget(chip)
            self.chips.append(chip)
        self.no_filter.setVisible(not self.chips)

    def _describe(self) -> list[tuple[str, dict]]:
        """(chip text, the change that removes it) for each active part of the filter."""
        f, o = self._filter, self.options
        names = {
            "workflow": {w.id: w.name for w in o.workflows},
            "status": {s.id: f"{w.name}: {s.name}" for w in o.workflows for s in w.statuses},
            "owner": {u.id: u.display_name for u in o.users},
            "role": {r.key: r.name for r in o.roles},
            "location": {x.id: x.label for x in o.locations},
            "provider": {x.id: x.label for x in o.providers},
        }
        out = []

        def add(label: str, field: str, values, lookup: dict | None = None) -> None:
            if values:
                shown = [str(lookup.get(v, v)) if lookup is not None else str(v) for v in values]
                out.append((f"{label}: {', '.join(shown)}", {field: ()}))

        if f.text:
            out.append((f"Text: “{f.text}”", {"text": ""}))
        add("Workflow", "workflow_ids", f.workflow_ids, names["workflow"])
        add("Stage", "categories", f.categories, CATEGORY_LABELS)
        add("Status", "status_ids", f.status_ids, names["status"])
        add("Owner", "owner_ids", f.owner_ids, names["owner"])
        add("Role", "role_keys", f.role_keys, names["role"])
        add("Location", "location_ids", f.location_ids, names["location"])
        add("Payer", "payers", f.payers)
        add("Provider", "provider_ids", f.provider_ids, names["provider"])
        if f.due_from or f.due_to:
            out.append((self._due_text(f.due_from, f.due_to), {"due_from": None, "due_to": None}))
        lo, hi = f.min_days_in_status, f.max_days_in_status
        if lo is not None or hi is not None:
            low = lo or 0
            days = f"{low}–{hi} days" if hi is not None else f"over {max(0, low - 1)} days"
            out.append((f"In status: {days}",
                        {"min_days_in_status": None, "max_days_in_status": None}))  # fmt: skip
        if f.task_ids:
            n = len(f.task_ids)
            out.append((f"From the dashboard: {n} task{'s' if n != 1 else ''}", {"task_ids": ()}))
        if f.needs_attention and self.show_attention:
            out.append(("Needs attention", {"needs_attention": False}))
        if f.include_closed and self.show_closed:
            out.append(("Including closed tasks", {"include_closed": False}))
        return out

    def _due_text(self, lo: date | None, hi: date | None) -> str:
        def day(d: date) -> str:
            return short_date(d, self.today())

        if lo is None and hi == self.today() - timedelta(days=1):
            return "Due: overdue"
        if lo and hi:
            return f"Due: {day(lo)}" if lo == hi else f"Due: {day(lo)} – {day(hi)}"
        return f"Due: by {day(hi)}" if hi else f"Due: from {day(lo)}"
