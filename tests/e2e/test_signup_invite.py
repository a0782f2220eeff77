"""The foundation end to end in Chromium: a parent signs up, adds a child and invites an OT, who joins.

Each new account confirms its address from the mail before logging in.

Every page visited is checked with axe, and any browser console error (a CSP violation included) fails.
"""

import re
from collections.abc import Callable
from datetime import date, timedelta

import pytest
from django.core import mail
from playwright.sync_api import Locator, Page, expect

PASSWORD = "a-long-browser-password-42"
PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True}

AxeCheck = Callable[[Page], None]


def field(page: Page, label: str) -> Locator:
    """The form field with exactly this label, ignoring crispy-forms' "*" on required fields."""
    return page.get_by_label(re.compile(rf"^\s*{re.escape(label)}\W*$"))


def sign_up(page: Page, axe_check: AxeCheck, *, name: str, profession: str, email: str | None = None) -> None:
    """Fill in the sign-up form already open on `page` (the email too, unless it is pre-filled) and send it."""
    expect(page.get_by_role("heading", name="Create an account")).to_be_visible()
    axe_check(page)
    if email is not None:
        field(page, "Email address").fill(email)
    field(page, "Your name").fill(name)
    field(page, "Profession").select_option(label=profession)
    field(page, "Password").fill(PASSWORD)
    field(page, "Password confirmation").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()


def confirm_and_log_in(page: Page, axe_check: AxeCheck, email: str) -> None:
    """After sign-up: follow the confirmation link mailed to `email`, then log in on the page it leads to."""
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    axe_check(page)
    message = next(m for m in reversed(mail.outbox) if m.to == [email] and "Confirm your email" in m.subject)
    page.goto(re.search(r"https?://\S+/accounts/email/confirm/\S+/", message.body)[0])
    axe_check(page)
    page.get_by_role("button", name=f"Confirm {email}").click()
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text(f"{email} is confirmed")
    field(page, "Email").fill(email)
    field(page, "Password").fill(PASSWORD)
    page.get_by_role("main").get_by_role("button", name="Log in").click()


def add_child(page: Page, axe_check: AxeCheck, *, given_name: str, born: date, gestation: str) -> None:
    """From "My children", add a child through the form; ends on the child's overview."""
    page.get_by_role("main").get_by_role("link", name="Add a child").click()
    expect(page.get_by_role("heading", name="Add a child")).to_be_visible()
    axe_check(page)
    field(page, "Given name").fill(given_name)
    field(page, "Date of birth").fill(born.isoformat())
    field(page, "Gestational age at birth (optional)").fill(gestation)
    page.get_by_role("button", name="Add child").click()
    expect(page.get_by_role("heading", name=given_name, exact=True)).to_be_visible()


def assert_fits_width(page: Page) -> None:
    width = page.viewport_size["width"]
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= width, f"{page.url} scrolls sideways on a {width}px screen: {scroll_width}px wide"


@pytest.mark.browser
def test_parent_invites_an_ot_who_signs_up_and_joins(
    page: Page, new_page: Callable[..., Page], axe_check: AxeCheck, live_server
) -> None:
    # A parent signs up, confirms the address from the mail, logs in and lands on an empty "My children".
    page.goto("/accounts/signup/")
    sign_up(page, axe_check, email="pat.parent@example.org", name="Pat Parent", profession="Parent or carer")
    confirm_and_log_in(page, axe_check, "pat.parent@example.org")
    expect(page.get_by_role("heading", name="My children")).to_be_visible()
    axe_check(page)

    # ...adds a child born at 32+3 weeks, about ten months ago: the overview shows a corrected age.
    add_child(page, axe_check, given_name="Maya", born=date.today() - timedelta(days=300), gestation="32+3")
    expect(page.get_by_text("corrected:")).to_be_visible()
    expect(page.get_by_text("Born at 32+3 weeks")).to_be_visible()
    axe_check(page)

    # ...and invites an occupational therapist from the care team page.
    page.get_by_role("link", name="Care team").click()
    expect(page.get_by_role("heading", name="Maya: care team")).to_be_visible()
    axe_check(page)
    field(page, "Email").fill("olga.ot@example.org")
    field(page, "Role").select_option(label="Therapist")
    field(page, "Therapist's discipline").select_option(label="Occupational therapy")
    page.get_by_role("button", name="Send invitation").click()
    link_box = page.get_by_label("Invitation link")
    expect(link_box).to_have_attribute("readonly", "")
    expect(page.get_by_role("main")).to_contain_text("olga.ot@example.org — Therapist (Occupational therapy)")
    axe_check(page)
    link = link_box.input_value()
    assert re.fullmatch(rf"{re.escape(live_server.url)}/invitations/[\w-]+/", link), link
    assert link in mail.outbox[-1].body, "the link shown is the link mailed"
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    axe_check(page)

    # The OT opens the link in another browser, signs up through the offered link, and comes back.
    ot = new_page()
    ot.goto(link)
    expect(ot.get_by_role("heading", name="Join Maya's care team")).to_be_visible()
    expect(ot.get_by_role("main")).to_contain_text("Pat Parent invited olga.ot@example.org")
    axe_check(ot)
    ot.get_by_role("main").get_by_role("link", name="Create an account").click()
    expect(field(ot, "Email address")).to_have_value("olga.ot@example.org")
    sign_up(ot, axe_check, name="Olga OT", profession="Occupational therapist")
    confirm_and_log_in(ot, axe_check, "olga.ot@example.org")
    expect(ot).to_have_url(link)
    axe_check(ot)
    ot.get_by_role("button", name="Accept and join the team").click()

    # She is on the team: the child's overview, then "My children", then the overview again.
    expect(ot.get_by_role("heading", name="Maya", exact=True)).to_be_visible()
    expect(ot.get_by_role("status")).to_contain_text("You are now on Maya's care team.")
    expect(ot.get_by_role("main")).to_contain_text("Olga OT — Therapist (Occupational therapy)")
    axe_check(ot)
    ot.get_by_role("link", name="My children").click()
    expect(ot.get_by_role("heading", name="My children")).to_be_visible()
    axe_check(ot)
    ot.get_by_role("link", name="Maya").click()
    expect(ot.get_by_role("heading", name="Maya", exact=True)).to_be_visible()
    axe_check(ot)


@pytest.mark.browser
def test_sign_up_and_child_overview_fit_a_phone(new_page: Callable[..., Page], axe_check: AxeCheck) -> None:
    phone = new_page(**PHONE)
    phone.goto("/accounts/signup/")
    assert_fits_width(phone)
    sign_up(phone, axe_check, email="sam.parent@example.org", name="Sam Parent", profession="Parent or carer")
    confirm_and_log_in(phone, axe_check, "sam.parent@example.org")
    expect(phone.get_by_role("heading", name="My children")).to_be_visible()
    axe_check(phone)

    add_child(phone, axe_check, given_name="Noah", born=date.today() - timedelta(days=200), gestation="30+0")
    axe_check(phone)
    assert_fits_width(phone)

    # The menu folds behind a button on a phone, and Bootstrap's script (allowed by the CSP) opens it.
    phone.get_by_role("button", name="Show menu").click()
    expect(phone.get_by_role("link", name="My children")).to_be_visible()
