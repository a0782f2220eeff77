"""Changing one's email address: the current password, a link to the new address, a notice to the old one."""

import re

import pytest
from django.core import mail
from django.urls import reverse
from pytest_django.asserts import assertContains, assertFormError, assertRedirects

from accounts.models import User

from ..factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

URL = "/accounts/email/"


@pytest.fixture
def ana(db):
    return UserFactory(email="ana@example.org", name="Ana Parent")


def _ask(client, capture, **data):
    with capture(execute=True):
        return client.post(URL, {"new_email": "ana.new@example.org", "password": PASSWORD} | data)


def _link(message, path: str) -> str:
    return re.search(rf"http://testserver({path}\S+/)", message.body)[1]


def test_anonymous_is_sent_to_login(client):
    assertRedirects(client.get(URL), reverse("accounts:login") + "?next=" + URL)


def test_without_the_current_password_nothing_is_sent(login, ana, django_capture_on_commit_callbacks):
    response = _ask(login(ana), django_capture_on_commit_callbacks, password="")
    assertFormError(response.context["form"], "password", "This field is required.")
    assert mail.outbox == []


def test_a_wrong_password_is_refused_at_the_password_field_and_keeps_the_address(
    login, ana, django_capture_on_commit_callbacks
):
    response = _ask(login(ana), django_capture_on_commit_callbacks, password="not-my-password-000")
    assertFormError(
        response.context["form"], "password", "That password is not right. Type the password you log in with."
    )
    assertContains(response, 'value="ana.new@example.org"')
    assert mail.outbox == []


def test_the_address_changes_only_when_the_link_is_followed(login, ana, django_capture_on_commit_callbacks):
    client = login(ana)
    _ask(client, django_capture_on_commit_callbacks)
    ana.refresh_from_db()
    assert ana.email == "ana@example.org"
    assert mail.outbox[0].to == ["ana.new@example.org"]
    with django_capture_on_commit_callbacks(execute=True):
        client.post(_link(mail.outbox[0], "/accounts/email/confirm/"))
    ana.refresh_from_db()
    assert (ana.email, ana.email_verified) == ("ana.new@example.org", True)


def test_the_old_address_is_told_with_a_link_that_undoes_it(login, ana, django_capture_on_commit_callbacks):
    client = login(ana)
    _ask(client, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(_link(mail.outbox[0], "/accounts/email/confirm/"))
    notice = mail.outbox[1]
    assert notice.to == ["ana@example.org"]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_link(notice, "/accounts/email/undo/"))
    assertContains(response, "Your email address is back")
    ana.refresh_from_db()
    assert ana.email == "ana@example.org"
    assert not ana.check_password(PASSWORD)  # whoever changed it knew the password
    assert mail.outbox[-1].to == ["ana@example.org"] and "/accounts/password/reset/" in mail.outbox[-1].body
    assert not client.get(reverse("accounts:profile")).wsgi_request.user.is_authenticated


def test_an_address_of_another_account_gets_the_same_answer_and_changes_nothing(
    login, ana, django_capture_on_commit_callbacks
):
    UserFactory(email="ben@example.org")
    response = _ask(login(ana), django_capture_on_commit_callbacks, new_email="Ben@Example.org")
    assertRedirects(response, reverse("accounts:profile"))
    assert mail.outbox[0].to == ["ben@example.org"] and "already has an account" in mail.outbox[0].body
    assert sorted(User.objects.values_list("email", flat=True)) == ["ana@example.org", "ben@example.org"]


def test_a_password_reset_goes_only_to_a_confirmed_address(client, django_capture_on_commit_callbacks):
    UserFactory(email="unconfirmed@example.org", email_verified=False)
    UserFactory(email="confirmed@example.org")
    for address in ("unconfirmed@example.org", "confirmed@example.org"):
        client.post(reverse("accounts:password_reset"), {"email": address})
    assert [message.to for message in mail.outbox] == [["confirmed@example.org"]]
