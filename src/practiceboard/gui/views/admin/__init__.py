"""The Admin area (admin capability): Users, Workflows, Reason codes and Backups, each a
tab of one view. Every change goes through a service that checks the capability again
and writes an audit row."""

from practiceboard.gui.views.admin.view import AdminView

__all__ = ["AdminView"]
