"""Icons, colours and the style sheet come from resources/ through gui.theme."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QColor

from practiceboard.domain.workflow import Category
from practiceboard.gui.kit import theme


@pytest.mark.parametrize("name", theme.ICON_NAMES)
def test_every_icon_ships_and_renders(qapp, name):
    assert (theme.icons_dir() / f"{name}.svg").is_file()
    image = theme.pixmap(name, 24).toImage()
    assert not image.isNull()
    assert any(image.pixelColor(x, y).alpha() for x in range(24) for y in range(24))


def test_an_unknown_icon_is_empty_not_an_error(qapp):
    assert theme.icon("no-such-icon").isNull()


def test_every_status_category_has_a_colour_and_an_icon(qapp):
    for category in Category:
        assert theme.category_color(category.value) == QColor(theme.CATEGORY_COLORS[category])
        assert not theme.category_icon(category.value).isNull()


def test_sla_states_map_to_badges():
    assert [theme.sla_badge(s) for s in ("ok", "warn", "breach", "paused")] == [
        None, "warn", "breach", None,
    ]  # fmt: skip
    assert theme.badge_color("overdue") == QColor(theme.BADGE_COLORS["overdue"])


def test_the_style_sheet_is_small_and_names_the_shell(qapp):
    sheet = theme.style_sheet()
    assert "QListWidget#navPane" in sheet and 'QLabel[kind="error"]' in sheet
    assert len(sheet.splitlines()) < 500
