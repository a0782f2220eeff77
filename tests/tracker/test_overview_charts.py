"""The child overview shows the progress and milestone charts of each area with observations."""

import re
from datetime import UTC, date, datetime

import pytest
import time_machine
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from ..factories import observation

pytestmark = pytest.mark.django_db

TODAY = datetime(2026, 3, 1, 11, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _frozen_today():
    with time_machine.travel(TODAY, tick=False):
        yield


def _overview(client, child):
    return client.get(reverse("tracker:child_detail", args=[child.public_id]))


def _images(response) -> list[str]:
    return re.findall(r"<img [^>]*>", response.content.decode())


def test_no_charts_without_observations(login, guardian, child):
    assert _images(_overview(login(guardian), child)) == []


def test_an_area_with_observations_gets_both_charts(login, guardian, child):
    observation(child, guardian, skill="gm-sits-without-support", status="achieved", on=date(2025, 9, 1))
    response = _overview(login(guardian), child)
    sources = [re.search(r'src="([^"]+)"', img).group(1) for img in _images(response)]
    base = f"/children/{child.public_id}/charts"
    assert sources == [f"{base}/progress/gross-motor.png", f"{base}/milestones/gross-motor.png"]


def test_chart_images_have_a_size_and_a_meaningful_alt_text(login, guardian, child):
    observation(child, guardian, skill="gm-sits-without-support", status="achieved", on=date(2025, 9, 1))
    images = _images(_overview(login(guardian), child))
    assert all('width="800"' in img and re.search(r'height="\d{3,4}"', img) for img in images)
    assert 'alt="Gross motor: milestones around this age, at age 11.7 months: ' in images[1]
    assert "1 achieved, 0 overdue" in images[1]


def test_each_chart_says_in_words_what_it_shows(login, guardian, child):
    observation(child, guardian, skill="gm-sits-without-support", status="achieved", on=date(2025, 9, 1))
    response = _overview(login(guardian), child)
    assertContains(response, "The line is the share of recorded skills, past the end of their age window")
    assertContains(response, "Each bar is the age window in which children usually learn a skill")


def test_the_numbers_are_in_a_collapsed_table(login, guardian, child):
    observation(child, guardian, skill="gm-sits-without-support", status="achieved", on=date(2025, 9, 1))
    response = _overview(login(guardian), child)
    assertContains(response, "<details><summary>The numbers behind this chart</summary>", count=2)
    assertContains(response, "1 Sep 2025 (age 5.8 months)")


def test_other_areas_stay_chartless(login, guardian, child):
    observation(child, guardian, skill="gm-sits-without-support", status="achieved", on=date(2025, 9, 1))
    assertNotContains(_overview(login(guardian), child), "/charts/progress/fine-motor.png")
