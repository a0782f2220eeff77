"""The checklist on a 360×740 phone.

- A parent ticks three skills on the checklist and sees the overview's counts change.
- The gross-motor checklist of the demo's Maya (20 months, a handful of observations) stays short: its
  page is measured as rendered and printed as a figure line (CHECKLIST HEIGHT). Issue 14 found it about
  7,000 px tall; measured at 961568a, before the phone-first work, the page was 7,060 px.
"""

import re
from collections.abc import Callable
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import Page, expect

from tests.factories import PASSWORD, ChildFactory, MembershipFactory, UserFactory
from tracker.management.commands.load_demo import DEMO_PASSWORD
from tracker.models import Child, Role

PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True}
# The whole page (header, tabs and checklist) in CSS px: 4,311 px measured when this was set, and a margin.
CHECKLIST_BUDGET_PX = 4_600


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


@pytest.mark.browser
def test_the_demo_gross_motor_checklist_stays_short_on_a_phone(new_page: Callable[..., Page]) -> None:
    call_command("load_demo", stdout=StringIO())
    maya = Child.objects.get(given_name="Maya")
    page = new_page(**PHONE)
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill("parent@example.org")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    page.goto(f"/children/{maya.public_id}/checklist/gross-motor/")
    page.wait_for_load_state("load")
    measured = page.evaluate(
        """() => {
          const groups = [...document.querySelectorAll('main section.checklist-group')].filter((g) => !g.hidden);
          const top = Math.min(...groups.map((g) => g.getBoundingClientRect().top));
          const bottom = Math.max(...groups.map((g) => g.getBoundingClientRect().bottom));
          return {page: document.documentElement.scrollHeight, groups: Math.round(bottom - top),
                  rows: document.querySelectorAll('main li.skill-row').length,
                  width: document.documentElement.scrollWidth};
        }"""
    )
    print(
        f"\nCHECKLIST HEIGHT at 360 px, gross motor, demo Maya: page {measured['page']} px, "
        f"groups {measured['groups']} px, {measured['rows']} rows (budget {CHECKLIST_BUDGET_PX} px)"
    )
    assert measured["width"] <= 360
    # Shorter because rows are compact and long groups fold, not because rows left: the 21 rows are all there.
    assert measured["rows"] >= 21
    assert measured["page"] <= CHECKLIST_BUDGET_PX
