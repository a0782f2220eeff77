"""One's own profile: name, profession and email."""

import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains, assertFormError, assertRedirects

from accounts.models import User

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
    assertContains(login(ana).get(reverse("accounts:profile")), 'value="ana@example.org"')


def test_name_change_is_saved(login, ana):
    _save(login(ana), name="Ana Renamed")
    ana.refresh_from_db()
    assert ana.name == "Ana Renamed"


def test_profession_change_is_saved(login, ana):
    _save(login(ana), profession="pt")
    ana.refresh_from_db()
    assert ana.profession == "pt"


def test_email_change_is_saved(login, ana):
    _save(login(ana), email="ana.new@example.org")
    ana.refresh_from_db()
    assert ana.email == "ana.new@example.org"


def test_saving_says_so(login, ana):
    client = login(ana)
    _save(client, name="Ana Renamed")
    assertContains(client.get(reverse("accounts:profile")), "Your profile is saved.")


def test_keeping_ones_own_email_is_not_a_clash(login, ana):
    response = _save(login(ana), email="ANA@example.org", name="Ana Renamed")
    assertRedirects(response, reverse("accounts:profile"))


def test_email_of_another_account_is_refused_at_the_email_field(login, ana):
    UserFactory(email="ben@example.org")
    response = _save(login(ana), email="Ben@Example.org")
    assertFormError(response.context["form"], "email", "Another account already uses this email address.")


def test_email_of_another_account_leaves_both_accounts_as_they_were(login, ana):
    UserFactory(email="ben@example.org")
    _save(login(ana), email="ben@example.org")
    assert sorted(User.objects.values_list("email", flat=True)) == ["ana@example.org", "ben@example.org"]


def test_refused_change_keeps_what_was_typed(login, ana):
    UserFactory(email="ben@example.org")
    response = _save(login(ana), email="ben@example.org", name="Ana Typed")
    assertContains(response, 'value="Ana Typed"')
