"""The home programme in the progress reports (issue 17 asked for it "in the progress report once it exists").

What the report counts is checked on its data (fast); that the PDF prints it, in tests/tracker/test_reports.py.
"""

from datetime import UTC, date, datetime

import pytest
import time_machine

from tracker import programme
from tracker.charts import adherence
from tracker.reports.data import Spec, practice

from ..factories import activity, goal

pytestmark = pytest.mark.django_db

# A Wednesday: the report's last week runs from Monday 16 to Sunday 22 November.
TODAY = date(2026, 11, 18)


@pytest.fixture(autouse=True)
def _frozen_today():
    with time_machine.travel(datetime(2026, 11, 18, 10, 0, tzinfo=UTC), tick=False):
        yield


def _spec(kind: str = "therapist", scope: str = "joint", start: date = date(2026, 10, 1)) -> Spec:
    return Spec(kind=kind, scope=scope, start=start, end=TODAY, made_on=TODAY)


@pytest.fixture
def walking(child, pt, guardian):
    """Three times a week from Monday 2 November; logged on the 3rd, 10th and 17th (hard), one tap undone today."""
    walks = activity(child, pt, times_per_week=3, start=date(2026, 11, 2))
    for day, how in ((date(2026, 11, 3), ""), (date(2026, 11, 10), ""), (date(2026, 11, 17), "hard")):
        programme.log_practice(activity=walks, by=guardian, how=how, on=day)
    programme.log_practice(activity=walks, by=guardian)
    programme.undo_practice(activity=walks, by=guardian)
    return walks


def test_the_report_counts_practice_against_plan_in_whole_weeks(child, walking):
    first, lines, _ = practice(child, _spec(), [], {"OT", "PT"})
    assert first == date(2026, 9, 28)  # the Monday of the week the period starts in
    [line] = lines
    assert (line.name, line.title, line.planned, line.done, line.percent) == ("A1", walking.title, 9, 3, "33 %")


def test_an_undone_tap_does_not_count_and_how_it_went_is_counted(child, walking):
    [line] = practice(child, _spec(), [], {"OT", "PT"})[1]
    assert (line.done, line.hard, line.didnt_manage) == (3, 1, 0)


def test_an_activity_that_ended_before_the_period_is_left_out(child, pt):
    activity(child, pt, title="Old activity", start=date(2026, 6, 1), end=date(2026, 9, 1))
    assert practice(child, _spec(), [], {"OT", "PT"})[1] == []


def test_an_activity_for_one_of_the_reports_goals_names_that_goal(child, pt):
    first, second = goal(child, pt, description="One"), goal(child, pt, description="Two")
    activity(child, pt, goal=second, start=date(2026, 11, 2))
    [line] = practice(child, _spec(), [first, second], {"OT", "PT"})[1]
    assert line.goal_number == 2


def test_a_one_discipline_report_keeps_that_disciplines_activities_and_those_for_its_goals(child, pt, ot):
    own_goal = goal(child, ot, domain="fine-motor", description="Stacks blocks")
    activity(child, pt, title="Set by the PT", start=date(2026, 11, 2))
    activity(child, ot, title="Set by the OT", start=date(2026, 11, 2))
    activity(child, pt, title="Set by the PT for the OT goal", goal=own_goal, start=date(2026, 11, 2))
    lines = practice(child, _spec(scope="OT"), [own_goal], {"OT"})[1]
    assert [line.title for line in lines] == ["Set by the OT", "Set by the PT for the OT goal"]


def test_the_reports_chart_shows_the_last_weeks_and_keeps_each_activitys_number(child, pt):
    activity(child, pt, title="Ended in October", start=date(2026, 10, 1), end=date(2026, 10, 10))
    activity(child, pt, title="Running now", start=date(2026, 10, 1))
    whole = practice(child, _spec(start=date(2026, 8, 1)), [], {"OT", "PT"})[2]
    recent = adherence.last_weeks(whole, 4)
    assert len(whole.weeks) == 17 and len(recent.weeks) == 4
    assert [(row.name, row.label) for row in recent.rows] == [("A2", "Running now")]
