"""Task lists: My queue, Needs attention and Search, their table model and the filter bar."""

from practiceboard.gui.views.lists.filter_bar import FilterBar
from practiceboard.gui.views.lists.model import CardTableModel
from practiceboard.gui.views.lists.views import AttentionView, QueueView, SearchView, TaskTable

__all__ = ["AttentionView", "CardTableModel", "FilterBar", "QueueView", "SearchView", "TaskTable"]
