"""The progress review page: every chart over a chosen period, with the numbers, printable."""

import re
from datetime import UTC, date, datetime

import pytest
import time_machine
from django.urls import reverse
from pytest_django.asserts import assertContains, assertFormError, assertNotContains

from tracker.models import AuditEvent

from ..factories import goal, observation

pytestmark = pytest.mark.django_db

TODAY = datetime(2026, 3, 1, 11, 0, tzinfo=UTC)  # Maya (born 10 March 2025) is 11 months old


@pytest.fixture(autouse=True)
def _frozen_today():
    with time_machine.travel(TODAY, tick=False):
        yield


def _url(child, query: str = "") -> str:
    return reverse("tracker:progress_review", args=[child.public_id]) + query


@pytest.fixture
def history(child, pt, guardian):
    observation(child, guardian, skill="gm-sits-without-support", status="achieved", on=date(2025, 9, 1))
    observation(child, pt, skill="gm-stands-alone", status="emerging", on=date(2026, 2, 1))
    observation(child, pt, skill="fm-raking-grasp", status="achieved", on=date(2026, 1, 10))
    goal(child, pt)


@pytest.mark.parametrize("role", ["guardian", "viewer", "pt"])
def test_everyone_on_the_team_may_open_the_review(login, team, child, role):
    assert login(team[role]).get(_url(child)).status_code == 200


def test_outsider_gets_404(login, outsider, child):
    assert login(outsider).get(_url(child)).status_code == 404


def test_default_period_is_the_last_six_months(login, pt, child, history):
    response = login(pt).get(_url(child))
    assertContains(response, "From <strong>1 September 2025</strong> to <strong>1 March 2026</strong>")


def test_default_period_starts_at_birth_for_a_young_child(login, pt, child, history):
    with time_machine.travel(datetime(2025, 6, 1, 11, 0, tzinfo=UTC), tick=False):
        response = login(pt).get(_url(child))
    assertContains(response, "From <strong>10 March 2025</strong>")


def test_all_four_chart_kinds_with_the_period(login, pt, child, history):
    response = login(pt).get(_url(child, "?from=2025-12-01&to=2026-02-28"))
    period = "from=2025-12-01&amp;to=2026-02-28"
    assertContains(response, f"/charts/progress/gross-motor.png?{period}")
    assertContains(response, "/charts/milestones/gross-motor.png?to=2026-02-28")
    assertContains(response, f"/charts/skills/gm-stands-alone.png?{period}")
    assertContains(response, f"/charts/goals.png?{period}")


def test_charts_are_embedded_as_svg_and_downloaded_as_png(login, pt, child, history):
    response = login(pt).get(_url(child, "?from=2025-12-01&to=2026-02-28"))
    period = "from=2025-12-01&amp;to=2026-02-28"
    page = response.content.decode()
    images = re.findall(r'<img class="chart-img" src="([^"]+)"', page)
    assert images and all(".svg?" in src for src in images)
    assertContains(response, f'href="/children/{child.public_id}/charts/goals.png?{period}" download>')
    assertContains(response, "/charts/milestones/gross-motor.svg?to=2026-02-28&amp;all=1")


def test_every_scrollable_table_can_be_reached_by_keyboard(login, pt, child, history):
    """axe's scrollable-region-focusable (serious) found 3 wrappers on this page without it (issue 14)."""
    page = login(pt).get(_url(child, "?from=2025-12-01&to=2026-02-28")).content.decode()
    wrappers = re.findall(r'<div class="table-responsive"[^>]*>', page)
    assert len(wrappers) >= 3
    for wrapper in wrappers:
        assert 'tabindex="0"' in wrapper and 'role="region"' in wrapper and 'aria-label="' in wrapper, wrapper


def test_only_skills_observed_in_the_period_get_a_history_chart(login, pt, child, history):
    response = login(pt).get(_url(child, "?from=2025-12-01&to=2026-02-28"))
    assertNotContains(response, "/charts/skills/gm-sits-without-support.png")


def test_areas_without_observations_are_left_out(login, pt, child, history):
    assertNotContains(login(pt).get(_url(child)), "/charts/progress/sensory.png")


def test_the_numbers_are_on_the_page(login, pt, child, history):
    response = login(pt).get(_url(child))
    assertContains(response, '<th scope="row">Sits without support</th>', html=False)
    assertContains(response, "Overall GAS T-score on 1 Mar 2026: <strong>40.0</strong>")


def test_print_stylesheet_is_linked(login, pt, child):
    assertContains(login(pt).get(_url(child)), 'href="/static/css/print.css" media="print"')


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("?from=2026-02-01&to=2026-01-01", "from", "The start of the period must be on or before its end."),
        ("?from=2026-01-01&to=2026-04-01", "to", "The period cannot end after today."),
        ("?from=2024-01-01&to=2026-01-01", "from", "The period cannot start before the birth date (10 Mar 2025)."),
        ("?from=someday", "from", "Enter a valid date."),
    ],
)
def test_an_invalid_period_names_the_field_and_keeps_what_was_typed(login, pt, child, query, field, message):
    response = login(pt).get(_url(child, query))
    assert response.status_code == 400
    assertFormError(response.context["form"], field, message)
    assertContains(response, query.split("&")[0].split("=")[1], status_code=400)


def test_viewing_the_review_is_audited_once_and_its_images_are_not(login, pt, child, history):
    client = login(pt)
    client.get(_url(child))
    client.get(reverse("tracker:chart_goals", args=[child.public_id, "png"]))
    assert AuditEvent.objects.filter(child=child, action="viewed").count() == 1


# 2 (session, user) + membership check + audit event + domains, skills, history, goals, reviews.
REVIEW_QUERIES = 9
SKILLS = ["gm-sits-without-support", "gm-stands-alone", "fm-raking-grasp", "sc-eats-finger-foods", "sen-looks-at-faces"]


@pytest.mark.parametrize("size", [1, 5])
def test_review_makes_the_same_queries_however_long_the_history(login, pt, child, size, django_assert_max_num_queries):
    for slug in SKILLS[:size]:
        for day in (date(2025, 10, 1), date(2025, 12, 1), date(2026, 2, 1)):
            observation(child, pt, skill=slug, status="emerging", on=day)
        goal(child, pt)
    client = login(pt)
    with django_assert_max_num_queries(REVIEW_QUERIES):
        assert client.get(_url(child)).status_code == 200
