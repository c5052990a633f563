"""Task lists: My queue, Needs attention and Search, their table model and the filter bar."""

from practiceboard.gui.lists.filter_bar import FilterBar
from practiceboard.gui.lists.model import CardTableModel
from practiceboard.gui.lists.views import AttentionView, QueueView, SearchView, TaskTable

__all__ = ["AttentionView", "CardTableModel", "FilterBar", "QueueView", "SearchView", "TaskTable"]
