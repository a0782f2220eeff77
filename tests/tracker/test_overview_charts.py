"""The child overview shows the progress and milestone charts of each area with observations."""

import re
from datetime import UTC, date, datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from pytest_django.asserts import assertContains, assertNotContains

from tracker import chart_data
from tracker.models import Domain

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
    assert sources == [f"{base}/progress/gross-motor.svg", f"{base}/milestones/gross-motor.svg"]


def test_each_chart_on_the_page_is_svg_with_a_png_to_download(login, guardian, child):
    """SVG on the page (DESIGN.md, "Decisions on performance"), PNG for downloads and print."""
    observation(child, guardian, skill="gm-sits-without-support", status="achieved", on=date(2025, 9, 1))
    page = _overview(login(guardian), child).content.decode()
    downloads = re.findall(r'<a class="no-print" href="([^"]+)" download>Download as PNG</a>', page)
    base = f"/children/{child.public_id}/charts"
    assert downloads == [f"{base}/progress/gross-motor.png", f"{base}/milestones/gross-motor.png"]


def test_the_milestone_chart_links_to_every_skill(login, guardian, child):
    observation(child, guardian, skill="gm-sits-without-support", status="achieved", on=date(2025, 9, 1))
    response = _overview(login(guardian), child)
    all_skills = f'href="/children/{child.public_id}/charts/milestones/gross-motor.svg?all=1">Chart every skill</a>'
    assertContains(response, all_skills, count=1)


def test_the_milestone_table_lists_every_skill_not_only_those_charted(login, guardian, child):
    observation(child, guardian, skill="gm-sits-without-support", status="achieved", on=date(2025, 9, 1))
    chart = chart_data.milestone_chart(child, Domain.objects.get(slug="gross-motor"), on=timezone.localdate())
    response = _overview(login(guardian), child)
    assert len(chart.rows) < len(chart.every_row)
    for row in chart.every_row:
        assertContains(response, f'<th scope="row">{escape(row.name)}</th>')


def test_tables_beside_charts_are_focusable_labelled_regions(login, guardian, child):
    """axe's scrollable-region-focusable: a keyboard user must be able to scroll a wide table."""
    observation(child, guardian, skill="gm-sits-without-support", status="achieved", on=date(2025, 9, 1))
    page = _overview(login(guardian), child).content.decode()
    wrappers = re.findall(r'<div class="table-responsive"[^>]*>', page)
    assert len(wrappers) == 2
    assert all('tabindex="0"' in w and 'role="region"' in w and 'aria-label="Gross motor' in w for w in wrappers)


def test_chart_images_have_a_size_and_a_meaningful_alt_text(login, guardian, child):
    observation(child, guardian, skill="gm-sits-without-support", status="achieved", on=date(2025, 9, 1))
    images = _images(_overview(login(guardian), child))
    assert all('width="400"' in img and re.search(r'height="\d{3,4}"', img) for img in images)
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
    assertNotContains(_overview(login(guardian), child), "/charts/progress/fine-motor.")
