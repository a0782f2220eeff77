"""Sign-up: an account with a profession, confirmed by a mailed link; nothing tells whether an address is taken."""

import re

import pytest
from django.core import mail
from django.urls import reverse
from pytest_django.asserts import assertContains, assertRedirects

from accounts.models import User
from tracker.models import Child, Note, Observation

from ..factories import UserFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-long-new-password-456"


def _signup(client, query: str = "", **overrides):
    data = {
        "email": "nina@example.org",
        "name": "Nina New",
        "profession": "ot",
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
    }
    return client.post(reverse("accounts:signup") + query, data | overrides)


def test_signup_creates_the_user_with_their_profession(client):
    _signup(client)
    assert User.objects.get(email="nina@example.org").profession == "ot"


def test_signup_leaves_the_new_account_unconfirmed_and_signed_out(client):
    _signup(client)
    assert User.objects.get(email="nina@example.org").email_verified is False
    assert not client.get(reverse("tracker:child_list")).wsgi_request.user.is_authenticated


def test_signup_mails_a_confirmation_link(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _signup(client)
    assert mail.outbox[0].to == ["nina@example.org"]
    assert "/accounts/email/confirm/" in mail.outbox[0].body


def test_following_the_link_confirms_the_address_and_asks_to_log_in(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _signup(client)
    link = re.search(r"http://testserver(/accounts/email/confirm/\S+/)", mail.outbox[0].body)[1]
    assertContains(client.get(link), "Confirm nina@example.org")
    assertRedirects(client.post(link), reverse("accounts:login"), fetch_redirect_response=False)
    assert User.objects.get(email="nina@example.org").email_verified


def test_a_confirmation_link_works_once(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _signup(client)
    link = re.search(r"http://testserver(/accounts/email/confirm/\S+/)", mail.outbox[0].body)[1]
    client.post(link)
    assertContains(client.post(link), "already been used", status_code=410)


def test_signup_says_check_your_email(client):
    assertContains(_signup(client), "Check your email")


def test_signup_with_a_taken_address_looks_the_same_as_a_new_one(client):
    UserFactory(email="taken@example.org")
    masked = re.compile(r"[A-Za-z0-9]{64}")  # the CSRF token differs in every response
    taken = _signup(client, email="Taken@Example.ORG").content.decode()
    new = _signup(client, email="fresh@example.org").content.decode()
    assert masked.sub("", taken.replace("taken@example.org", "X")) == masked.sub(
        "", new.replace("fresh@example.org", "X")
    )


def test_signup_with_a_taken_address_tells_its_owner(client, django_capture_on_commit_callbacks):
    UserFactory(email="taken@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        _signup(client, email="taken@example.org")
    assert mail.outbox[0].to == ["taken@example.org"]
    assert "already has an account" in mail.outbox[0].body


def test_duplicate_email_creates_no_second_account(client):
    UserFactory(email="taken@example.org")
    _signup(client, email="TAKEN@example.org")
    assert User.objects.filter(email__iexact="taken@example.org").count() == 1


def test_refused_signup_keeps_what_was_typed(client):
    response = _signup(client, name="Nina Typed", password1="short-pw-1", password2="short-pw-1")
    assertContains(response, 'value="Nina Typed"')
    assertContains(response, 'value="nina@example.org"')


def test_password_shorter_than_12_characters_is_refused(client):
    response = _signup(client, password1="short-pw-1", password2="short-pw-1")
    assert "at least 12 characters" in " ".join(response.context["form"].errors["password2"])


def test_short_password_creates_no_account(client):
    _signup(client, password1="short-pw-1", password2="short-pw-1")
    assert not User.objects.filter(email="nina@example.org").exists()


def test_common_password_is_refused(client):
    response = _signup(client, password1="password1234", password2="password1234")
    assert "too common" in " ".join(response.context["form"].errors["password2"])


def test_common_password_creates_no_account(client):
    _signup(client, password1="password1234", password2="password1234")
    assert not User.objects.filter(email="nina@example.org").exists()


def _link(body: str) -> str:
    return re.search(r"http://testserver(/accounts/email/confirm/\S+/)", body)[1]


def test_safe_next_is_kept_for_after_the_confirmation(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _signup(client, query="?next=/children/new/")
    response = client.post(_link(mail.outbox[0].body))
    assertRedirects(response, reverse("accounts:login") + "?next=%2Fchildren%2Fnew%2F", fetch_redirect_response=False)


@pytest.mark.parametrize("evil", ["https://evil.example/steal", "//evil.example/steal"])
def test_next_to_another_site_is_ignored(client, evil, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _signup(client, query=f"?next={evil}")
    assertRedirects(client.post(_link(mail.outbox[0].body)), reverse("accounts:login"), fetch_redirect_response=False)


def test_email_in_the_query_prefills_the_form(client):
    response = client.get(reverse("accounts:signup") + "?email=invitee%40example.org")
    assertContains(response, 'value="invitee@example.org"')


def test_signed_in_user_is_sent_to_my_children(login):
    response = login(UserFactory()).get(reverse("accounts:signup"))
    assertRedirects(response, reverse("tracker:child_list"))


def test_an_unconfirmed_account_logs_in_and_keeps_its_own_childs_records(client):
    _signup(client, profession="parent")
    client.post(reverse("accounts:login"), {"username": "nina@example.org", "password": NEW_PASSWORD})
    response = client.post(
        reverse("tracker:child_create"), {"given_name": "Lily", "family_name": "New", "date_of_birth": "2025-01-15"}
    )
    lily = Child.objects.get(given_name="Lily")
    assert response.status_code == 302 and not User.objects.get(email="nina@example.org").email_verified
    client.post(reverse("tracker:record", args=[lily.public_id, "gm-sits-without-support"]), {"status": "achieved"})
    assert Observation.objects.filter(child=lily, skill__slug="gm-sits-without-support").exists()
    note = {"kind": "family_update", "session_date": "2026-01-30", "body": "First time sitting in the bath!"}
    client.post(reverse("tracker:note_create", args=[lily.public_id]), note)
    assert Note.objects.filter(child=lily, body=note["body"]).exists()
    assertContains(client.get(reverse("tracker:child_detail", args=[lily.public_id])), "Lily")
    assertContains(client.get(reverse("tracker:timeline", args=[lily.public_id])), "Sits without support")
