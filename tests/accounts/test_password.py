"""Changing a password (old one required) and resetting a forgotten one by email."""

import re

import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains, assertFormError, assertRedirects

from ..factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-brand-new-password-789"


@pytest.fixture
def ana(db):
    return UserFactory(email="ana@example.org", name="Ana Parent")


def _change(client, old: str):
    data = {"old_password": old, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    return client.post(reverse("accounts:password_change"), data)


def _request_reset(client, email: str):
    return client.post(reverse("accounts:password_reset"), {"email": email})


def _link_in(mail) -> str:
    return re.search(r"http://testserver(/\S+)", mail.body).group(1)


def _log_in(client, password: str):
    return client.post(reverse("accounts:login"), {"username": "ana@example.org", "password": password})


def test_change_password_with_a_wrong_old_password_is_refused(login, ana):
    response = _change(login(ana), old="not-the-password")
    assertFormError(
        response.context["form"], "old_password", "Your old password was entered incorrectly. Please enter it again."
    )


def test_change_password_with_a_wrong_old_password_keeps_the_old_one(login, ana):
    _change(login(ana), old="not-the-password")
    ana.refresh_from_db()
    assert ana.check_password(PASSWORD)


def test_change_password_with_the_old_password_sets_the_new_one(login, ana):
    _change(login(ana), old=PASSWORD)
    ana.refresh_from_db()
    assert ana.check_password(NEW_PASSWORD)


def test_change_password_keeps_the_user_logged_in(login, ana):
    client = login(ana)
    _change(client, old=PASSWORD)
    assert client.get(reverse("tracker:child_list")).status_code == 200


def test_change_password_needs_login(client):
    response = client.get(reverse("accounts:password_change"))
    assertRedirects(response, reverse("accounts:login") + "?next=" + reverse("accounts:password_change"))


def test_reset_sends_one_mail_to_the_account(client, ana, mailoutbox):
    _request_reset(client, "ana@example.org")
    assert [mail.to for mail in mailoutbox] == [["ana@example.org"]]


def test_reset_mail_holds_a_reset_link(client, ana, mailoutbox):
    _request_reset(client, "ana@example.org")
    assert _link_in(mailoutbox[0]).startswith("/accounts/password/reset/")


def test_reset_link_lets_the_user_set_a_new_password_and_log_in_with_it(client, ana, mailoutbox):
    _request_reset(client, "ana@example.org")
    form_url = client.get(_link_in(mailoutbox[0]))["Location"]
    client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assertRedirects(_log_in(client, NEW_PASSWORD), reverse("tracker:child_list"))


def test_old_password_no_longer_works_after_a_reset(client, ana, mailoutbox):
    _request_reset(client, "ana@example.org")
    form_url = client.get(_link_in(mailoutbox[0]))["Location"]
    client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assertContains(_log_in(client, PASSWORD), "Please enter a correct email address and password.")


def test_reset_link_works_once(client, ana, mailoutbox):
    _request_reset(client, "ana@example.org")
    link = _link_in(mailoutbox[0])
    form_url = client.get(link)["Location"]
    client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assertContains(client.get(link), "This password reset link is not valid")


def test_reset_for_an_unknown_email_shows_check_your_email(client, ana):
    response = _request_reset(client, "nobody@example.org")
    assertContains(client.get(response["Location"]), "Check your email")


def test_reset_for_an_unknown_email_sends_nothing(client, ana, mailoutbox):
    _request_reset(client, "nobody@example.org")
    assert mailoutbox == []


def test_reset_for_a_known_email_goes_to_the_same_page_as_an_unknown_one(client, ana):
    known, unknown = _request_reset(client, "ana@example.org"), _request_reset(client, "nobody@example.org")
    assert known["Location"] == unknown["Location"]
