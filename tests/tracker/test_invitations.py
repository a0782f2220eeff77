"""An invitation's life: opened, accepted once by the invited address, or refused when spent."""

import hashlib
import html
import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertRedirects

from tracker.models import AuditEvent, CareTeamMembership, Invitation

from ..factories import PASSWORD, UserFactory, invitation

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent(child, guardian):
    """A pending invitation for an OT at invitee@example.org, and its clear-text token."""
    return invitation(child, email="invitee@example.org", role="therapist", by=guardian)


@pytest.fixture
def invitee(db):
    return UserFactory(email="invitee@example.org", name="Ines Invitee", profession="ot")


def _url(token: str) -> str:
    return reverse("tracker:invitation_accept", args=[token])


def _link(response, text: str) -> str:
    """The href of the page's link (not the header's) whose text is `text`, as a browser would follow it."""
    main = response.content.decode().split("<main", 1)[1]
    match = re.search(rf'<a [^>]*href="([^"]+)"[^>]*>{re.escape(text)}</a>', main)
    return html.unescape(match.group(1))


def _membership(child, user):
    return CareTeamMembership.objects.filter(child=child, user=user).first()


# --- Accepting ------------------------------------------------------------------


def test_invited_person_sees_who_invited_them_and_as_what(login, sent, invitee):
    response = login(invitee).get(_url(sent[1]))
    assertContains(response, "Gina Guardian invited <strong>invitee@example.org</strong>")


def test_accepting_adds_the_invitee_with_the_invitations_role_and_discipline(login, child, sent, invitee):
    login(invitee).post(_url(sent[1]))
    membership = _membership(child, invitee)
    assert (membership.role, membership.discipline) == ("therapist", "OT")


def test_accepting_opens_the_childs_overview(login, child, sent, invitee):
    response = login(invitee).post(_url(sent[1]))
    assertRedirects(response, reverse("tracker:child_detail", args=[child.public_id]))


def test_accepting_marks_the_invitation_used(login, sent, invitee):
    login(invitee).post(_url(sent[1]))
    used = Invitation.objects.get(pk=sent[0].pk)
    assert used.accepted_at is not None
    assert used.accepted_by == invitee


def test_accepting_is_audited_as_joined(login, child, sent, invitee):
    login(invitee).post(_url(sent[1]))
    event = AuditEvent.objects.get(child=child, action="joined")
    assert (event.actor, event.summary) == (invitee, "Joined as Therapist (Occupational therapy)")


def test_invited_email_matches_whatever_its_case(login, child, sent):
    shouting = UserFactory(email="INVITEE@Example.org")
    login(shouting).post(_url(sent[1]))
    assert _membership(child, shouting) is not None


def test_accepted_child_appears_in_my_children(login, sent, invitee):
    client = login(invitee)
    client.post(_url(sent[1]))
    assertContains(client.get(reverse("tracker:child_list")), "Maya Example")


# --- Anonymous visitors ---------------------------------------------------------


def test_anonymous_visitor_gets_a_sign_up_link_with_the_email_and_a_way_back(client, sent):
    signup = _link(client.get(_url(sent[1])), "Create an account")
    assert signup == f"{reverse('accounts:signup')}?email=invitee%40example.org&next={_url(sent[1])}"


def test_anonymous_visitor_gets_a_log_in_link_back_to_the_invitation(client, sent):
    log_in = _link(client.get(_url(sent[1])), "Log in")
    assert log_in == f"{reverse('accounts:login')}?next={_url(sent[1])}"


def test_sign_up_link_prefills_the_invited_email(client, sent):
    signup = _link(client.get(_url(sent[1])), "Create an account")
    assertContains(client.get(signup), 'value="invitee@example.org"')


def test_anonymous_post_adds_nobody(client, child, sent):
    client.post(_url(sent[1]))
    assert child.care_team.count() == 1


def _sign_up_and_confirm(client, sent, capture) -> object:
    """Sign up from the invitation's page and follow the confirmation link mailed: the answer to that."""
    signup = _link(client.get(_url(sent[1])), "Create an account")
    password = "a-long-new-password-456"
    data = {"email": "invitee@example.org", "name": "Ines", "profession": "ot"}
    with capture(execute=True):
        client.post(signup, data | {"password1": password, "password2": password})
    confirmation = next(m for m in mail.outbox if "Confirm your email" in m.subject)
    return client.post(re.search(r"http://testserver(/accounts/email/confirm/\S+/)", confirmation.body)[1])


def test_signing_up_from_the_invitation_comes_back_to_it_after_confirming_and_logging_in(
    client, sent, django_capture_on_commit_callbacks
):
    confirmed = _sign_up_and_confirm(client, sent, django_capture_on_commit_callbacks)
    log_in = confirmed["Location"]
    assert log_in.startswith(reverse("accounts:login"))
    response = client.post(log_in, {"username": "invitee@example.org", "password": "a-long-new-password-456"})
    assertRedirects(response, _url(sent[1]))


def test_signing_up_from_the_invitation_then_accepting_joins_the_team(
    client, child, sent, django_capture_on_commit_callbacks
):
    _sign_up_and_confirm(client, sent, django_capture_on_commit_callbacks)
    client.post(reverse("accounts:login"), {"username": "invitee@example.org", "password": "a-long-new-password-456"})
    client.post(_url(sent[1]))
    assert child.care_team.filter(user__email="invitee@example.org", role="therapist").exists()


