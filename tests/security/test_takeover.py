"""TAKEOVER and INVITE EMAIL: a stolen session cannot take over an account, nor an unconfirmed address join a team.

TAKEOVER replays finding 2 of issue 15 and every sensitive change around it with only the session cookie:
each is posted without the current password and with a wrong one. A change is accepted if the account's
email, password, second factor or recovery codes changed, the account was deleted, or a link went to
an address other than the account's own.

INVITE EMAIL replays finding 3 (parent B points their account at the invited address, accepts, points it
back) and the other ways an unconfirmed or different address could accept: the invitation must refuse
them all, and still accept its confirmed owner.
"""

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User
from tracker.models import CareTeamMembership, Role

from ..factories import PASSWORD, ChildFactory, MembershipFactory, UserFactory, invitation

pytestmark = pytest.mark.django_db


def _state(user: User) -> tuple:
    row = User.objects.filter(pk=user.pk).values_list("email", "password", "email_verified").first()
    devices = TOTPDevice.objects.filter(user_id=user.pk, confirmed=True).count()
    codes = tuple(sorted(StaticToken.objects.filter(device__user_id=user.pk).values_list("token", flat=True)))
    return row, devices, codes


def _with_two_factor(user: User) -> Client:
    """A session of `user`, who has two-factor on, as a thief who copied its cookie would hold it."""
    client = Client()
    client.post(reverse("accounts:login"), {"username": user.email, "password": PASSWORD})
    client.get("/accounts/two-factor/set-up/")
    device = TOTPDevice(key=client.session["_two_factor_setup_key"])
    client.post("/accounts/two-factor/set-up/", {"code": f"{totp(device.bin_key, t0=0):06d}"})
    return client


SENSITIVE = {
    "change email": ("/accounts/email/", lambda pw: {"new_email": "thief@example.org", "password": pw}),
    "change email on the profile form": (
        "/accounts/profile/",
        lambda pw: {"name": "Victim", "email": "thief@example.org", "profession": "parent", "password": pw},
    ),
    "change password": (
        "/accounts/password/change/",
        lambda pw: {"old_password": pw, "new_password1": "thief-password-987", "new_password2": "thief-password-987"},
    ),
    "new recovery codes": ("/accounts/two-factor/recovery-codes/", lambda pw: {"password": pw}),
    "move two-factor to another phone": (
        "/accounts/two-factor/set-up/",
        lambda pw: {"password": pw, "code": "SEE-BELOW"},
    ),
    "turn off two-factor": ("/accounts/two-factor/turn-off/", lambda pw: {"password": pw, "code": "000000"}),
    "delete the account": ("/accounts/delete/", lambda pw: {"password": pw}),
}


def test_a_stolen_session_changes_nothing_sensitive_without_the_current_password(
    figure, django_capture_on_commit_callbacks
):
    victim = UserFactory(email="victim@example.org", name="Victim")
    session = _with_two_factor(victim)
    accepted, tried = [], 0
    for what, (url, data) in SENSITIVE.items():
        for password in ("", "a-guessed-password-1"):
            before, sent = _state(victim), len(mail.outbox)
            posted = data(password)
            if posted.get("code") == "SEE-BELOW":  # the thief's own phone, with a right code for it
                session.get(url)
                posted["code"] = f"{totp(TOTPDevice(key=session.session['_two_factor_setup_key']).bin_key, t0=0):06d}"
            with django_capture_on_commit_callbacks(execute=True):
                session.post(url, posted)
            tried += 1
            foreign_mail = [m for m in mail.outbox[sent:] if m.to != [victim.email]]
            if _state(victim) != before or foreign_mail:
                accepted.append(f"{what} with password {password!r}")

    # Finding 2 as it was found: the reset link must not go anywhere but the victim's own address.
    with django_capture_on_commit_callbacks(execute=True):
        Client().post(reverse("accounts:password_reset"), {"email": "thief@example.org"})
    if any("thief@example.org" in m.to for m in mail.outbox):
        accepted.append("password reset to the thief's address")

    figure(f"TAKEOVER: {len(accepted)} of {tried} sensitive changes accepted without the current password")
    assert accepted == []


def _try_accept(user: User, token: str) -> bool:
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    client.post(reverse("tracker:invitation_accept", args=[token]))
    return CareTeamMembership.objects.filter(user=user, role=Role.THERAPIST).exists()


def test_only_a_confirmed_matching_address_accepts_an_invitation(figure, child, guardian, login):
    # Finding 3: parent B asks to move their account to the invited address (no link followed), accepts.
    invited = "invited-ot@example.org"
    parent_b = UserFactory(email="parent-b@example.org", name="Parent B")
    MembershipFactory(child=ChildFactory(given_name="Bea"), user=parent_b)
    attempts = {}
    _, token = invitation(child, email=invited, role=Role.THERAPIST, by=guardian)
    client = login(parent_b)
    client.post("/accounts/email/", {"new_email": invited, "password": PASSWORD})
    client.post("/accounts/profile/", {"name": "Parent B", "email": invited, "profession": "parent"})
    parent_b.refresh_from_db()
    attempts["parent B after asking to move to the invited address"] = _try_accept(parent_b, token)

    _, token = invitation(child, email="second@example.org", role=Role.THERAPIST, by=guardian)
    unconfirmed = UserFactory(email="second@example.org", email_verified=False)
    attempts["an account that signed up with the address and never confirmed it"] = _try_accept(unconfirmed, token)

    _, token = invitation(child, email="third@example.org", role=Role.THERAPIST, by=guardian)
    other = UserFactory(email="someone-else@example.org")
    attempts["a confirmed account with a different address"] = _try_accept(other, token)

    accepted = [what for what, joined in attempts.items() if joined]
    _, token = invitation(child, email="owner@example.org", role=Role.THERAPIST, by=guardian)
    owner_joins = _try_accept(UserFactory(email="owner@example.org"), token)
    figure(
        f"INVITE EMAIL: {len(accepted)} invitations accepted by an unverified or different address "
        f"({len(attempts)} tried; the confirmed owner {'joins' if owner_joins else 'DOES NOT JOIN'})"
    )
    assert accepted == []
    assert owner_joins
