"""A child's care team: inviting, revoking, removing members and leaving."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertFormError, assertNotContains, assertRedirects

from tracker.models import AuditEvent, CareTeamMembership, Child, Invitation

from ..factories import ChildFactory, MembershipFactory, UserFactory, invitation

pytestmark = pytest.mark.django_db


def _team_url(child: Child) -> str:
    return reverse("tracker:team", args=[child.public_id])


@pytest.fixture
def invite(child, django_capture_on_commit_callbacks):
    """Post the invitation form on Maya's team page, running the mail sent on commit."""

    def _invite(client, **overrides):
        data = {"email": "new@example.org", "role": "viewer", "discipline": ""} | overrides
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(_team_url(child), data)

    return _invite


def _remove_url(child: Child, user) -> str:
    membership = child.care_team.get(user=user)
    return reverse("tracker:member_remove", args=[child.public_id, membership.pk])


def _on_team(child: Child, user) -> bool:
    return CareTeamMembership.objects.filter(child=child, user=user).exists()


# --- Inviting -------------------------------------------------------------------


@pytest.mark.parametrize(("role", "discipline"), [("viewer", ""), ("guardian", ""), ("therapist", "PT")])
def test_guardian_invites_each_role(login, guardian, child, invite, role, discipline):
    invite(login(guardian), role=role, discipline=discipline)
    saved = Invitation.objects.get(child=child, email="new@example.org")
    assert (saved.role, saved.discipline) == (role, discipline)


def test_invitation_redirects_back_to_the_team_page(login, guardian, child, invite):
    response = invite(login(guardian))
    assertRedirects(response, _team_url(child))


def test_therapist_invitation_without_a_discipline_is_refused_at_the_discipline_field(login, guardian, child, invite):
    response = invite(login(guardian), role="therapist", discipline="")
    assertFormError(response.context["form"], "discipline", "Choose the therapist's discipline (OT, PT or other).")


def test_therapist_invitation_without_a_discipline_saves_nothing(login, guardian, child, invite):
    invite(login(guardian), role="therapist", discipline="")
    assert not Invitation.objects.exists()


def test_discipline_is_dropped_for_a_role_that_is_not_therapist(login, guardian, child, invite):
    invite(login(guardian), role="viewer", discipline="OT")
    assert Invitation.objects.get().discipline == ""


def test_invitation_mail_goes_to_the_invitee(login, guardian, child, mailoutbox, invite):
    invite(login(guardian))
    assert [mail.to for mail in mailoutbox] == [["new@example.org"]]


def test_invitation_mail_holds_the_link(login, guardian, child, mailoutbox, invite):
    invite(login(guardian))
    assert "http://testserver/invitations/" in mailoutbox[0].body


def test_invitation_link_is_shown_to_the_inviter(login, guardian, child, mailoutbox, invite):
    client = login(guardian)
    invite(client)
    link = next(word for word in mailoutbox[0].body.split() if word.startswith("http://testserver/invitations/"))
    assertContains(client.get(_team_url(child)), f'value="{link}"')


def test_invitation_is_listed_as_waiting(login, guardian, child, invite):
    client = login(guardian)
    invite(client)
    assertContains(client.get(_team_url(child)), "new@example.org — Viewer (read only)")


def test_invitation_is_audited(login, guardian, child, invite):
    invite(login(guardian))
    assert AuditEvent.objects.filter(child=child, action="invited", actor=guardian).count() == 1


def test_therapist_is_offered_only_the_therapist_role(login, guardian, pt, child):
    form = login(pt).get(_team_url(child)).context["form"]
    assert [value for value, _ in form.fields["role"].choices] == ["therapist"]


def test_therapist_may_invite_a_therapist(login, guardian, pt, child, invite):
    invite(login(pt), role="therapist", discipline="OT")
    assert Invitation.objects.get().invited_by == pt


def test_therapist_inviting_a_guardian_is_refused(login, guardian, pt, child, invite):
    response = invite(login(pt), role="guardian")
    assertFormError(
        response.context["form"], "role", "Select a valid choice. guardian is not one of the available choices."
    )


def test_therapist_inviting_a_guardian_saves_nothing(login, guardian, pt, child, invite):
    invite(login(pt), role="guardian")
    assert not Invitation.objects.exists()


def test_viewer_sees_no_invitation_form(login, guardian, viewer, child):
    assertNotContains(login(viewer).get(_team_url(child)), "Send invitation")


def test_viewer_inviting_gets_403(login, guardian, viewer, child, invite):
    assert invite(login(viewer)).status_code == 403


def test_viewer_inviting_saves_nothing(login, guardian, viewer, child, invite):
    invite(login(viewer))
    assert not Invitation.objects.exists()


def test_second_invitation_to_a_waiting_email_is_refused_at_the_email_field(login, guardian, child, invite):
    invitation(child, email="new@example.org")
    response = invite(login(guardian), email="New@Example.org")
    assertFormError(
        response.context["form"],
        "email",
        "This email already has an invitation waiting. Revoke it below to send a new one.",
    )


