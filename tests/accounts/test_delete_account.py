"""Deleting one's own account: password required, and never leaving a child without a guardian or therapist."""

import pytest
from django.contrib.auth import SESSION_KEY
from django.urls import reverse
from pytest_django.asserts import assertContains, assertFormError, assertRedirects

from accounts.models import User
from tracker.models import AuditEvent, CareTeamMembership, Child, Discipline

from ..factories import PASSWORD, ChildFactory, UserFactory, therapist

pytestmark = pytest.mark.django_db


def _delete(client, password: str = PASSWORD):
    return client.post(reverse("accounts:delete_account"), {"password": password})


def test_anonymous_is_sent_to_login(client):
    url = reverse("accounts:delete_account")
    assertRedirects(client.get(url), reverse("accounts:login") + f"?next={url}")


def test_wrong_password_is_refused_at_the_password_field(login, team):
    response = _delete(login(team["viewer"]), password="not-the-password")
    assertFormError(
        response.context["form"], "password", "That password is not right. Type the password you log in with."
    )


def test_wrong_password_deletes_nothing(login, team):
    _delete(login(team["viewer"]), password="not-the-password")
    assert User.objects.filter(pk=team["viewer"].pk).exists()


def test_right_password_deletes_the_account(login, team):
    _delete(login(team["viewer"]))
    assert not User.objects.filter(pk=team["viewer"].pk).exists()


def test_deleting_logs_out(login, team):
    client = login(team["viewer"])
    _delete(client)
    assert SESSION_KEY not in client.session


def test_deleting_lands_on_the_login_page_with_a_message(login, team):
    client = login(team["viewer"])
    _delete(client)
    assertContains(client.get(reverse("accounts:login")), "Your account has been deleted.")


def test_only_guardian_of_a_child_is_told_which_child_keeps_them(login, guardian):
    response = login(guardian).get(reverse("accounts:delete_account"))
    assertContains(response, "Maya Example")


def test_only_guardian_of_a_child_cannot_delete_their_account(login, guardian):
    _delete(login(guardian))
    assert User.objects.filter(pk=guardian.pk).exists()


def test_refused_deletion_keeps_the_child_and_membership(login, guardian, child):
    _delete(login(guardian))
    assert CareTeamMembership.objects.filter(child=child, user=guardian).exists()


def test_only_therapist_of_a_child_is_told_which_child_keeps_them(login):
    lone = therapist(ChildFactory(given_name="Theo"), Discipline.OCCUPATIONAL_THERAPY)
    assertContains(_delete(login(lone)), "Theo")


def test_only_therapist_of_a_child_cannot_delete_their_account(login):
    lone = therapist(ChildFactory(given_name="Theo"), Discipline.OCCUPATIONAL_THERAPY)
    _delete(login(lone))
    assert User.objects.filter(pk=lone.pk).exists()


def test_a_viewer_alongside_does_not_count_as_someone_who_remains(login, guardian, viewer):
    _delete(login(guardian))
    assert User.objects.filter(pk=guardian.pk).exists()


def test_guardian_may_delete_when_a_therapist_remains(login, guardian, pt):
    _delete(login(guardian))
    assert not User.objects.filter(pk=guardian.pk).exists()


def test_child_stays_when_its_guardian_deletes_their_account(login, team, child):
    _delete(login(team["guardian"]))
    assert Child.objects.filter(pk=child.pk).exists()


def test_other_members_stay_when_a_guardian_deletes_their_account(login, team, child):
    _delete(login(team["guardian"]))
    remaining = set(child.care_team.values_list("user__email", flat=True))
    assert remaining == {"ot@example.org", "pt@example.org", "viewer@example.org"}


def test_therapist_may_delete_when_another_therapist_remains(login, ot, pt, child):
    _delete(login(ot))
    assert list(child.care_team.values_list("user", flat=True)) == [pt.pk]


def test_second_guardian_may_delete_when_another_guardian_remains(login, guardian, child):
    second = UserFactory()
    CareTeamMembership.objects.create(child=child, user=second, role="guardian")
    _delete(login(second))
    assert list(child.care_team.values_list("user", flat=True)) == [guardian.pk]


def test_audit_trail_keeps_the_deleted_accounts_email(login, team, child):
    client = login(team["guardian"])
    client.get(reverse("tracker:child_detail", args=[child.public_id]))
    _delete(client)
    assert list(AuditEvent.objects.filter(child=child).values_list("actor", "actor_name")) == [
        (None, "guardian@example.org")
    ]
