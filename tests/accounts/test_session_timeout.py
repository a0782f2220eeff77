"""Idle timeout (30 minutes) and absolute limit (12 hours) on signed-in sessions, with time-machine."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from pytest_django.asserts import assertContains

from accounts.middleware import LAST_SEEN_AT, SIGNED_IN_AT
from accounts.models import User

from ..factories import PASSWORD, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
PAGE = "/children/"


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


@pytest.fixture
def browser(clock):
    """A browser that logged in at START through the log-in page."""
    user = UserFactory(email="ana@example.org")
    browser = Client()
    browser.post(reverse("accounts:login"), {"username": user.email, "password": PASSWORD})
    return browser


def _after(clock, **elapsed) -> None:
    clock.move_to(START + timedelta(**elapsed))


def _is_login_redirect(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))


def test_settings_default_to_30_minutes_idle_and_12_hours_in_all(settings):
    assert (settings.SESSION_IDLE_TIMEOUT, settings.SESSION_ABSOLUTE_LIMIT) == (30 * 60, 12 * 60 * 60)


def test_login_stamps_the_session(browser):
    assert browser.session[SIGNED_IN_AT] == browser.session[LAST_SEEN_AT] == START.timestamp()


def test_29_minutes_idle_is_still_signed_in(clock, browser):
    _after(clock, minutes=29)
    assert browser.get(PAGE).status_code == 200


def test_30_minutes_idle_logs_out(clock, browser):
    _after(clock, minutes=30)
    assert _is_login_redirect(browser.get(PAGE))


def test_idle_logout_comes_back_to_the_page_after_login(clock, browser):
    _after(clock, minutes=31)
    assert browser.get(PAGE)["Location"] == reverse("accounts:login") + "?next=/children/"


def test_idle_logout_says_why(clock, browser):
    _after(clock, minutes=31)
    response = browser.get(PAGE, follow=True)
    assertContains(response, "You were logged out after 30 minutes without activity.")


def test_idle_logout_ends_the_session_for_good(clock, browser):
    _after(clock, minutes=31)
    browser.get(PAGE)
    _after(clock, minutes=32)
    assert _is_login_redirect(browser.get(PAGE))


def test_activity_keeps_the_session_alive(clock, browser):
    for minutes in (20, 40, 60, 80):
        _after(clock, minutes=minutes)
        assert browser.get(PAGE).status_code == 200


def test_last_seen_is_rewritten_at_most_once_a_minute(clock, browser):
    _after(clock, seconds=30)
    browser.get(PAGE)
    assert browser.session[LAST_SEEN_AT] == START.timestamp()


def test_last_seen_moves_after_a_minute(clock, browser):
    _after(clock, minutes=5)
    browser.get(PAGE)
    assert browser.session[LAST_SEEN_AT] == (START + timedelta(minutes=5)).timestamp()


def test_absolute_limit_logs_out_an_active_session_after_12_hours(clock, browser):
    for minutes in range(20, 12 * 60, 20):
        _after(clock, minutes=minutes)
        browser.get(PAGE)
    _after(clock, hours=12)
    assert _is_login_redirect(browser.get(PAGE))


def test_absolute_limit_says_why(clock, browser):
    for minutes in range(20, 12 * 60, 20):
        _after(clock, minutes=minutes)
        browser.get(PAGE)
    _after(clock, hours=12)
    assertContains(browser.get(PAGE, follow=True), "logged in for 12 hours")


def test_logging_in_again_starts_afresh(clock, browser):
    _after(clock, minutes=31)
    browser.get(PAGE)
    browser.post(reverse("accounts:login"), {"username": "ana@example.org", "password": PASSWORD})
    _after(clock, minutes=45)
    assert browser.get(PAGE).status_code == 200


def test_htmx_request_after_timeout_is_told_to_go_to_login(clock, browser):
    _after(clock, minutes=31)
    response = browser.get(PAGE, headers={"HX-Request": "true"})
    assert (response.status_code, response["HX-Redirect"]) == (401, reverse("accounts:login"))


def test_post_after_timeout_is_not_carried_out(clock, browser, child):
    MembershipFactory(child=child, user=User.objects.get(email="ana@example.org"), role="guardian")
    _after(clock, minutes=31)
    browser.post(reverse("tracker:child_archive", args=[child.public_id]))
    child.refresh_from_db()
    assert child.archived is False


def test_post_after_timeout_returns_to_the_page_it_came_from(clock, browser):
    _after(clock, minutes=31)
    response = browser.post("/children/new/", {}, headers={"Referer": "http://testserver/children/new/"})
    assert response["Location"] == reverse("accounts:login") + "?next=/children/new/"


def test_a_session_from_before_the_timeout_existed_gets_its_clock_started(clock):
    user = UserFactory()
    browser = Client()
    browser.force_login(user)
    session = browser.session
    del session[SIGNED_IN_AT], session[LAST_SEEN_AT]
    session.save()
    browser.get(PAGE)
    assert browser.session[SIGNED_IN_AT] == START.timestamp()


def test_anonymous_pages_are_not_affected(clock):
    _after(clock, hours=13)
    assert Client().get(reverse("accounts:login")).status_code == 200


def test_timeouts_are_settings(clock, browser, settings):
    settings.SESSION_IDLE_TIMEOUT = 5 * 60
    _after(clock, minutes=6)
    assert _is_login_redirect(browser.get(PAGE))


def test_timeout_redirect_carries_the_security_headers(clock, browser):
    _after(clock, minutes=31)
    response = browser.get(PAGE)
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"] and response["X-Frame-Options"] == "DENY"
