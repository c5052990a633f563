"""A care plan's vocabularies (statuses, risk buckets, goal outcomes, why a plan is
closed), the program templates plans are made from, and cadences that include
"one-off" on top of the recurrence rules."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from practiceboard.domain import recurrence
from practiceboard.domain.errors import ValidationError

PLAN_STATUSES = ("draft", "active", "on_hold", "closed")
PLAN_STATUS_LABELS = {"draft": "Draft", "active": "Active", "on_hold": "On hold",
                      "closed": "Closed"}  # fmt: skip
RISKS = ("low", "medium", "high")
# "open" is how a goal in progress has always been stored.
GOAL_STATUSES = ("open", "met", "not_met", "dropped")
GOAL_STATUS_LABELS = {"open": "In progress", "met": "Met", "not_met": "Not met",
                      "dropped": "Dropped"}  # fmt: skip

# Why a plan is closed -> (label, the exception reason its open generated tasks close with).
CLOSE_REASONS: dict[str, tuple[str, str]] = {
    "completed": ("Completed", "no_longer_needed"),
    "patient_declined": ("Patient declined", "patient_declined"),
    "transferred": ("Transferred", "no_longer_needed"),
    "deceased": ("Deceased", "no_longer_needed"),
}

# ---------------------------------------------------------------- cadences

ONE_OFF = "ONCE"  # a single task on the intervention's start date
CADENCE_PRESETS: dict[str, str] = {**recurrence.PRESETS, "Every 90 days": "FREQ=DAILY;INTERVAL=90",
                                   "One-off": ONE_OFF}  # fmt: skip


@dataclass(frozen=True)
class Cadence:
    """A recurrence rule, or a one-off (``rule`` None)."""

    rule: recurrence.Recurrence | None

    @property
    def text(self) -> str:
        return ONE_OFF if self.rule is None else recurrence.format_rule(self.rule)

    def describe(self) -> str:
        return "Once" if self.rule is None else recurrence.describe(self.rule)

    def occurrences(self, anchor: date, start: date, end: date) -> list[date]:
        """Occurrences in [start, end] of the series anchored at ``anchor``."""
        if self.rule is None:
            return [anchor] if start <= anchor <= end else []
        return recurrence.occurrences(self.rule, anchor, start, end)

    def next_after(self, anchor: date, after: date) -> date | None:
        """The first occurrence strictly after ``after`` (None: there is none)."""
        if self.rule is None:
            return anchor if anchor > after else None
        try:
            return recurrence.next_after(self.rule, anchor, after)
        except OverflowError:
            return None

    def upcoming(self, anchor: date, today: date, count: int) -> list[date]:
        """The next ``count`` occurrences on or after ``today``."""
        out: list[date] = []
        current = self.next_after(anchor, today - timedelta(days=1))
        while current is not None and len(out) < count:
            out.append(current)
            current = self.next_after(anchor, current)
        return out


def parse_cadence(text: str | None) -> Cadence:
    """ "ONCE" or a recurrence rule; ValidationError on field "cadence" otherwise."""
    cleaned = (text or "").strip()
    if cleaned.upper() == ONE_OFF:
        return Cadence(None)
    try:
        return Cadence(recurrence.parse(cleaned))
    except ValidationError as err:
        raise ValidationError(err.message, "cadence") from None
    except ValueError as err:
        raise ValidationError(f"The repeat rule is not valid: {err}", "cadence") from None


# ---------------------------------------------------------------- templates


@dataclass(frozen=True)
class GoalTemplate:
    description: str
    target: str
    months: int  # target date: this many months after the plan's start


@dataclass(frozen=True)
class InterventionTemplate:
    title: str
    cadence: str
    role_key: str | None  # who does it; None: the plan owner
    workflow_key: str = "care_task"
    offset_days: int = 0  # first due this many days after the plan's start


@dataclass(frozen=True)
class PlanTemplate:
    key: str
    name: str
    program_key: str
    review_months: int
    length_days: int | None  # the plan ends this many days after its start; None: open-ended
    goals: tuple[GoalTemplate, ...]
    interventions: tuple[InterventionTemplate, ...]


TEMPLATES: tuple[PlanTemplate, ...] = (
    PlanTemplate(
        "monthly_checkin", "Chronic care — monthly check-in", "ccm", 3, None,
        (GoalTemplate("Patient reached every month", "A call or visit each month", 3),),
        (InterventionTemplate("Monthly check-in call", "FREQ=MONTHLY", "care_coordinator"),),
    ),
    PlanTemplate(
        "diabetes_quarterly", "Diabetes — quarterly", "diabetes", 3, None,
        (GoalTemplate("A1c under control", "A1c below 7%", 6),
         GoalTemplate("Yearly eye and foot exams done", "Both exams on file", 12)),
        (InterventionTemplate("Quarterly diabetes review", "FREQ=MONTHLY;INTERVAL=3",
                              "care_coordinator"),
         InterventionTemplate("A1c lab before the review", "FREQ=MONTHLY;INTERVAL=3",
                              "clinical", offset_days=83)),  # a week before the first review
    ),
    PlanTemplate(
        "hypertension_monthly", "Hypertension — monthly BP check", "hypertension", 3, None,
        (GoalTemplate("Blood pressure at goal", "Below 130/80 on home readings", 6),),
        (InterventionTemplate("Monthly BP check call", "FREQ=MONTHLY", "clinical"),),
    ),
    PlanTemplate(
        "chf_weekly", "CHF — weekly weigh-in call", "ccm", 1, None,
        (GoalTemplate("No readmission for heart failure", "No admission in 90 days", 3),
         GoalTemplate("Weight stable", "Within 2 lb of dry weight", 3)),
        (InterventionTemplate("Weekly weigh-in call", "FREQ=WEEKLY", "care_coordinator"),),
    ),
    PlanTemplate(
        "transitional_30", "Transitional care — 30 days", "tcm", 1, 30,
        (GoalTemplate("Safe transition home", "No readmission within 30 days", 1),),
        (InterventionTemplate("Interactive contact within 2 business days", ONE_OFF,
                              "care_coordinator", offset_days=2),
         InterventionTemplate("Medication reconciliation", ONE_OFF, "clinical", offset_days=7),
         InterventionTemplate("Face-to-face visit", ONE_OFF, "provider", offset_days=14),
         InterventionTemplate("Weekly follow-up call", "FREQ=WEEKLY", "care_coordinator",
                              offset_days=7)),
    ),
)  # fmt: skip
TEMPLATES_BY_KEY: dict[str, PlanTemplate] = {t.key: t for t in TEMPLATES}


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later, clamped to the month's end."""
    index = day.year * 12 + day.month - 1 + months
    year, month0 = divmod(index, 12)
    following = date(year + (month0 == 11), (month0 + 1) % 12 + 1, 1)
    return date(year, month0 + 1, min(day.day, (following - timedelta(days=1)).day))


def next_open_day(day: date, is_open) -> date:
    """``day`` or the first day after it that the practice is open (``is_open(date)``)."""
    for _ in range(60):  # a practice is never closed for two months
        if is_open(day):
            return day
        day += timedelta(days=1)
    return day
