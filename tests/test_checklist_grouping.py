"""Sorting skills into checklist groups by the status model: the rules at their exact boundaries.

Stand-in skills are plain namespaces with what `tracker.checklist` reads (a
CDC-style "3 in 4 children by" window unless a test says otherwise). The last
tests check that a real child's age (corrected when born early) drives the
grouping of a real catalogue skill.
"""

from datetime import UTC, date, datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest
import time_machine
from django.utils import timezone

from tracker.checklist import group_skills, own_discipline_first, summarise
from tracker.models import Child, Skill
from tracker.status import GROUP_ORDER, Norm


def _skill(start, end, status=None, order=0, domain_id=1, name="", kind="cdc_checkpoint", lost=False):
    current = SimpleNamespace(status=status, recorded_at=None, last_achieved_id=1 if lost else None) if status else None
    skill = SimpleNamespace(
        pk=id(object()),
        window_start_months=start,
        window_end_months=end,
        order=order,
        current=current,
        domain_id=domain_id,
        name=name,
    )
    skill.norm = Norm.of(SimpleNamespace(**vars(skill), window_kind=kind if end is not None else ""))
    return skill


def group_of(skill, age) -> str:
    groups = group_skills([skill], age)
    return next(key for key, found in groups.items() if found)


# --- Inside and after the window -------------------------------------------------


def test_on_the_first_day_of_a_window_without_a_median_some_children_start_now():
    assert group_of(_skill(4, 8), 4) == "starting_now"


def test_inside_the_window_some_children_start_now():
    assert group_of(_skill(4, 8), 6) == "starting_now"


def test_at_the_end_of_the_window_it_is_still_not_late():
    assert group_of(_skill(4, 8), 8) == "starting_now"


def test_just_past_the_end_unrecorded_it_is_to_check_not_overdue():
    assert group_of(_skill(4, 8), 8.01) == "to_check"


@pytest.mark.parametrize("status", ["not_yet", "emerging"])
def test_just_past_the_end_not_achieved_it_is_overdue(status):
    assert group_of(_skill(4, 8, status), 8.01) == "overdue"


def test_past_a_typical_age_not_achieved_it_is_later_than_typical_not_overdue():
    assert group_of(_skill(4, 8, "not_yet", kind="typical_age"), 8.01) == "later_than_typical"


def test_decimal_windows_from_the_database_compare_like_numbers():
    assert group_of(_skill(Decimal("8.2"), Decimal("17.6")), 17.6) == "starting_now"


# --- Achieved -----------------------------------------------------------------------


@pytest.mark.parametrize("age", [0, 4, 6, 8.01, 30, 120])
def test_achieved_is_achieved_at_any_age(age):
    assert group_of(_skill(4, 8, "achieved"), age) == "achieved"


def test_a_skill_no_longer_seen_comes_before_everything_else():
    assert group_of(_skill(4, 8, "not_yet", lost=True), 6) == "no_longer_seen"


def test_achieved_custom_skill_without_a_window_is_achieved():
    assert group_of(_skill(None, None, "achieved"), 10) == "achieved"


# --- Before the window ------------------------------------------------------------------


def test_window_starting_within_6_months_is_coming_up():
    assert group_of(_skill(8, 12), 5) == "coming_up"


def test_window_starting_exactly_6_months_ahead_is_coming_up():
    assert group_of(_skill(10, 14), 4) == "coming_up"


def test_window_starting_just_over_6_months_ahead_is_later():
    assert group_of(_skill(10.01, 14), 4) == "later"


def test_window_starting_years_ahead_is_later():
    assert group_of(_skill(48, 60), 6) == "later"


def test_not_yet_before_the_window_is_still_coming_up():
    assert group_of(_skill(8, 12, "not_yet"), 5) == "coming_up"


# --- Long ago ---------------------------------------------------------------------------


@pytest.mark.parametrize("age", [14, 14.01, 48])
def test_unrecorded_skill_that_ended_long_ago_is_to_check(age):
    assert group_of(_skill(0, 2), age) == "to_check"


def test_not_yet_skill_that_ended_long_ago_stays_overdue():
    assert group_of(_skill(0, 2, "not_yet"), 48) == "overdue"


def test_emerging_skill_that_ended_long_ago_stays_overdue():
    assert group_of(_skill(0, 2, "emerging"), 48) == "overdue"


# --- No window --------------------------------------------------------------------------


def test_skill_without_a_window_is_tracked():
    assert group_of(_skill(None, None), 10) == "tracked"


def test_skill_with_only_a_start_is_tracked():
    assert group_of(_skill(6, None), 10) == "tracked"


def test_not_yet_skill_without_a_window_is_tracked_not_late():
    assert group_of(_skill(None, None, "not_yet"), 100) == "tracked"


# --- Grouping a list ------------------------------------------------------------------------


def test_every_group_is_present_even_when_empty_in_the_order_a_parent_needs():
    assert list(group_skills([], 6)) == list(GROUP_ORDER)
    assert list(GROUP_ORDER)[:3] == ["no_longer_seen", "overdue", "expected_now"]


def test_each_skill_lands_in_exactly_one_group():
    skills = [_skill(0, 2), _skill(4, 8), _skill(8, 12), _skill(30, 36), _skill(None, None), _skill(0, 1, "achieved")]
    groups = group_skills(skills, 6)
    assert sum(len(found) for found in groups.values()) == 6
    assert [len(groups[key]) for key in ("to_check", "starting_now", "coming_up", "later", "tracked", "achieved")] == [
        1,
        1,
        1,
        1,
        1,
        1,
    ]


