"""One's own profile: name and profession; the email address is shown and changes elsewhere (test_email_change)."""

import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains, assertRedirects

from ..factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def ana(db):
    return UserFactory(email="ana@example.org", name="Ana Parent", profession="parent")


def _save(client, **overrides):
    data = {"name": "Ana Parent", "email": "ana@example.org", "profession": "parent"}
    return client.post(reverse("accounts:profile"), data | overrides)


def test_anonymous_is_sent_to_login(client):
    response = client.get(reverse("accounts:profile"))
    assertRedirects(response, reverse("accounts:login") + "?next=" + reverse("accounts:profile"))


def test_profile_shows_the_current_email(login, ana):
    assertContains(login(ana).get(reverse("accounts:profile")), "<strong>ana@example.org</strong>")


def test_name_change_is_saved(login, ana):
    _save(login(ana), name="Ana Renamed")
    ana.refresh_from_db()
    assert ana.name == "Ana Renamed"


def test_profession_change_is_saved(login, ana):
    _save(login(ana), profession="pt")
    ana.refresh_from_db()
    assert ana.profession == "pt"


def test_the_profile_form_does_not_change_the_email(login, ana):
    _save(login(ana), email="ana.new@example.org")
    ana.refresh_from_db()
    assert ana.email == "ana@example.org"


def test_saving_says_so(login, ana):
    client = login(ana)
    _save(client, name="Ana Renamed")
    assertContains(client.get(reverse("accounts:profile")), "Your profile is saved.")


def test_an_unconfirmed_address_is_shown_with_a_way_to_resend(login):
    user = UserFactory(email_verified=False)
    response = login(user).get(reverse("accounts:profile"))
    assertContains(response, "not confirmed yet")
    assertContains(response, reverse("accounts:verify_resend"))