def test_an_expired_invitation_does_not_block_a_new_one(login, guardian, child, invite):
    expired, _ = invitation(child, email="new@example.org")
    Invitation.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    invite(login(guardian))
    assert Invitation.objects.filter(email="new@example.org").count() == 2


def test_inviting_an_existing_member_is_refused_at_the_email_field(login, guardian, pt, child, invite):
    response = invite(login(guardian), email="PT@example.org")
    assertFormError(response.context["form"], "email", "This person is already on the care team.")


def test_refused_invitation_keeps_what_was_typed(login, guardian, pt, child, invite):
    response = invite(login(guardian), email="pt@example.org")
    assertContains(response, 'value="pt@example.org"')


def test_refused_invitation_sends_no_mail(login, guardian, pt, child, mailoutbox, invite):
    invite(login(guardian), email="pt@example.org")
    assert mailoutbox == []


# --- Revoking -------------------------------------------------------------------


def test_revoked_link_stops_working(client, login, guardian, child):
    waiting, token = invitation(child, email="new@example.org")
    login(guardian).post(reverse("tracker:invitation_revoke", args=[child.public_id, waiting.pk]))
    client.logout()
    assert client.get(reverse("tracker:invitation_accept", args=[token])).status_code == 410


def test_revoked_invitation_leaves_the_waiting_list(login, guardian, child):
    waiting, _ = invitation(child, email="new@example.org")
    client = login(guardian)
    client.post(reverse("tracker:invitation_revoke", args=[child.public_id, waiting.pk]))
    assertNotContains(client.get(_team_url(child)), "Revoke the invitation to new@example.org")


def test_therapist_cannot_revoke_a_guardian_invitation(login, guardian, pt, child):
    waiting, _ = invitation(child, email="new@example.org", role="guardian")
    response = login(pt).post(reverse("tracker:invitation_revoke", args=[child.public_id, waiting.pk]))
    assert response.status_code == 403


def test_outsider_cannot_revoke(login, guardian, outsider, child):
    waiting, _ = invitation(child, email="new@example.org")
    login(outsider).post(reverse("tracker:invitation_revoke", args=[child.public_id, waiting.pk]))
    assert Invitation.objects.pending().filter(pk=waiting.pk).exists()


# --- Removing and leaving -------------------------------------------------------


def test_guardian_removes_a_member(login, team, child):
    login(team["guardian"]).post(_remove_url(child, team["ot"]))
    assert not _on_team(child, team["ot"])


def test_removal_is_audited(login, team, child):
    login(team["guardian"]).post(_remove_url(child, team["ot"]))
    assert AuditEvent.objects.get(child=child, action="removed").actor == team["guardian"]


def test_therapist_removing_someone_else_gets_403(login, team, child):
    assert login(team["pt"]).post(_remove_url(child, team["ot"])).status_code == 403


def test_therapist_removing_someone_else_removes_nobody(login, team, child):
    login(team["pt"]).post(_remove_url(child, team["ot"]))
    assert _on_team(child, team["ot"])


def test_viewer_removing_someone_else_gets_403(login, team, child):
    assert login(team["viewer"]).post(_remove_url(child, team["pt"])).status_code == 403


def test_member_of_another_childs_team_cannot_be_removed_through_this_child(login, guardian, outsider, child):
    outsiders_membership = outsider.memberships.get()
    url = reverse("tracker:member_remove", args=[child.public_id, outsiders_membership.pk])
    assert login(guardian).post(url).status_code == 404


def test_viewer_may_leave(login, guardian, viewer, child):
    login(viewer).post(_remove_url(child, viewer))
    assert not _on_team(child, viewer)


def test_leaving_goes_back_to_my_children(login, guardian, viewer, child):
    response = login(viewer).post(_remove_url(child, viewer))
    assertRedirects(response, reverse("tracker:child_list"))


def test_therapist_may_leave(login, team, child):
    login(team["pt"]).post(_remove_url(child, team["pt"]))
    assert not _on_team(child, team["pt"])


def test_leaving_is_audited_as_left(login, team, child):
    login(team["pt"]).post(_remove_url(child, team["pt"]))
    assert AuditEvent.objects.get(child=child, action="left").actor == team["pt"]


def test_guardian_may_leave_when_a_therapist_remains(login, guardian, ot, child):
    login(guardian).post(_remove_url(child, guardian))
    assert not _on_team(child, guardian)


def test_last_guardian_cannot_leave(login, guardian, viewer, child):
    login(guardian).post(_remove_url(child, guardian))
    assert _on_team(child, guardian)


def test_last_guardian_is_told_why_they_cannot_leave(login, guardian, viewer, child):
    response = login(guardian).post(_remove_url(child, guardian), follow=True)
    assertContains(response, "A child needs at least one guardian or therapist.")


def test_last_therapist_of_a_child_without_guardian_cannot_leave(login):
    child = ChildFactory()
    lone = UserFactory(profession="ot")
    MembershipFactory(child=child, user=lone, role="therapist", discipline="OT")
    login(lone).post(_remove_url(child, lone))
    assert _on_team(child, lone)


def test_removal_by_get_is_refused(login, team, child):
    assert login(team["guardian"]).get(_remove_url(child, team["ot"])).status_code == 405
