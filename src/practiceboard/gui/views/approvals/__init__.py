"""The Approvals view (see view.py)."""

from practiceboard.gui.views.approvals.view import ApprovalsView

__all__ = ["ApprovalsView"]