def test_an_unconfirmed_account_with_the_invited_address_cannot_accept(client, child, sent):
    unconfirmed = UserFactory(email="invitee@example.org", email_verified=False)
    client.force_login(unconfirmed, backend="django.contrib.auth.backends.ModelBackend")
    assertContains(client.get(_url(sent[1])), "Confirm your email address first")
    assert client.post(_url(sent[1])).status_code == 400
    assert not child.care_team.filter(user=unconfirmed).exists()


def test_logging_in_from_the_invitation_comes_back_to_it(client, sent, invitee):
    log_in = _link(client.get(_url(sent[1])), "Log in")
    response = client.post(log_in, {"username": "invitee@example.org", "password": PASSWORD})
    assertRedirects(response, _url(sent[1]))


def test_logging_in_from_the_invitation_then_accepting_joins_the_team(client, child, sent, invitee):
    log_in = _link(client.get(_url(sent[1])), "Log in")
    client.post(log_in, {"username": "invitee@example.org", "password": PASSWORD})
    client.post(_url(sent[1]))
    assert _membership(child, invitee) is not None


# --- Refusals -------------------------------------------------------------------


def test_expired_invitation_is_refused_with_410(login, sent, invitee):
    with time_machine.travel(sent[0].created_at + timedelta(days=7, minutes=1), tick=False):
        response = login(invitee).get(_url(sent[1]))
    assertContains(response, "This invitation has expired. Ask for a new one.", status_code=410)


def test_expired_invitation_adds_nobody(login, child, sent, invitee):
    with time_machine.travel(sent[0].created_at + timedelta(days=7, minutes=1), tick=False):
        login(invitee).post(_url(sent[1]))
    assert _membership(child, invitee) is None


def test_invitation_still_works_a_minute_before_it_expires(login, child, sent, invitee):
    with time_machine.travel(sent[0].created_at + timedelta(days=7, minutes=-1), tick=False):
        login(invitee).post(_url(sent[1]))
    assert _membership(child, invitee) is not None


def test_used_link_is_refused_with_410(client, login, sent, invitee):
    login(invitee).post(_url(sent[1]))
    client.logout()
    assertContains(client.get(_url(sent[1])), "already been used", status_code=410)


def test_used_link_cannot_be_accepted_again(login, sent, invitee):
    client = login(invitee)
    client.post(_url(sent[1]))
    assert client.post(_url(sent[1])).status_code == 410


def test_revoked_invitation_is_refused_with_410(login, sent, invitee):
    Invitation.objects.filter(pk=sent[0].pk).update(revoked_at=timezone.now())
    assertContains(login(invitee).get(_url(sent[1])), "was revoked", status_code=410)


def test_revoked_invitation_adds_nobody(login, child, sent, invitee):
    Invitation.objects.filter(pk=sent[0].pk).update(revoked_at=timezone.now())
    login(invitee).post(_url(sent[1]))
    assert _membership(child, invitee) is None


def test_wrong_account_is_told_which_address_was_invited(login, sent, outsider):
    response = login(outsider).get(_url(sent[1]))
    assertContains(response, "This invitation was sent to invitee@example.org, but you are logged in as")


def test_wrong_account_is_not_offered_the_accept_button(login, sent, outsider):
    response = login(outsider).get(_url(sent[1]))
    assert "Accept and join the team" not in response.content.decode()


def test_wrong_account_accepting_is_refused_with_a_message(login, sent, outsider):
    response = login(outsider).post(_url(sent[1]))
    assertContains(response, "This invitation was sent to invitee@example.org", status_code=400)


def test_wrong_account_accepting_adds_nobody(login, child, sent, outsider):
    login(outsider).post(_url(sent[1]))
    assert _membership(child, outsider) is None


def test_wrong_account_leaves_the_invitation_usable(login, child, sent, outsider, invitee):
    login(outsider).post(_url(sent[1]))
    login(invitee).post(_url(sent[1]))
    assert _membership(child, invitee) is not None


def test_member_removed_after_accepting_loses_access(login, child, guardian, sent, invitee):
    login(invitee).post(_url(sent[1]))
    membership = _membership(child, invitee)
    login(guardian).post(reverse("tracker:member_remove", args=[child.public_id, membership.pk]))
    assert login(invitee).get(reverse("tracker:child_detail", args=[child.public_id])).status_code == 404


def test_unknown_token_is_404(client, sent):
    assert client.get(_url("no-such-token")).status_code == 404


# --- The token itself -----------------------------------------------------------


def test_token_is_stored_only_as_its_hash(sent):
    saved = Invitation.objects.get(pk=sent[0].pk)
    assert saved.token_hash == hashlib.sha256(sent[1].encode()).hexdigest()


def test_token_appears_nowhere_in_the_invitation_row(sent):
    row = Invitation.objects.filter(pk=sent[0].pk).values().get()
    assert not any(sent[1] in str(value) for value in row.values())


def test_token_from_the_mailed_link_is_not_in_the_database(
    login, child, guardian, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        login(guardian).post(
            reverse("tracker:team", args=[child.public_id]), {"email": "new@example.org", "role": "viewer"}
        )
    token = re.search(r"/invitations/([^/\s]+)/", mailoutbox[0].body).group(1)
    assert not Invitation.objects.filter(token_hash=token).exists()
    assert Invitation.objects.with_token(token).get().email == "new@example.org"