def test_groups_keep_the_input_order():
    first, second = _skill(4, 8, name="first"), _skill(5, 7, name="second")
    assert group_skills([first, second], 6)["starting_now"] == [first, second]


def test_longest_overdue_comes_first():
    recent, oldest, middle = _skill(4, 9, "not_yet"), _skill(0, 2, "not_yet"), _skill(2, 4, "emerging")
    assert group_skills([recent, oldest, middle], 10)["overdue"] == [oldest, middle, recent]


def test_overdue_skills_ending_together_follow_their_order():
    second, first = _skill(0, 2, "not_yet", order=20), _skill(0, 2, "not_yet", order=10)
    assert group_skills([second, first], 10)["overdue"] == [first, second]


# --- Summaries --------------------------------------------------------------------------------


def test_summary_counts_statuses_overdue_and_to_check_per_domain():
    domain = SimpleNamespace(pk=1)
    skills = [_skill(0, 2, "achieved"), _skill(0, 2, "emerging"), _skill(0, 2, "not_yet"), _skill(0, 2), _skill(9, 12)]
    summary = summarise([domain], skills, 6)[0]
    counts = (summary.achieved, summary.emerging, summary.not_yet, len(summary.overdue), len(summary.to_check))
    assert counts == (1, 1, 1, 2, 1)


def test_summary_ignores_skills_of_other_domains():
    summary = summarise([SimpleNamespace(pk=1)], [_skill(0, 2, "achieved", domain_id=2)], 6)[0]
    assert summary.achieved == 0


def test_summary_lists_every_overdue_skill_longest_first():
    domains = [SimpleNamespace(pk=1)]
    skills = [_skill(0, end, "not_yet") for end in (5, 3, 4, 2.5, 3.5, 1, 1.5, 2, 4.5, 5.5, 0.5, 2.2)]
    overdue = summarise(domains, skills, 6)[0].overdue
    assert [float(s.window_end_months) for s in overdue] == sorted(float(s.window_end_months) for s in skills)


def test_a_therapist_sees_the_areas_of_their_own_discipline_first():
    gross, fine = SimpleNamespace(pk=1, discipline="PT"), SimpleNamespace(pk=2, discipline="OT")
    summaries = summarise([gross, fine], [], 6)
    assert [s.domain for s in own_discipline_first(summaries, "OT")] == [fine, gross]
    assert [s.domain for s in own_discipline_first(summaries, "PT")] == [gross, fine]


# --- Real children: term and premature ------------------------------------------------------------

# Both born on 10 January 2025; on 10 November 2025 they are 10 months old.
BORN = date(2025, 1, 10)
TEN_MONTHS_OLD = datetime(2025, 11, 10, 12, 0, tzinfo=UTC)


def _age_today(child: Child, when: datetime) -> float:
    with time_machine.travel(when, tick=False):
        return child.effective_age_in_months(timezone.localdate())


def test_premature_child_is_compared_at_corrected_age():
    # Born at 28 weeks: 12 weeks early, so about 7.2 months corrected at 10 months.
    age = _age_today(Child(date_of_birth=BORN, gestational_days=28 * 7), TEN_MONTHS_OLD)
    assert 7.1 < age < 7.3


def test_term_child_is_compared_at_chronological_age():
    age = _age_today(Child(date_of_birth=BORN), TEN_MONTHS_OLD)
    assert 9.9 < age < 10.1


@pytest.mark.django_db
def test_walking_alone_is_coming_up_for_a_premature_ten_month_old():
    age = _age_today(Child(date_of_birth=BORN, gestational_days=28 * 7), TEN_MONTHS_OLD)
    assert group_of(Skill.objects.get(slug="gm-walks-alone"), age) == "coming_up"


@pytest.mark.django_db
def test_walking_alone_is_starting_now_for_a_term_ten_month_old_before_the_median():
    age = _age_today(Child(date_of_birth=BORN), TEN_MONTHS_OLD)
    assert group_of(Skill.objects.get(slug="gm-walks-alone"), age) == "starting_now"


@pytest.mark.django_db
def test_walking_alone_is_expected_now_for_a_term_thirteen_month_old_past_the_median():
    age = _age_today(Child(date_of_birth=BORN), datetime(2026, 2, 10, 12, 0, tzinfo=UTC))
    assert group_of(Skill.objects.get(slug="gm-walks-alone"), age) == "expected_now"


def test_correction_still_applies_the_day_before_24_months():
    age = _age_today(Child(date_of_birth=BORN, gestational_days=28 * 7), datetime(2027, 1, 9, 12, 0, tzinfo=UTC))
    assert age < 21.5


def test_correction_stops_at_24_months():
    premature = _age_today(Child(date_of_birth=BORN, gestational_days=28 * 7), datetime(2027, 1, 10, 12, 0, tzinfo=UTC))
    term = _age_today(Child(date_of_birth=BORN), datetime(2027, 1, 10, 12, 0, tzinfo=UTC))
    assert premature == term


@pytest.mark.django_db
def test_after_24_months_the_premature_child_is_grouped_like_a_term_child():
    # At 25 months kicking a ball (CDC 24) is past its window for both; at corrected age it would not be.
    when = datetime(2027, 2, 10, 12, 0, tzinfo=UTC)
    kicks = Skill.objects.get(slug="gm-kicks-ball")
    kicks.current_observations = [SimpleNamespace(status="not_yet", recorded_at=None, last_achieved_id=None)]
    premature = group_of(kicks, _age_today(Child(date_of_birth=BORN, gestational_days=28 * 7), when))
    term = group_of(kicks, _age_today(Child(date_of_birth=BORN), when))
    assert (premature, term) == ("overdue", "overdue")
