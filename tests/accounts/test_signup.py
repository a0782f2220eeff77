"""Sign-up: an account with a profession, logged in at once; duplicates and weak passwords refused."""

import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains, assertFormError, assertRedirects

from accounts.models import User

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


def test_signup_logs_the_new_user_in(client):
    _signup(client)
    response = client.get(reverse("tracker:child_list"))
    assert response.context["user"].email == "nina@example.org"


def test_signup_lands_on_my_children(client):
    assertRedirects(_signup(client), reverse("tracker:child_list"))


def test_duplicate_email_in_another_case_is_refused_at_the_email_field(client):
    UserFactory(email="taken@example.org")
    response = _signup(client, email="Taken@Example.ORG")
    assertFormError(
        response.context["form"],
        "email",
        "An account with this email already exists. Log in instead, or reset your password.",
    )


def test_duplicate_email_creates_no_second_account(client):
    UserFactory(email="taken@example.org")
    _signup(client, email="TAKEN@example.org")
    assert User.objects.filter(email__iexact="taken@example.org").count() == 1


def test_refused_signup_keeps_the_name_typed(client):
    UserFactory(email="taken@example.org")
    response = _signup(client, email="taken@example.org", name="Nina Typed")
    assertContains(response, 'value="Nina Typed"')


def test_refused_signup_keeps_the_email_typed(client):
    UserFactory(email="taken@example.org")
    response = _signup(client, email="taken@example.org")
    assertContains(response, 'value="taken@example.org"')


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


def test_safe_next_is_honoured(client):
    response = _signup(client, query="?next=/children/new/")
    assertRedirects(response, reverse("tracker:child_create"))


def test_next_to_another_site_is_ignored(client):
    response = _signup(client, query="?next=https://evil.example/steal")
    assertRedirects(response, reverse("tracker:child_list"))


def test_protocol_relative_next_is_ignored(client):
    response = _signup(client, query="?next=//evil.example/steal")
    assertRedirects(response, reverse("tracker:child_list"))


def test_email_in_the_query_prefills_the_form(client):
    response = client.get(reverse("accounts:signup") + "?email=invitee%40example.org")
    assertContains(response, 'value="invitee@example.org"')


def test_signed_in_user_is_sent_to_my_children(login):
    response = login(UserFactory()).get(reverse("accounts:signup"))
    assertRedirects(response, reverse("tracker:child_list"))
