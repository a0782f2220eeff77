"""The low findings of issue 15's black-box test (item 6), each replayed as it was found."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt, AccessFailureLog
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tracker import services
from tracker.models import Invitation

from ..factories import UserFactory, invitation

pytestmark = pytest.mark.django_db


# --- A NUL byte in a header ------------------------------------------------------------


def test_a_nul_byte_in_user_agent_and_accept_is_a_counted_failure_not_a_server_error():
    UserFactory(email="nul@example.org")
    response = Client().post(
        reverse("accounts:login"),
        {"username": "nul@example.org", "password": "wrong-password-123"},
        HTTP_USER_AGENT="Mozilla/5.0\x00evil",
        HTTP_ACCEPT="text/html\x00",
    )
    assert response.status_code == 200
    attempt = AccessAttempt.objects.get(username="nul@example.org")
    assert attempt.failures_since_start == 1
    assert "\x00" not in attempt.user_agent


def test_no_stored_header_holds_a_nul_byte():
    UserFactory(email="nul2@example.org")
    Client().post(
        reverse("accounts:login"),
        {"username": "nul2@example.org", "password": "wrong-password-123"},
        HTTP_USER_AGENT="\x00" * 3 + "agent",
    )
    stored = [row.user_agent for row in [*AccessAttempt.objects.all(), *AccessFailureLog.objects.all()]]
    assert stored and all("\x00" not in text for text in stored)


# --- A name with a line break ------------------------------------------------------------


def test_a_name_with_a_line_break_is_refused_on_the_profile_with_a_message(login):
    user = UserFactory()
    response = login(user).post(
        reverse("accounts:profile"), {"name": "Eve\r\nBcc: all@example.org", "profession": "parent"}
    )
    assert response.status_code == 200
    assert "no line breaks or tabs" in response.content.decode()
    user.refresh_from_db()
    assert "\n" not in user.name


def test_a_name_with_a_line_break_is_refused_at_sign_up():
    response = Client().post(
        reverse("accounts:signup"),
        {
            "email": "crlf@example.org",
            "name": "Eve\nX",
            "profession": "parent",
            "password1": "a-long-test-password-123",
            "password2": "a-long-test-password-123",
        },
    )
    assert "no line breaks or tabs" in response.content.decode()


def test_an_inviter_whose_stored_name_has_a_line_break_can_still_invite(
    login, child, guardian, django_capture_on_commit_callbacks
):
    """A name stored before names were checked: every invitation they sent failed with a 500."""
    type(guardian).objects.filter(pk=guardian.pk).update(name="Gina\r\nBcc: everyone@example.org")
    client = login(guardian)
    team = reverse("tracker:team", args=[child.public_id])
    data = {"email": "new-ot@example.org", "role": "therapist", "discipline": "OT"}
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(team, data).status_code == 302
    assert len(mail.outbox) == 1
    assert "\n" not in mail.outbox[0].subject and "\r" not in mail.outbox[0].subject


# --- A spent invitation link --------------------------------------------------------------


@pytest.mark.parametrize("spent", ["used", "expired", "revoked"])
def test_a_spent_invitation_link_names_neither_the_child_nor_the_inviter(child, guardian, spent):
    pending, token = invitation(child, by=guardian)
    if spent == "used":
        Invitation.objects.filter(pk=pending.pk).update(accepted_at=timezone.now())
    elif spent == "expired":
        Invitation.objects.filter(pk=pending.pk).update(expires_at=timezone.now() - timedelta(days=1))
    else:
        services.revoke_invitation(invitation=pending, by=guardian)
    response = Client().get(reverse("tracker:invitation_accept", args=[token]))
    page = response.content.decode()
    assert response.status_code == 410
    assert child.given_name not in page
    assert guardian.name not in page
