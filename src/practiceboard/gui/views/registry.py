"""The view registry: every view of the main window is registered here once, and the
window builds its navigation pane, View menu, shortcuts and start view from it. The
window never names a view; a new view is one module plus one ``register`` call (in
``gui/views/__init__.py``).

The view contract
-----------------
A view is a QWidget built by its spec's ``factory(ctx, parent)``. It must have:

- ``task_activated = Signal(int)``: a task was opened (double-click or Enter);
- ``refresh()``: reload now (F5);
- ``current_task_id() -> int | None``: the task Ctrl+O opens.

It refreshes itself on ``ctx.signals.data_changed`` when the ``Change`` touches
what it shows. It may also have these hooks; the window calls them when present:

- ``attach(host)``: once, right after the view is built. ``host`` is the main
  window seen through ``ViewHost`` below: where a view remembers its own settings
  (``host.state``), who signed in (``host.session``), and the tool bar's search
  box (``host.show_search_text(text)``).
- ``restore(host)``: once, when the window opens on this view (the board goes back
  to the workflow it showed last time).
- ``export_table() -> ExportTable | None``: what Export to CSV… (Ctrl+E) writes
  (gui/kit/export.py). Without it the window exports the list in the view that has
  the keyboard focus (a board column), else the view's first visible table; models
  say a cell's real value and their patient columns through kit.tables' roles.
- For the spec with ``search=True``: ``search_text(text)`` (the tool bar's search
  box was submitted) and ``in_use() -> bool`` (False once the search is emptied:
  a ``transient`` view then hides again and the window goes back where it was).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from PySide6.QtWidgets import QWidget

    from practiceboard.gui.kit.context import AppContext
    from practiceboard.gui.shell.sign_in import SignedIn
    from practiceboard.gui.shell.window_state import WindowState


class ViewHost(Protocol):
    """What a view's ``attach``/``restore`` hooks may use of the main window."""

    state: WindowState
    session: SignedIn

    def show_search_text(self, text: str) -> None: ...


@dataclass(frozen=True)
class ViewSpec:
    key: str  # stable: saved as the last view in QSettings, names the objects
    label: str  # in the navigation pane and the View menu
    icon: str  # a name from kit.theme.ICON_NAMES
    factory: Callable[[AppContext, QWidget], QWidget]  # imports the view lazily
    capability: str | None = None  # the Cap needed to see the view; None: everyone
    shortcut: str | None = None  # e.g. "Ctrl+1"
    order: int = 100  # position in the navigation, low first
    transient: bool = False  # shown only while in use; never a start or remembered view
    search: bool = False  # the view the tool bar's search box drives
    fallback_start: bool = False  # the start view when the remembered one is unavailable


_specs: dict[str, ViewSpec] = {}


def register(spec: ViewSpec) -> ViewSpec:
    """Add a view (once per key; registering a key again replaces it)."""
    _specs[spec.key] = spec
    return spec


def unregister(key: str) -> None:
    """Take a view out again (tests that register a throwaway view)."""
    _specs.pop(key, None)


def all_views() -> list[ViewSpec]:
    """Every registered view in navigation order."""
    _load_builtin()
    return sorted(_specs.values(), key=lambda s: (s.order, s.key))


def views_for(can: Callable[[str], bool]) -> list[ViewSpec]:
    """The views a person with these capabilities may see, in navigation order."""
    return [s for s in all_views() if s.capability is None or can(s.capability)]


def get(key: str) -> ViewSpec | None:
    _load_builtin()
    return _specs.get(key)


def _load_builtin() -> None:
    import practiceboard.gui.views  # noqa: F401  (its __init__ registers the built-in views)
