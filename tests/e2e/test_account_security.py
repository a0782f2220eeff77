"""Account security in Chromium: two-factor set up and used, and a long form's warning before the idle timeout.

Every page is checked with axe, and any console error (a CSP violation included: the QR code is an SVG
data image, the warning a static script) fails the test.
"""

import re
from collections.abc import Callable

import pytest
from django_otp.oath import totp
from playwright.sync_api import Locator, Page, expect

from tracker.models import Role

from ..factories import PASSWORD, ChildFactory, MembershipFactory, UserFactory

AxeCheck = Callable[[Page], None]


def field(page: Page, label: str) -> Locator:
    return page.get_by_label(re.compile(rf"^\s*{re.escape(label)}\W*$"))


def log_in(page: Page, email: str) -> None:
    page.goto("/accounts/login/")
    field(page, "Email").fill(email)
    field(page, "Password").fill(PASSWORD)
    page.get_by_role("main").get_by_role("button", name="Log in").click()


def code_from_key(key: str, *, steps_ahead: int = 0) -> str:
    """What an authenticator app shows for the key typed from the set-up page."""
    import base64

    secret = base64.b32decode(key.replace(" ", "") + "=" * (-len(key.replace(" ", "")) % 8))
    return f"{totp(secret, step=30, t0=-30 * steps_ahead, digits=6):06d}"


@pytest.mark.browser
def test_two_factor_is_set_up_from_the_profile_and_asked_at_the_next_log_in(page: Page, axe_check: AxeCheck) -> None:
    UserFactory(email="tess@example.org", name="Tess Therapist", profession="ot")
    log_in(page, "tess@example.org")
    page.get_by_role("link", name="Tess Therapist").click()
    page.get_by_role("link", name="Two-factor authentication").click()
    axe_check(page)
    page.get_by_role("link", name="Set up two-factor authentication").click()
    expect(page.get_by_role("img", name=re.compile("QR code"))).to_be_visible()
    axe_check(page)
    key = page.locator("#totp-key").inner_text()
    field(page, "Code").fill("000000")
    page.get_by_role("button", name="Turn on two-factor authentication").click()
    expect(page.get_by_role("main")).to_contain_text("That code is not right")
    page.wait_for_timeout(1500)  # django-otp makes the next try after a wrong code wait a second
    field(page, "Code").fill(code_from_key(key))
    page.get_by_role("button", name="Turn on two-factor authentication").click()
    expect(page.get_by_role("heading", name="Two-factor authentication is on")).to_be_visible()
    expect(page.locator("#recovery-codes li")).to_have_count(10)
    axe_check(page)

    page.get_by_role("button", name="Log out").click()
    log_in(page, "tess@example.org")
    expect(page.get_by_role("heading", name="One more step")).to_be_visible()
    axe_check(page)
    field(page, "Code").fill(code_from_key(key, steps_ahead=1))
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="My children")).to_be_visible()


@pytest.mark.browser
def test_a_long_form_warns_before_the_idle_timeout_and_stays_signed_in(
    page: Page, axe_check: AxeCheck, settings
) -> None:
    settings.SESSION_IDLE_TIMEOUT = 9  # the warning comes a third of the way before: after about 6 s
    child = ChildFactory(given_name="Maya")
    parent = UserFactory(email="pat@example.org", name="Pat Parent")
    MembershipFactory(child=child, user=parent, role=Role.GUARDIAN)
    log_in(page, "pat@example.org")
    page.goto(f"/children/{child.public_id}/notes/new/")
    warning = page.get_by_role("alert").filter(has_text="You will be logged out")
    expect(warning).to_be_visible(timeout=15_000)
    axe_check(page)
    page.get_by_role("button", name="Stay signed in").click()
    expect(warning).to_have_count(0)
