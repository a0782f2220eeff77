"""Age maths for children: chronological and corrected (adjusted) age.

Pure functions over dates; nothing here knows about the database.

Gestational age at birth is kept in days, as a discharge letter gives it in
completed weeks and days ("36+6" = 258 days). Corrected age = chronological
age - (280 - gestational days) days, for a baby born before 37+0 weeks, until
24 months chronological age (CDC Milestone Tracker, ASQ-3 convention). Whole
months are counted from the birthday; when the birthday's day does not exist
in a month (31st, 29 February) the month's last day stands in for it.
"""

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

TERM_DAYS = 40 * 7
PRETERM_BELOW_DAYS = 37 * 7  # born before 37+0 weeks
GESTATION_MIN_DAYS = 24 * 7  # 24+0 weeks
GESTATION_MAX_DAYS = 42 * 7 + 6  # 42+6 weeks
CORRECT_UNTIL_MONTHS = 24
DAYS_PER_MONTH = 365.25 / 12

_GESTATION = re.compile(r"^\s*(\d{1,2})\s*(?:(?:\+|w|weeks?)\s*(\d)?\s*d?)?\s*$", re.IGNORECASE)


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


def date_in_words(day: date) -> str:
    """A date as every page shows it: "3 Dec 2026" (no leading zero, the month's short name)."""
    return f"{day.day} {day:%b %Y}"


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


def gestation_in_words(days: int) -> str:
    """Completed weeks and days, as on a discharge letter: 258 -> '36+6'."""
    weeks, extra = divmod(days, 7)
    return f"{weeks}+{extra}"


def parse_gestation(text: str) -> int:
    """Days from '36+6' (also '36', '36 + 6', '36w6d'); ValueError for anything else."""
    found = _GESTATION.match(text)
    if found is None:
        raise ValueError(f"Not completed weeks and days: {text!r}")
    weeks, extra = int(found.group(1)), int(found.group(2) or 0)
    if extra > 6:
        raise ValueError("Days after the completed weeks run from 0 to 6.")
    return weeks * 7 + extra


def is_preterm(gestational_days: int | None) -> bool:
    return gestational_days is not None and gestational_days < PRETERM_BELOW_DAYS


def needs_correction(born: date, gestational_days: int | None, on: date) -> bool:
    """Whether corrected age applies on `on`: born before 37+0 weeks and under 24 months."""
    if not is_preterm(gestational_days):
        return False
    return chronological_age(born, on).months < CORRECT_UNTIL_MONTHS


def correction_ends(born: date) -> date:
    """The day corrected age stops being used: the 24-month birthday."""
    return add_months(born, CORRECT_UNTIL_MONTHS)


def due_date(born: date, gestational_days: int | None) -> date:
    """The date the baby would have reached 40+0 weeks of gestation."""
    if gestational_days is None:
        return born
    return born + timedelta(days=TERM_DAYS - gestational_days)


def corrected_age(born: date, gestational_days: int | None, on: date) -> Age | None:
    """Corrected age on `on`, or None when correction does not apply.

    Before the due date the corrected age would be negative; it is then
    reported as Age(0, 0) and `weeks_before_due_date` says how early it is.
    """
    if not needs_correction(born, gestational_days, on):
        return None
    due = due_date(born, gestational_days)
    if on < due:
        return Age(months=0, days=0)
    return age_between(due, on)


def weeks_before_due_date(born: date, gestational_days: int | None, on: date) -> int:
    """How many whole weeks `on` falls before the due date (0 once it has passed)."""
    due = due_date(born, gestational_days)
    return max(0, (due - on).days // 7)


def age_in_months(born: date, on: date) -> float:
    """Age as a decimal number of months, for comparing with age windows and charts.

    Negative before `born` (used for corrected age before the due date).
    """
    return (on - born).days / DAYS_PER_MONTH


def effective_age_in_months(born: date, gestational_days: int | None, on: date) -> float:
    """The age milestone windows are compared with: corrected where it applies."""
    if needs_correction(born, gestational_days, on):
        return age_in_months(due_date(born, gestational_days), on)
    return age_in_months(born, on)


def day_at_effective_age(born: date, gestational_days: int | None, months: float) -> date:
    """The first day on which the effective age reaches `months` (the inverse of `effective_age_in_months`).

    While correction applies, months count from the due date; when the
    24-month switch jumps over `months`, the switch day itself.
    """
    offset = timedelta(days=round(months * DAYS_PER_MONTH))
    if is_preterm(gestational_days):
        corrected_day = due_date(born, gestational_days) + offset
        if corrected_day < correction_ends(born):
            return corrected_day
        return max(born + offset, correction_ends(born))
    return born + offset
