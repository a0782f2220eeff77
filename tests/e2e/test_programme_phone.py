"""A parent on a phone opens "This week", taps "Practised today" with how it went, then undoes it."""

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from tests.factories import PASSWORD, ChildFactory, MembershipFactory, UserFactory, activity, therapist
from tracker.models import PracticeLog, Role

PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True}


@pytest.mark.browser
def test_parent_logs_practice_with_one_tap_and_undoes_it(
    new_page: Callable[..., Page], axe_check: Callable[[Page], None], live_server
) -> None:
    parent = UserFactory(email="phone.parent@example.org", name="Pat Parent")
    child = ChildFactory(given_name="Nina", date_of_birth=timezone.localdate() - timedelta(days=300))
    MembershipFactory(child=child, user=parent, role=Role.GUARDIAN)
    activity(child, therapist(child), title="Walks with a push toy", times_per_week=3)

    page = new_page(**PHONE)
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email").fill(parent.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("link", name="Nina Example").click()
    page.get_by_role("link", name="This week").click()
    row = page.locator("li.activity-row")
    expect(row.get_by_text("0 of 3")).to_be_visible()
    axe_check(page)

    row.get_by_text("How did it go?").click()
    row.get_by_label("Hard").check()
    row.get_by_role("button", name="Practised today").click()
    # htmx swaps the row in place: the count moves and the row says it is saved.
    expect(row.get_by_text("1 of 3")).to_be_visible()
    expect(row.get_by_text("saved")).to_be_visible()
    assert page.locator("li.activity-row li.activity-row").count() == 0
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    row.get_by_role("button", name="Undo my last").click()
    expect(row.get_by_text("0 of 3")).to_be_visible()
    expect(row.get_by_text("undone, kept in the history")).to_be_visible()
    axe_check(page)
    log = PracticeLog.objects.get()
    assert (log.how, log.is_withdrawn) == ("hard", True)
