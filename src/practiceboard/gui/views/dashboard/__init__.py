"""The manager's dashboard: tiles compared with the previous period, charts (QtCharts)
whose bars open the tasks behind them, the metrics with their definitions, CSV
exports, and the weekly aging report's print preview."""

from practiceboard.gui.views.dashboard.view import DashboardView

__all__ = ["DashboardView"]
