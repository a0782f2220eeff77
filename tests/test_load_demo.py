"""The demo family (`manage.py load_demo`): what the README promises is what the app shows."""

import html
import re
from datetime import UTC, datetime
from io import StringIO
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tracker import ages, chart_data
from tracker.management.commands.load_demo import DEMO_PROGRAMME
from tracker.models import Activity, Child, Domain, Goal

pytestmark = pytest.mark.django_db

README = Path(settings.BASE_DIR, "README.md").read_text()
# Days of the year where calendar months are awkward: month ends, February, a leap day, New Year.
DAYS = [datetime(2026, 12, 3, 9, 0, tzinfo=UTC), datetime(2027, 3, 31, 9, 0, tzinfo=UTC)]
DAYS += [datetime(2028, 2, 29, 9, 0, tzinfo=UTC), datetime(2027, 1, 1, 9, 0, tzinfo=UTC)]


def _load() -> None:
    call_command("load_demo", stdout=StringIO())


def _demo_line() -> str:
    return next(line for line in README.splitlines() if line.startswith("| parent@example.org"))


@pytest.mark.parametrize("today", DAYS, ids=lambda day: f"{day:%Y-%m-%d}")
def test_the_readme_gives_the_ages_the_overview_shows(today):
    with time_machine.travel(today, tick=False):
        _load()
        on = timezone.localdate()
        maya = Child.objects.get(given_name="Maya")
        leo = Child.objects.get(given_name="Leo")
        maya_age = ages.chronological_age(maya.date_of_birth, on).in_words()
        leo_age = ages.chronological_age(leo.date_of_birth, on).in_words()
        leo_corrected = ages.corrected_age(leo.date_of_birth, leo.gestational_days, on).in_words()
    line = _demo_line()
    assert f"Maya ({maya_age})" in line
    assert f"Leo (born at 30 weeks, {leo_age}; corrected age {leo_corrected})" in line


def test_the_demo_goal_is_set_on_its_baseline_date():
    """It was "set" on the day the demo was loaded, with its baseline review weeks earlier (issue 14)."""
    _load()
    goal = Goal.objects.get(child__given_name="Maya")
    first_review = goal.reviews.order_by("reviewed_on").first()
    assert timezone.localtime(goal.created_at).date() == first_review.reviewed_on < timezone.localdate()


def test_the_goal_marker_on_the_progress_chart_sits_at_the_set_date_not_today():
    _load()
    maya = Child.objects.get(given_name="Maya")
    goal = Goal.objects.get(child=maya)
    chart = chart_data.progress_chart(maya, Domain.objects.get(slug="gross-motor"), on=timezone.localdate())
    set_at = round(ages.effective_age_in_months(maya.date_of_birth, None, goal.reviews.first().reviewed_on), 2)
    assert list(chart.goal_ages) == [pytest.approx(set_at, abs=0.01)]
    assert chart.goal_ages[0] < chart.age - 1  # weeks before today, not at today


def test_sams_this_week_shows_the_programmes_the_demo_ot_and_pt_set():
    """`make run`'s promise (issue 17): the parent's "This week" lists Maya's and Leo's activities."""
    _load()
    for child in Child.objects.all():
        set_by = {activity.set_by.email for activity in Activity.objects.filter(child=child)}
        assert set_by == {"ot@example.org", "pt@example.org"}, child.given_name
    parent = Client()
    parent.force_login(get_user_model().objects.get(email="parent@example.org"))
    for child in Child.objects.all():
        page = parent.get(reverse("tracker:programme", args=[child.public_id])).content.decode()
        titles = [activity.title for activity in Activity.objects.filter(child=child)]
        assert len(titles) == len(DEMO_PROGRAMME[child.given_name])
        assert all(html.escape(title) in page for title in titles), child.given_name
        assert "Practised today" in page


DEMO_CONCERNS = {
    "Maya": (["gm-walks-alone", "fm-scribbles", "sc-manages-open-cup-with-spills"], 25),
    "Leo": (["gm-holds-head-steady"], 10),
}


@pytest.mark.parametrize("name", DEMO_CONCERNS)
def test_the_overview_raises_only_the_real_concerns_and_counts_the_unknown_apart(name):
    """Issue 13: Maya's 19 "overdue" (15 never recorded) are 3 overdue and 25 to check; Leo's 11 are 1 and 10."""
    with time_machine.travel(DAYS[0], tick=False):
        _load()
        child = Child.objects.get(given_name=name)
        parent = Client()
        parent.force_login(get_user_model().objects.get(email="parent@example.org"))
        page = parent.get(reverse("tracker:child_detail", args=[child.public_id])).content.decode()
    counts = re.findall(r'data-count="(overdue|to_check)">(\d+)<', page)
    overdue, to_check = DEMO_CONCERNS[name]
    assert sum(int(n) for kind, n in counts if kind == "overdue") == len(overdue)
    assert sum(int(n) for kind, n in counts if kind == "to_check") == to_check
    needs_attention = page.split('id="needs-attention"')[1].split('id="to-check"')[0]
    assert re.findall(r"/skills/([a-z-]+)/\"", needs_attention) == overdue
