"""2FA: with REQUIRE_2FA_FOR_THERAPISTS on, no child URL answers a therapist without a second factor.

And no code works twice.

- Every child URL of the URL table (each kwargs variant, GET and POST), for child A's therapist by
  profession (an OT, sent to set two-factor up before any page) and for a person of another profession
  who holds a therapist's place on the team (refused at the child's door, tracker.permissions.child_for).
  A refusal is a redirect to the set-up or log-in pages, or a 4xx; anything else lets the child through.
- Replays: a code from the app accepted once is refused in another session in the same 30 seconds, and
  a recovery code is refused the second time.
"""

import pytest
from django.test import Client, override_settings
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tracker.models import Role

from ..factories import PASSWORD, MembershipFactory, UserFactory
from .support import ActorClient, build_world, rule_for, undone, url_targets, valid_post

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_templates")]

REFUSED_REDIRECTS = ("/accounts/two-factor/", "/accounts/login/")


def _refused(response) -> bool:
    if response.status_code in (301, 302, 303):
        return response["Location"].startswith(REFUSED_REDIRECTS)
    return response.status_code in (401, 403, 404, 405)


def _code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=30, t0=0, digits=6, drift=0):06d}"


def _signed_in(user) -> Client:
    client = Client()
    client.post(reverse("accounts:login"), {"username": user.email, "password": PASSWORD})
    return client


def _replays_accepted(therapist) -> tuple[int, int]:
    """(replays accepted, first uses accepted) for one app code and one recovery code."""
    first = _signed_in(therapist)
    first.get("/accounts/two-factor/set-up/")
    device = TOTPDevice(key=first.session["_two_factor_setup_key"])
    code = _code(device)
    page = first.post("/accounts/two-factor/set-up/", {"code": code}).content.decode()
    recovery = page.split('id="recovery-codes"')[1].split("<li>")[1].split("</li>")[0]
    verify = reverse("accounts:two_factor_verify")
    replays, firsts = 0, 1  # the set-up accepted `code`
    again = _signed_in(therapist)
    replays += again.post(verify, {"code": code}).status_code == 302
    firsts += again.post(verify, {"code": recovery}).status_code == 302
    replays += _signed_in(therapist).post(verify, {"code": recovery}).status_code == 302
    return replays, firsts


@override_settings(REQUIRE_2FA_FOR_THERAPISTS=True)
def test_no_child_url_answers_a_therapist_without_a_second_factor_and_no_code_works_twice(figure):
    world = build_world()
    by_role = UserFactory(name="Rita Role", email="rita@example.org", profession="other")
    MembershipFactory(child=world.a.child, user=by_role, role=Role.THERAPIST, discipline="other")
    therapists = {"ot_a (OT by profession)": world.users["ot_a"], "rita (therapist's role only)": by_role}
    tried, through = 0, []
    for label, user in therapists.items():
        client = ActorClient(user)
        for target in url_targets(world):
            if target.child_tag != "a":
                continue
            for method in ("GET", "POST"):
                if rule_for(target, method).kind == "no":
                    continue
                data = valid_post(world, target) if method == "POST" else None
                with undone():
                    response = client.request(method, target.url, data)
                tried += 1
                if not _refused(response):
                    through.append(f"{method} {target.name} [{target.variant}] as {label}: {response.status_code}")

    replays, firsts = _replays_accepted(world.users["ot_a"])
    figure(
        f"2FA: every child URL refused to a therapist without a second factor ({tried} tried); "
        f"{replays} replayed codes accepted"
    )
    assert through == [], "\n".join(through)
    assert replays == 0
    assert firsts == 2, "the first use of each code must pass"
