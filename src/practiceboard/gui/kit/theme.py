"""The look in one place: icons from ``resources/icons``, the palette, the style sheet.

Views and delegates ask here instead of hard-coding colours, so a card, a column
header and a badge always agree::

    theme.icon("overdue")                 # QIcon from resources/icons/overdue.svg
    theme.category_color("waiting")       # QColor for a status category
    theme.badge_color("breach")           # QColor for a badge
    theme.apply_style(app)                # resources/style.qss, once at start-up

Colours are calm: neutral greys for chrome, one accent blue, and strong colour
only where something needs a person (overdue, breached).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from PySide6.QtCore import QDir, QSize
from PySide6.QtGui import QColor, QIcon, QPixmap
from PySide6.QtWidgets import QApplication

from practiceboard.core.paths import resource_dir

# Chrome
WINDOW = "#f3f5f7"  # window background
SURFACE = "#ffffff"  # cards, lists, inputs
SURFACE_ALT = "#f8fafb"  # alternate rows, column backgrounds
BORDER = "#d8dee4"
TEXT = "#1f2a37"
MUTED = "#5f6b7a"  # secondary text: owner, dates, counts
ACCENT = "#2b6cb0"  # selection, focus, the primary button
ACCENT_SOFT = "#e3eefa"  # selected row background
ERROR = "#b42318"  # inline error text
BASE_POINT_SIZE = 10.0  # readable on a clinic monitor; Windows defaults to 9 pt

# Status categories (workflow.Category values)
CATEGORY_COLORS: dict[str, str] = {
    "new": "#5b6fb5",
    "active": "#2b6cb0",
    "waiting": "#b7791f",
    "review": "#7c5cad",
    "done": "#2f855a",
    "cancelled": "#8a94a0",
}

# Badges on cards and rows
BADGE_COLORS: dict[str, str] = {
    "overdue": "#c53030",
    "warn": "#c77d12",
    "breach": "#b42318",
    "attention": "#d35400",
    "watched": "#2b6cb0",
    "reason": "#6b7280",
    "paused": "#8a94a0",
}

# Every icon the app ships; tests check each file exists and renders.
ICON_NAMES: tuple[str, ...] = (
    "app",
    # status categories
    "new", "active", "waiting", "review", "done", "cancelled",
    # badges
    "overdue", "warn", "breach", "attention", "watched", "reason",
    # navigation and actions
    "board", "queue", "bell", "search", "dashboard", "refresh", "add", "sign-out", "lock", "about",
    # the care plan tracker
    "patients", "chart",
    # drawn by the style sheet
    "chevron-down", "chevron-up",
    # documents and dependencies on cards
    "paperclip", "blocked", "blocking",
)  # fmt: skip


def icons_dir() -> Path:
    return resource_dir("resources") / "icons"


@cache
def icon(name: str) -> QIcon:
    """The named icon; an empty QIcon for a name the app does not ship (never raises).

    The same drawing serves the selected state: the default would tint it with the
    selection colour, and a status colour must read the same on a selected row."""
    path = icons_dir() / f"{name}.svg"
    made = QIcon()
    if path.exists():
        for mode in (QIcon.Mode.Normal, QIcon.Mode.Selected, QIcon.Mode.Active):
            made.addFile(str(path), QSize(), mode)
    return made


def pixmap(name: str, size: int = 16) -> QPixmap:
    """The icon at a device-independent size, sharp on high-DPI screens (for delegates)."""
    return icon(name).pixmap(QSize(size, size))


def category_icon(category: str) -> QIcon:
    return icon(category if category in CATEGORY_COLORS else "active")


def category_color(category: str) -> QColor:
    return QColor(CATEGORY_COLORS.get(category, MUTED))


def badge_color(badge: str) -> QColor:
    return QColor(BADGE_COLORS.get(badge, MUTED))


def sla_badge(sla: str) -> str | None:
    """The badge name for a Card.sla value (ok and paused show none)."""
    return {"warn": "warn", "breach": "breach"}.get(sla)


def style_sheet() -> str:
    path = resource_dir("resources") / "style.qss"
    return path.read_text(encoding="utf-8") if path.exists() else ""


def apply_style(app: QApplication) -> None:
    """The app-wide style sheet and icon; call once after the QApplication exists."""
    app.setStyle("Fusion")  # the same metrics on Windows, macOS and Linux; the sheet adds colour
    font = app.font()
    font.setPointSizeF(max(font.pointSizeF(), BASE_POINT_SIZE))  # points scale with the display
    app.setFont(font)
    QDir.addSearchPath("icons", str(icons_dir()))  # url(icons:…) in the style sheet
    app.setStyleSheet(style_sheet())
    app.setWindowIcon(icon("app"))
