"""Painting a card: four calm lines, badges as small icons, plain text only.

No widget per card: the delegate paints each visible card from its Card row.
Sizes come from the view's font metrics, so cards stay readable at 100% and
150% scaling. Every string drawn comes from ``card_lines`` and is drawn with
``drawText`` (never HTML), so a title like "<b>x</b>" shows literally.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPen
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from practiceboard.core.rows import Card
from practiceboard.domain.aging import format_age
from practiceboard.domain.dates import day_label
from practiceboard.domain.workflow import CLOSED_CATEGORIES
from practiceboard.gui.kit import theme
from practiceboard.gui.views.board.model import CARD_ROLE, Lane

# card_lines slots
REF, TITLE, OWNER, DUE, IN_STATUS, AGE, REASON = range(7)
URGENT, HIGH = 3, 2
PRIORITY_EDGE = {URGENT: "#d64545", HIGH: "#e0a030"}
AVATAR_COLORS = ("#5b6fb5", "#2f855a", "#7c5cad", "#b7791f", "#2b6cb0", "#b83280", "#2c7a7b")
_LEFT_MID = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter


def due_label(card: Card, today: date | None = None) -> str:
    if card.due_date is None or card.category in CLOSED_CATEGORIES:
        return ""
    today = today or date.today()
    day = day_label(card.due_date, today)
    if card.overdue:
        return f"Overdue · {day}"
    if card.due_date == today:
        return "Due today"
    return f"Due {day}"


def patient_label(patient_ref: str) -> str:
    return patient_ref if patient_ref[:3].upper() == "MRN" else f"MRN {patient_ref}"


def card_lines(card: Card, today: date | None = None, *, show_status: bool = False) -> list[str]:
    """Every text a card shows, in slot order (REF … REASON); '' for an empty slot.

    ``show_status`` names the status in the age line (the all-workflows board,
    where one column holds several statuses)."""
    ref = f"{card.ref} · {patient_label(card.patient_ref)}" if card.patient_ref else card.ref
    where = f"in {card.status_name}" if show_status else "in status"
    if card.category in CLOSED_CATEGORIES:
        in_status = f"Closed {format_age(card.age_in_status_seconds)} ago"
    else:
        in_status = f"{format_age(card.age_in_status_seconds)} {where}"
    age = f"{format_age(card.age_seconds)} old"
    return [
        ref, card.title, card.owner_name, due_label(card, today), in_status, age,
        card.reason_label or "",
    ]  # fmt: skip


def initials(name: str) -> str:
    """'Dr. Pat Provider' -> 'PP' (titles skipped)."""
    words = [w for w in name.replace(".", ". ").split() if not w.endswith(".")] or name.split()
    letters = [w[0] for w in (words[:1] + words[-1:] if len(words) > 1 else words) if w]
    return "".join(letters).upper() or "?"


def lane_counts(lane: Lane) -> str:
    if lane.count == lane.total:
        return f"{lane.count} task{'' if lane.count == 1 else 's'}"
    here = "none" if lane.count == 0 else str(lane.count)
    return f"{here} here · {lane.total} on the board"


def card_badges(card: Card) -> list[str]:
    """Badge icon names, left to right, as theme.icon() knows them."""
    if card.category in CLOSED_CATEGORIES:
        return ["watched"] if card.watched else []
    out = []
    if card.overdue:
        out.append("overdue")
    sla = theme.sla_badge(card.sla)
    if sla:
        out.append(sla)
    if card.attention:
        out.append("attention")
    if card.watched:
        out.append("watched")
    if card.blocked_by_id is not None:
        out.append("blocked")
    if card.blocking:
        out.append("blocking")
    return out


@dataclass(frozen=True)
class _Metrics:
    """Layout numbers for one font, computed once (fonts rarely change)."""

    base: QFont
    small: QFont
    title: QFont
    fm: QFontMetrics
    fm_small: QFontMetrics
    fm_title: QFontMetrics
    line: int
    gap: int
    pad: int
    outer: int
    height: int


def _metrics(view_font: QFont) -> _Metrics:
    font = QFont(view_font)  # a copy: the option's font dies with the option
    small = QFont(font)
    if font.pointSizeF() > 0:
        small.setPointSizeF(font.pointSizeF() * 0.9)
    else:
        small.setPixelSize(max(9, round(font.pixelSize() * 0.9)))
    title = QFont(font)
    title.setWeight(QFont.Weight.DemiBold)
    fm, fm_small, fm_title = QFontMetrics(font), QFontMetrics(small), QFontMetrics(title)
    line = max(fm.height(), fm_title.height())
    gap = max(2, round(line * 0.22))
    pad = max(6, round(line * 0.6))
    outer = max(3, round(line * 0.3))
    height = 2 * outer + 2 * pad + fm_small.height() + 3 * line + 3 * gap
    return _Metrics(font, small, title, fm, fm_small, fm_title, line, gap, pad, outer, height)


class CardDelegate(QStyledItemDelegate):
    """Paints cards, swimlane headings and blank slots of a ColumnModel."""

    def __init__(self, parent=None, *, show_status: bool = False):
        super().__init__(parent)
        self.show_status = show_status
        self.today: date | None = None  # None: the PC's date (tests pin it)
        self._cache: tuple[str, _Metrics] | None = None
        self._colors = {
            "surface": QColor(theme.SURFACE),
            "closed": QColor(theme.SURFACE_ALT),
            "border": QColor(theme.BORDER),
            "text": QColor(theme.TEXT),
            "muted": QColor(theme.MUTED),
            "accent": QColor(theme.ACCENT),
            "accent_soft": QColor(theme.ACCENT_SOFT),
            "overdue": theme.badge_color("overdue"),
            "warn": theme.badge_color("warn"),
            "breach": theme.badge_color("breach"),
            "pill": QColor("#eceff3"),
            "pill_text": QColor("#475260"),
        }

    def metrics(self, font: QFont) -> _Metrics:
        key = font.key()
        if self._cache is None or self._cache[0] != key:
            self._cache = (key, _metrics(font))
        return self._cache[1]

    def sizeHint(self, option: QStyleOptionViewItem, index) -> QSize:
        m = self.metrics(option.font)
        return QSize(m.fm.averageCharWidth() * 24, m.height)

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        row = index.data(CARD_ROLE)
        if row is None:
            return
        m = self.metrics(option.font)
        painter.save()
        try:
            if isinstance(row, Lane):
                self._paint_lane(painter, option.rect, row, m)
            else:
                self._paint_card(painter, option, row, m)
        finally:
            painter.restore()

    def _paint_lane(self, p: QPainter, rect: QRect, lane: Lane, m: _Metrics) -> None:
        """An owner's swimlane heading: a rule, their initials, name and counts."""
        c = self._colors
        inner = rect.adjusted(m.outer + 2, m.outer, -m.outer - 2, -m.outer)
        rule = inner.top() + m.pad
        p.setPen(QPen(c["border"], 1))
        p.drawLine(inner.left(), rule, inner.right(), rule)
        block = m.line + m.fm_small.height()
        top = rule + (inner.bottom() - rule - block) // 2
        size = block - 2
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QColor(AVATAR_COLORS[lane.owner_id % len(AVATAR_COLORS)]))
        p.drawEllipse(QRectF(inner.left(), top + 1, size, size))
        p.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        p.setFont(m.small)
        p.setPen(QColor("#ffffff"))
        avatar = QRect(inner.left(), top + 1, size, size)
        p.drawText(avatar, Qt.AlignmentFlag.AlignCenter, initials(lane.owner_name))
        left = inner.left() + size + m.pad
        width = inner.right() - left
        p.setFont(m.title)
        p.setPen(c["text"])
        _text(p, m.fm_title, QRect(left, top, width, m.line), lane.owner_name)
        p.setFont(m.small)
        p.setPen(c["muted"])
        counts = QRect(left, top + m.line, width, m.fm_small.height())
        _text(p, m.fm_small, counts, lane_counts(lane))

    def _paint_card(self, p: QPainter, option: QStyleOptionViewItem, card: Card, m: _Metrics):
        c = self._colors
        state = option.state
        selected = bool(state & QStyle.StateFlag.State_Selected)
        focused = bool(state & QStyle.StateFlag.State_HasFocus)
        hover = bool(state & QStyle.StateFlag.State_MouseOver)
        closed = card.category in CLOSED_CATEGORIES
        box = QRectF(option.rect.adjusted(m.outer + 1, m.outer, -m.outer - 1, -m.outer))
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        fill = c["accent_soft"] if selected else (c["closed"] if closed else c["surface"])
        if selected:
            pen = QPen(c["accent"], 2 if focused else 1.5)
        else:
            pen = QPen(c["muted"] if hover else c["border"], 1)
        radius = m.gap * 2.5
        p.setPen(pen)
        p.setBrush(fill)
        p.drawRoundedRect(box.adjusted(0.5, 0.5, -0.5, -0.5), radius, radius)
        edge = PRIORITY_EDGE.get(card.priority)
        if edge and not closed:
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(QColor(edge))
            width = max(3.0, m.gap * 1.2)
            p.drawRoundedRect(QRectF(box.left() + 1, box.top() + 1, width, box.height() - 2), 2, 2)
        p.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        self._paint_text(p, box.toAlignedRect(), card, m, closed)

    def _paint_text(self, p: QPainter, box: QRect, card: Card, m: _Metrics, closed: bool) -> None:
        """Four lines: reference and MRN | badges; title; owner | due date;
        age in status and age | waiting reason."""
        c = self._colors
        lines = card_lines(card, self.today, show_status=self.show_status)
        left, top = box.left() + m.pad, box.top() + m.pad - m.gap // 2
        width = box.width() - 2 * m.pad
        fm = m.fm_small
        h1 = fm.height()

        # 1: reference (and patient MRN) | badges
        badges = card_badges(card)
        size = max(12, min(h1, m.line - 2))
        x = left + width
        for name in reversed(badges):
            x -= size
            theme.icon(name).paint(p, QRect(x, top + (h1 - size) // 2, size, size))
            x -= max(2, m.gap - 1)
        if card.documents:
            x = paint_clip(p, fm, x, top, h1, size, card.documents, c["muted"], m.small)
        p.setFont(m.small)
        p.setPen(c["muted"])
        _text(p, fm, QRect(left, top, x - left - m.gap, h1), lines[REF])
        y = top + h1 + m.gap

        # 2: title
        p.setFont(m.title)
        p.setPen(c["muted"] if closed else c["text"])
        _text(p, m.fm_title, QRect(left, y, width, m.line), lines[TITLE])
        y += m.line + m.gap

        # 3: owner | due date (red when overdue)
        due_w = 0
        if lines[DUE]:
            p.setFont(m.small)
            p.setPen(c["overdue"] if card.overdue else c["muted"])
            due_w = min(fm.horizontalAdvance(lines[DUE]) + 2, width * 3 // 5)
            _text(p, fm, QRect(left + width - due_w, y, due_w, m.line), lines[DUE])
            due_w += 2 * m.gap
        p.setFont(m.base)
        p.setPen(c["text"] if not closed else c["muted"])
        _text(p, m.fm, QRect(left, y, width - due_w, m.line), lines[OWNER])
        y += m.line + m.gap

        # 4: age in status (coloured past the warn / breach limit) · age | waiting reason
        p.setFont(m.small)
        room = width
        if lines[REASON]:
            want = fm.horizontalAdvance(lines[REASON]) + 2 * m.gap
            # The age in status keeps its room; the reason gets the rest (at least 2/5).
            room_left = width - fm.horizontalAdvance(lines[IN_STATUS]) - 2 * m.gap
            pill_w = min(want, max(room_left, width * 2 // 5))
            pill = QRect(left + width - pill_w, y + 1, pill_w, m.line - 2)
            p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(c["pill"])
            p.drawRoundedRect(QRectF(pill), pill.height() / 2, pill.height() / 2)
            p.setRenderHint(QPainter.RenderHint.Antialiasing, False)
            p.setPen(c["pill_text"])
            _text(p, fm, pill.adjusted(m.gap, 0, -m.gap, 0), lines[REASON], centre=True)
            room -= pill_w + m.gap
        sla = {"warn": c["warn"], "breach": c["breach"]}.get(card.sla, c["muted"])
        p.setPen(c["muted"] if closed else sla)
        shown = _text(p, fm, QRect(left, y, room, m.line), lines[IN_STATUS])
        rest = f"  ·  {lines[AGE]}"
        used = fm.horizontalAdvance(shown)
        if shown == lines[IN_STATUS] and used + fm.horizontalAdvance(rest) <= room:
            p.setPen(c["muted"])
            _text(p, fm, QRect(left + used, y, room - used, m.line), rest)


def paint_clip(p: QPainter, fm: QFontMetrics, right: int, top: int, height: int, size: int,
               count: int, color, font) -> int:  # fmt: skip
    """The paper clip and how many documents, ending at ``right``; returns the new right."""
    label = str(count)
    w = fm.horizontalAdvance(label) + 1
    p.setFont(font)
    p.setPen(color)
    p.drawText(QRect(right - w, top, w, height), _LEFT_MID, label)
    right -= w + size
    theme.icon("paperclip").paint(p, QRect(right, top + (height - size) // 2, size, size))
    return right - 4


def _text(p: QPainter, fm: QFontMetrics, rect: QRect, text: str, *, centre: bool = False) -> str:
    """Draw one line of plain text, elided to fit; returns what was drawn."""
    shown = fm.elidedText(text, Qt.TextElideMode.ElideRight, max(0, rect.width()))
    align = Qt.AlignmentFlag.AlignCenter if centre else _LEFT_MID
    p.drawText(rect, align | Qt.TextFlag.TextSingleLine, shown)
    return shown
