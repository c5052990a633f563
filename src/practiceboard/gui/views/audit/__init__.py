"""The audit report view (admin only)."""

from practiceboard.gui.views.audit.view import AuditView

__all__ = ["AuditView"]
