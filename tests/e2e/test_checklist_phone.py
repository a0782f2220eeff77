"""A parent on a phone ticks three skills on the checklist and sees the overview's counts change."""

import re
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from tests.factories import PASSWORD, ChildFactory, MembershipFactory, UserFactory
from tracker.models import Role

PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True}


def _achieved_count(page: Page, domain: str) -> str:
    card = page.get_by_role("region", name=re.compile(domain))
    return card.locator("[data-count=achieved]").inner_text()


@pytest.mark.browser
def test_parent_ticks_three_skills_and_the_overview_counts_change(
    new_page: Callable[..., Page], axe_check: Callable[[Page], None], live_server
) -> None:
    parent = UserFactory(email="phone.parent@example.org", name="Pat Parent")
    child = ChildFactory(given_name="Nina", date_of_birth=timezone.localdate() - timedelta(days=300))
    MembershipFactory(child=child, user=parent, role=Role.GUARDIAN)

    page = new_page(**PHONE)
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email").fill(parent.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("link", name="Nina Example").click()
    expect(page.get_by_role("heading", name="Nina Example")).to_be_visible()
    assert _achieved_count(page, "Gross motor") == "0"
    axe_check(page)

    page.get_by_role("link", name="Checklists").click()
    axe_check(page)
    rows = page.locator("li.skill-row")
    row_count = rows.count()
    for _ in range(3):
        row = page.locator("section.checklist-group:not([hidden]) li.skill-row").first
        slug = row.get_attribute("id")
        row.get_by_role("button", name="Achieved").click()
        # htmx moves the row to the achieved group, no page load; the row says it is saved.
        expect(page.locator(f"#section-achieved #{slug}").get_by_text("saved")).to_be_visible()
    # Each row moved, none was copied or nested.
    assert rows.count() == row_count
    assert page.locator("li.skill-row li.skill-row").count() == 0
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    axe_check(page)

    page.get_by_role("link", name="Overview").click()
    expect(page.get_by_role("heading", name="Nina Example")).to_be_visible()
    assert _achieved_count(page, "Gross motor") == "3"
    axe_check(page)
