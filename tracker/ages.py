"""Age maths for children: chronological and corrected (adjusted) age.

Pure functions over dates; nothing here knows about the database.

Corrected age = chronological age - (40 - gestational weeks at birth) weeks,
applied to babies born before 37 weeks until they are 24 months old
chronologically (CDC Milestone Tracker, ASQ-3 convention). Whole months are
counted from the birthday; when the birthday's day does not exist in a month
(31st, 29 February) the month's last day stands in for it.
"""

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

TERM_WEEKS = 40
PRETERM_BELOW_WEEKS = 37
CORRECT_UNTIL_MONTHS = 24
DAYS_PER_MONTH = 365.25 / 12


@dataclass(frozen=True)
class Age:
    """An age as whole months plus the days since the last monthly anniversary."""

    months: int
    days: int

    @property
    def years(self) -> int:
        return self.months // 12

    def in_words(self) -> str:
        """'1 year 3 months', '5 months', '2 weeks', '3 days'."""
        if self.months == 0:
            weeks = self.days // 7
            if weeks:
                return _plural(weeks, "week")
            return _plural(self.days, "day")
        years, months = divmod(self.months, 12)
        parts = []
        if years:
            parts.append(_plural(years, "year"))
        if months:
            parts.append(_plural(months, "month"))
        return " ".join(parts)


def _plural(n: int, unit: str) -> str:
    return f"{n} {unit}{'' if n == 1 else 's'}"


def add_months(day: date, months: int) -> date:
    """The same day of the month `months` later, or that month's last day."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    last = calendar.monthrange(year, month)[1]
    return date(year, month, min(day.day, last))


def age_between(born: date, on: date) -> Age:
    """Whole months and remaining days from `born` to `on` (on >= born)."""
    if on < born:
        raise ValueError("The date is before the birth date.")
    months = (on.year - born.year) * 12 + on.month - born.month
    if add_months(born, months) > on:
        months -= 1
    return Age(months=months, days=(on - add_months(born, months)).days)


def chronological_age(born: date, on: date) -> Age:
    """Age from the date of birth."""
    return age_between(born, on)


def needs_correction(born: date, gestational_weeks: int | None, on: date) -> bool:
    """Whether corrected age applies on `on`: born before 37 weeks and under 24 months."""
    if gestational_weeks is None or gestational_weeks >= PRETERM_BELOW_WEEKS:
        return False
    return chronological_age(born, on).months < CORRECT_UNTIL_MONTHS


def due_date(born: date, gestational_weeks: int | None) -> date:
    """The date the baby would have reached 40 weeks of gestation."""
    if gestational_weeks is None:
        return born
    return born + timedelta(weeks=TERM_WEEKS - gestational_weeks)


def corrected_age(born: date, gestational_weeks: int | None, on: date) -> Age | None:
    """Corrected age on `on`, or None when correction does not apply.

    Before the due date the corrected age would be negative; it is then
    reported as Age(0, 0) and `weeks_before_due_date` says how early it is.
    """
    if not needs_correction(born, gestational_weeks, on):
        return None
    due = due_date(born, gestational_weeks)
    if on < due:
        return Age(months=0, days=0)
    return age_between(due, on)


def weeks_before_due_date(born: date, gestational_weeks: int | None, on: date) -> int:
    """How many whole weeks `on` falls before the due date (0 once it has passed)."""
    due = due_date(born, gestational_weeks)
    return max(0, (due - on).days // 7)


def age_in_months(born: date, on: date) -> float:
    """Age as a decimal number of months, for comparing with age windows and charts.

    Negative before `born` (used for corrected age before the due date).
    """
    return (on - born).days / DAYS_PER_MONTH


def effective_age_in_months(born: date, gestational_weeks: int | None, on: date) -> float:
    """The age milestone windows are compared with: corrected where it applies."""
    if needs_correction(born, gestational_weeks, on):
        return age_in_months(due_date(born, gestational_weeks), on)
    return age_in_months(born, on)
