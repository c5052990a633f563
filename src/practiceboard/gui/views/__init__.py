"""The views of the main window, each registered here once (see registry.py for the
view contract). Factories import their module on first use, so start-up loads no
view code before a view is shown. A new view (approvals, care plans, dashboard) is
a module of its own plus one ``register`` call below."""

from __future__ import annotations

from practiceboard.domain.policy import Cap
from practiceboard.gui.views.registry import ViewSpec, register


def _board(ctx, parent):
    from practiceboard.gui.views.board import BoardView

    return BoardView(ctx, parent)


def _queue(ctx, parent):
    from practiceboard.gui.views.lists import QueueView

    return QueueView(ctx, parent)


def _attention(ctx, parent):
    from practiceboard.gui.views.lists import AttentionView

    return AttentionView(ctx, parent)


def _approvals(ctx, parent):
    from practiceboard.gui.views.approvals import ApprovalsView

    return ApprovalsView(ctx, parent)


def _search(ctx, parent):
    from practiceboard.gui.views.lists import SearchView

    return SearchView(ctx, parent)


def _patients(ctx, parent):
    from practiceboard.gui.views.care import PatientsView

    return PatientsView(ctx, parent)


def _care_dashboard(ctx, parent):
    from practiceboard.gui.views.care import CareDashboardView

    return CareDashboardView(ctx, parent)


def _dashboard(ctx, parent):
    from practiceboard.gui.views.dashboard import DashboardView

    return DashboardView(ctx, parent)


def _audit(ctx, parent):
    from practiceboard.gui.views.audit import AuditView

    return AuditView(ctx, parent)


register(ViewSpec("board", "Board", "board", _board, shortcut="Ctrl+1", order=10))
register(
    ViewSpec("queue", "My queue", "queue", _queue, shortcut="Ctrl+2", order=20,
             fallback_start=True)
)  # fmt: skip
register(ViewSpec("attention", "Needs attention", "bell", _attention, shortcut="Ctrl+3", order=30))
register(
    ViewSpec("approvals", "Approvals", "review", _approvals, capability=Cap.APPROVAL_REQUEST,
             shortcut="Ctrl+5", order=35)
)  # fmt: skip
register(
    ViewSpec("search", "Search results", "search", _search, shortcut="Ctrl+4", order=40,
             transient=True, search=True)
)  # fmt: skip
# The care plan tracker (issue 8): patients need patient.view (an admin sees no names).
register(
    ViewSpec("patients", "Patients", "patients", _patients, capability="patient.view",
             shortcut="Ctrl+7", order=37)
)  # fmt: skip
register(
    ViewSpec("care", "Care dashboard", "chart", _care_dashboard,
             capability="careplan.edit_operational", shortcut="Ctrl+8", order=38)
)  # fmt: skip
register(
    ViewSpec("dashboard", "Dashboard", "dashboard", _dashboard, shortcut="Ctrl+6", order=39)
)  # fmt: skip


# The admin area (issue 12): users, workflows, reason codes, backups and restore.
def _admin(ctx, parent):
    from practiceboard.gui.views.admin import AdminView

    return AdminView(ctx, parent)


register(
    ViewSpec("admin", "Admin", "admin", _admin, capability=Cap.ADMIN, shortcut="Ctrl+9",
             order=90)
)  # fmt: skip


def _settings(ctx, parent):
    from practiceboard.gui.views.settings import PracticeSettingsView

    return PracticeSettingsView(ctx, parent)


# Practice settings (issue 12): admins only; the services check again on every save.
register(
    ViewSpec("settings", "Practice settings", "settings", _settings, capability=Cap.ADMIN,
             order=91)
)  # fmt: skip


# The audit report (issue 11, security.md item 10): the admin's.
register(
    ViewSpec("audit", "Audit report", "lock", _audit, capability=Cap.AUDIT_VIEW, order=92)
)  # fmt: skip
