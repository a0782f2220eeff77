"""Age maths: chronological and corrected age, month boundaries, leap days, the 24-month cut-off."""

from datetime import date, timedelta

import pytest

from tracker import ages
from tracker.ages import Age


def test_whole_months_on_the_monthly_anniversary():
    assert ages.chronological_age(date(2025, 3, 10), date(2025, 6, 10)) == Age(months=3, days=0)


def test_day_before_anniversary_is_still_the_previous_month():
    assert ages.chronological_age(date(2025, 3, 10), date(2025, 6, 9)) == Age(months=2, days=30)


def test_born_on_31st_turns_a_month_on_the_last_day_of_a_short_month():
    assert ages.chronological_age(date(2025, 1, 31), date(2025, 2, 28)) == Age(months=1, days=0)


def test_born_on_31st_counts_days_after_a_short_month():
    assert ages.chronological_age(date(2025, 1, 31), date(2025, 3, 1)) == Age(months=1, days=1)


def test_leap_day_birthday_is_one_year_old_on_28_february():
    assert ages.chronological_age(date(2024, 2, 29), date(2025, 2, 28)) == Age(months=12, days=0)


def test_leap_day_birthday_in_the_next_leap_year():
    assert ages.chronological_age(date(2024, 2, 29), date(2028, 2, 29)) == Age(months=48, days=0)


def test_date_before_birth_is_refused():
    with pytest.raises(ValueError):
        ages.chronological_age(date(2025, 3, 10), date(2025, 3, 9))


@pytest.mark.parametrize(
    ("age", "words"),
    [
        (Age(15, 3), "1 year 3 months"),
        (Age(12, 0), "1 year"),
        (Age(1, 0), "1 month"),
        (Age(5, 20), "5 months"),
        (Age(25, 0), "2 years 1 month"),
        (Age(0, 15), "2 weeks"),
        (Age(0, 7), "1 week"),
        (Age(0, 3), "3 days"),
        (Age(0, 1), "1 day"),
    ],
)
def test_age_in_words(age, words):
    assert age.in_words() == words


def test_term_baby_has_no_corrected_age():
    assert ages.corrected_age(date(2025, 1, 1), None, date(2025, 6, 1)) is None


def test_baby_born_at_37_weeks_is_not_corrected():
    assert ages.corrected_age(date(2025, 1, 1), 37 * 7, date(2025, 6, 1)) is None


def test_baby_born_at_36_weeks_is_corrected_by_4_weeks():
    born = date(2025, 1, 1)
    assert ages.corrected_age(born, 36 * 7, date(2025, 7, 1)) == ages.age_between(
        born + timedelta(weeks=4), date(2025, 7, 1)
    )


def test_reference_worked_example_30_weeks_at_26_weeks_old():
    """reference/README.md §8: born at 30 weeks, 26 weeks old -> corrected 16 weeks, about 3.7 months."""
    born = date(2025, 1, 1)
    on = born + timedelta(weeks=26)
    assert ages.effective_age_in_months(born, 30 * 7, on) == pytest.approx(16 * 7 / ages.DAYS_PER_MONTH)
    assert round(ages.effective_age_in_months(born, 30 * 7, on), 1) == 3.7


def test_corrected_age_stops_at_24_months_chronological():
    born = date(2024, 1, 15)
    assert ages.corrected_age(born, 28 * 7, date(2026, 1, 15)) is None


def test_corrected_age_applies_the_day_before_24_months():
    born = date(2024, 1, 15)
    assert ages.corrected_age(born, 28 * 7, date(2026, 1, 14)) == ages.age_between(date(2024, 4, 8), date(2026, 1, 14))


def test_effective_age_is_chronological_after_24_months():
    born = date(2024, 1, 15)
    on = date(2026, 3, 1)
    assert ages.effective_age_in_months(born, 28 * 7, on) == ages.age_in_months(born, on)


def test_before_due_date_corrected_age_is_zero_and_weeks_early_are_counted():
    born = date(2025, 1, 1)
    on = born + timedelta(weeks=2)
    assert ages.corrected_age(born, 28 * 7, on) == Age(0, 0)
    assert ages.weeks_before_due_date(born, 28 * 7, on) == 10


def test_effective_age_is_negative_before_due_date():
    born = date(2025, 1, 1)
    assert ages.effective_age_in_months(born, 28 * 7, born + timedelta(weeks=2)) < 0


# --- Gestational age in completed weeks and days -----------------------------------------


def test_born_at_36_plus_6_is_corrected_by_3_weeks_and_1_day():
    born = date(2025, 1, 1)
    assert ages.due_date(born, 36 * 7 + 6) == born + timedelta(days=22)
    assert ages.corrected_age(born, 36 * 7 + 6, date(2025, 7, 1)) == ages.age_between(
        born + timedelta(days=22), date(2025, 7, 1)
    )


def test_born_at_37_plus_0_is_not_corrected():
    assert ages.corrected_age(date(2025, 1, 1), 37 * 7, date(2025, 7, 1)) is None


@pytest.mark.parametrize(
    ("text", "days"),
    [("36+6", 258), ("36 + 6", 258), ("36", 252), ("24+0", 168), ("42+6", 300), ("36w6d", 258), (" 30+2 ", 212)],
)
def test_gestation_is_read_in_completed_weeks_and_days(text, days):
    assert ages.parse_gestation(text) == days


@pytest.mark.parametrize("text", ["36+7", "36.5", "36-6", "", "thirty", "1234"])
def test_gestation_in_other_forms_is_refused(text):
    with pytest.raises(ValueError):
        ages.parse_gestation(text)


@pytest.mark.parametrize(("days", "text"), [(258, "36+6"), (210, "30+0"), (168, "24+0")])
def test_gestation_is_written_as_on_a_discharge_letter(days, text):
    assert ages.gestation_in_words(days) == text


# --- The day a child reaches an age ---------------------------------------------------------


def test_a_term_child_reaches_12_months_a_year_after_birth():
    born = date(2025, 1, 1)
    day = ages.day_at_effective_age(born, None, 12.0)
    assert ages.effective_age_in_months(born, None, day) == pytest.approx(12.0, abs=0.02)


def test_a_preterm_child_reaches_a_corrected_age_later():
    born = date(2025, 1, 1)
    day = ages.day_at_effective_age(born, 28 * 7, 6.0)
    assert day == ages.due_date(born, 28 * 7) + timedelta(days=round(6 * ages.DAYS_PER_MONTH))


def test_an_age_the_24_month_switch_jumps_over_is_reached_on_the_switch_day():
    born = date(2024, 1, 15)  # born at 28+0: corrected 21.2 months the day before the switch
    assert ages.day_at_effective_age(born, 28 * 7, 22.5) == date(2026, 1, 15)


def test_after_the_switch_actual_age_counts():
    born = date(2024, 1, 15)
    day = ages.day_at_effective_age(born, 28 * 7, 30.0)
    assert day == born + timedelta(days=round(30 * ages.DAYS_PER_MONTH))


def test_a_date_in_words_has_no_leading_zero():
    assert ages.date_in_words(date(2026, 12, 3)) == "3 Dec 2026"
