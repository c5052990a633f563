"""The care plan tracker's views: Patients (with the patient page and the care plan
dialog)."""

from practiceboard.gui.views.care.patients import PatientsView

__all__ = ["PatientsView"]
