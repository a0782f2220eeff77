"""Log in with the email address, log out by POST, and django-axes' lock after repeated failures."""

import pytest
from django.contrib.auth import SESSION_KEY
from django.urls import reverse
from pytest_django.asserts import assertContains, assertRedirects

from ..factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def ana(db):
    return UserFactory(email="ana@example.org", name="Ana Parent")


def _log_in(client, email: str, password: str):
    return client.post(reverse("accounts:login"), {"username": email, "password": password})


def _signed_in_id(client) -> str | None:
    return client.session.get(SESSION_KEY)


def test_login_with_email_and_password_lands_on_my_children(client, ana):
    assertRedirects(_log_in(client, "ana@example.org", PASSWORD), reverse("tracker:child_list"))


def test_login_starts_a_session_for_that_user(client, ana):
    _log_in(client, "ana@example.org", PASSWORD)
    assert _signed_in_id(client) == str(ana.pk)


def test_login_email_is_not_case_sensitive(client, ana):
    _log_in(client, "Ana@Example.ORG", PASSWORD)
    assert _signed_in_id(client) == str(ana.pk)


def test_login_honours_a_safe_next(client, ana):
    response = client.post(
        reverse("accounts:login") + "?next=/children/new/", {"username": "ana@example.org", "password": PASSWORD}
    )
    assertRedirects(response, reverse("tracker:child_create"))


def test_wrong_password_shows_an_error(client, ana):
    response = _log_in(client, "ana@example.org", "not-the-password")
    assertContains(response, "Please enter a correct email address and password.")


def test_wrong_password_does_not_log_in(client, ana):
    _log_in(client, "ana@example.org", "not-the-password")
    assertRedirects(client.get(reverse("tracker:child_list")), reverse("accounts:login") + "?next=/children/")


def test_logout_by_get_is_refused(client, ana, login):
    assert login(ana).get(reverse("accounts:logout")).status_code == 405


def test_logout_by_post_ends_the_session(client, ana, login):
    login(ana).post(reverse("accounts:logout"))
    assertRedirects(client.get(reverse("tracker:child_list")), reverse("accounts:login") + "?next=/children/")


def test_logout_lands_on_the_login_page(client, ana, login):
    assertRedirects(login(ana).post(reverse("accounts:logout")), reverse("accounts:login"))


def test_four_failures_still_let_the_right_password_in(client, ana):
    for _ in range(4):
        _log_in(client, "ana@example.org", "not-the-password")
    assertRedirects(_log_in(client, "ana@example.org", PASSWORD), reverse("tracker:child_list"))


def test_fifth_failure_locks_the_account(client, ana):
    for _ in range(4):
        _log_in(client, "ana@example.org", "not-the-password")
    response = _log_in(client, "ana@example.org", "not-the-password")
    assertContains(response, "Too many failed log-in attempts", status_code=429)


def test_right_password_is_refused_while_locked(client, ana):
    for _ in range(5):
        _log_in(client, "ana@example.org", "not-the-password")
    assert _log_in(client, "ana@example.org", PASSWORD).status_code == 429


def test_locked_account_gets_no_session(client, ana):
    for _ in range(5):
        _log_in(client, "ana@example.org", "not-the-password")
    _log_in(client, "ana@example.org", PASSWORD)
    assert _signed_in_id(client) is None


def _fail_from_five_addresses(client, spellings: list[str]) -> None:
    for n, email in enumerate(spellings):
        client.post(
            reverse("accounts:login"), {"username": email, "password": "not-the-password"}, REMOTE_ADDR=f"203.0.113.{n}"
        )


def test_failures_from_different_addresses_still_lock_the_account(client, ana):
    _fail_from_five_addresses(client, ["ana@example.org"] * 5)
    response = client.post(
        reverse("accounts:login"), {"username": "ana@example.org", "password": PASSWORD}, REMOTE_ADDR="198.51.100.9"
    )
    assert response.status_code == 429


def test_failures_in_any_letter_case_count_against_the_same_account(client, ana):
    _fail_from_five_addresses(
        client, ["ANA@example.org", "Ana@example.org", "aNa@example.org", "anA@example.org", "ana@EXAMPLE.org"]
    )
    response = client.post(
        reverse("accounts:login"), {"username": "ana@example.org", "password": PASSWORD}, REMOTE_ADDR="198.51.100.9"
    )
    assert response.status_code == 429


def test_someone_elses_failures_do_not_lock_me_out(client, ana):
    UserFactory(email="ben@example.org")
    _fail_from_five_addresses(client, ["ana@example.org"] * 5)
    response = client.post(
        reverse("accounts:login"), {"username": "ben@example.org", "password": PASSWORD}, REMOTE_ADDR="198.51.100.9"
    )
    assertRedirects(response, reverse("tracker:child_list"))


def test_someone_elses_failures_do_not_show_me_the_locked_page(client, ana):
    UserFactory(email="ben@example.org")
    _fail_from_five_addresses(client, ["ana@example.org"] * 5)
    response = client.post(
        reverse("accounts:login"), {"username": "ben@example.org", "password": "typo"}, REMOTE_ADDR="198.51.100.9"
    )
    assertContains(response, "Please enter a correct email address and password.")
