"""Forms posted into an expired session (accounts/kept.py): kept against the account, offered back, never shared."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from pytest_django.asserts import assertContains, assertRedirects

from accounts.kept import KEPT_FOR
from accounts.models import KeptForm
from tracker import scheduler, services

from ..factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def expired(child, guardian):
    """Guardian's browser, whose session expired with a family update on its way."""
    with time_machine.travel(START, tick=False) as clock:
        client = Client()
        client.post(reverse("accounts:login"), {"username": guardian.email, "password": PASSWORD})
        clock.move_to(START + timedelta(minutes=31))
        url = reverse("tracker:note_create", args=[child.public_id])
        client.post(url, {"kind": "family_update", "body": "Walked to the door!", "password": "not-kept-secret"})
        yield client


def test_the_login_page_says_the_text_is_kept(expired):
    assertContains(expired.get(reverse("accounts:login")), "What you had typed is kept")


def test_passwords_and_csrf_tokens_are_not_kept(expired, guardian):
    names = [name for name, _ in KeptForm.objects.get(user=guardian).fields]
    assert names == ["kind", "body"]


def test_logging_in_leads_to_the_kept_text(expired, guardian):
    response = expired.post(reverse("accounts:login"), {"username": guardian.email, "password": PASSWORD})
    assert response["Location"].startswith(reverse("accounts:kept_forms"))
    assertContains(expired.get(response["Location"]), "Walked to the door!")


def test_anonymous_is_sent_to_login():
    response = Client().get(reverse("accounts:kept_forms"))
    assert response["Location"].startswith(reverse("accounts:login"))


def test_someone_else_never_sees_nor_discards_it(expired, guardian, login):
    other = login(UserFactory())
    kept = KeptForm.objects.get(user=guardian)
    assert "Walked to the door!" not in other.get(reverse("accounts:kept_forms"), follow=True).content.decode()
    assert other.post(reverse("accounts:kept_discard", args=[kept.pk])).status_code == 404
    assert KeptForm.objects.filter(pk=kept.pk).exists()


def test_throwing_it_away_deletes_it(expired, guardian, login):
    kept = KeptForm.objects.get(user=guardian)
    assertRedirects(
        login(guardian).post(reverse("accounts:kept_discard", args=[kept.pk])),
        reverse("accounts:kept_forms"),
        fetch_redirect_response=False,
    )
    assert not KeptForm.objects.filter(pk=kept.pk).exists()


def test_with_nothing_kept_the_page_goes_on_to_next(login, guardian):
    assertRedirects(
        login(guardian).get(reverse("accounts:kept_forms") + "?next=/children/"),
        "/children/",
        fetch_redirect_response=False,
    )


def test_next_to_another_site_is_ignored(login, guardian):
    response = login(guardian).get(reverse("accounts:kept_forms") + "?next=https://evil.example/")
    assertRedirects(response, reverse("tracker:child_list"), fetch_redirect_response=False)


def test_the_keep_alive_answers_a_signed_in_post_only(login, guardian):
    client = login(guardian)
    assert client.post(reverse("accounts:keepalive")).status_code == 204
    assert client.get(reverse("accounts:keepalive")).status_code == 405


def test_a_page_with_a_text_area_loads_the_idle_warning(login, child, guardian):
    page = login(guardian).get(reverse("tracker:note_create", args=[child.public_id])).content.decode()
    assert "js/idle-warning.js" in page
    assert 'data-idle-timeout="1800"' in page


def test_deleting_the_child_deletes_what_was_typed_on_its_pages(expired, child, guardian, outsider_child):
    elsewhere = reverse("tracker:note_create", args=[outsider_child.public_id])
    other = KeptForm.objects.create(user=guardian, path=elsewhere, fields=[["body", "About someone else"]])
    assert KeptForm.objects.filter(user=guardian).count() == 2
    services.delete_child(child=child, by=guardian)
    assert list(KeptForm.objects.all()) == [other]


def test_the_scheduler_deletes_kept_forms_past_seven_days_without_anyone_logging_in(expired, guardian):
    with time_machine.travel(START + KEPT_FOR - timedelta(hours=1), tick=False):
        scheduler.tick()
    assert KeptForm.objects.count() == 1  # kept six days and 22 hours ago: still offered back
    with time_machine.travel(START + KEPT_FOR + timedelta(days=1), tick=False):
        scheduler.tick()
    assert not KeptForm.objects.exists()
