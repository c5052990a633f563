"""The care plan tracker's views: Patients (with the patient page and the care plan
dialog) and the care dashboard."""

from practiceboard.gui.views.care.dashboard import CareDashboardView
from practiceboard.gui.views.care.patients import PatientsView

__all__ = ["CareDashboardView", "PatientsView"]
