"""Two-factor authentication (accounts/two_factor.py): setting it up, the second step, recovery codes, turning off."""

import re

import pytest
from django.core.management import call_command
from django.test import Client, override_settings
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from pytest_django.asserts import assertContains, assertFormError, assertRedirects

from accounts.models import Session

from ..factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

SETUP = "/accounts/two-factor/set-up/"
VERIFY = "/accounts/two-factor/verify/"


def code_for(device: TOTPDevice, *, steps_ahead: int = 0) -> str:
    """The code the app shows now, or `steps_ahead` 30-second steps from now (a code not yet used)."""
    return f"{totp(device.bin_key, step=30, t0=-30 * steps_ahead, digits=6, drift=0):06d}"


def set_up(client) -> tuple[TOTPDevice, list[str]]:
    """Set two-factor up through the pages; the device and the recovery codes shown."""
    client.get(SETUP)
    key = client.session["_two_factor_setup_key"]
    device = TOTPDevice(key=key)
    response = client.post(SETUP, {"code": code_for(device)})
    codes = re.findall(r"<li>([a-z0-9]{8})</li>", response.content.decode())
    return TOTPDevice.objects.get(key=key, confirmed=True), codes


def log_in(client, user):
    return client.post(reverse("accounts:login"), {"username": user.email, "password": PASSWORD})


@pytest.fixture
def ana(db):
    return UserFactory(email="ana@example.org")


@pytest.fixture
def client(client, ana):
    """Signed in as Ana with her password."""
    log_in(client, ana)
    return client


# --- Access ladder ---------------------------------------------------------------------------


@pytest.mark.parametrize("url", [SETUP, VERIFY, "/accounts/two-factor/", "/accounts/two-factor/turn-off/"])
def test_anonymous_is_sent_to_login(url):
    assert Client().get(url)["Location"].startswith(reverse("accounts:login"))


def test_the_overview_page_is_get_only(login, ana):
    assert login(ana).post("/accounts/two-factor/").status_code == 405


# --- Setting it up --------------------------------------------------------------------------


def test_the_setup_page_shows_a_qr_code_drawn_here_and_the_key(login, ana):
    response = login(ana).get(SETUP)
    assertContains(response, 'src="data:image/svg+xml;base64,')
    assertContains(response, 'id="totp-key"')


def test_a_wrong_code_is_refused_next_to_the_field(login, ana):
    client = login(ana)
    client.get(SETUP)
    response = client.post(SETUP, {"code": "000000"})
    assertFormError(
        response.context["form"],
        "code",
        "That code is not right. Type the 6 digits the app shows now (they change every 30 seconds).",
    )
    assert not TOTPDevice.objects.filter(user=ana, confirmed=True).exists()


def test_a_right_code_turns_it_on_and_shows_ten_recovery_codes_once(login, ana):
    device, codes = set_up(login(ana))
    assert device.user == ana
    assert len(codes) == 10
    assert StaticToken.objects.filter(device__user=ana).count() == 10


# --- The second step -------------------------------------------------------------------------


def test_after_the_password_a_person_with_two_factor_must_pass_the_second_step(client, ana):
    device, _ = set_up(client)
    client.post(reverse("accounts:logout"))
    log_in(client, ana)
    assertRedirects(
        client.get(reverse("tracker:child_list")), f"{VERIFY}?next=/children/", fetch_redirect_response=False
    )


def test_a_code_from_the_app_passes_the_second_step(client, ana):
    device, _ = set_up(client)
    client.post(reverse("accounts:logout"))
    log_in(client, ana)
    response = client.post(VERIFY, {"code": code_for(device, steps_ahead=1), "next": "/children/"})
    assertRedirects(response, "/children/")
    assert client.get("/children/").status_code == 200


def test_a_recovery_code_passes_once(client, ana):
    _, codes = set_up(client)
    for expected in ("/children/", None):
        client.post(reverse("accounts:logout"))
        log_in(client, ana)
        response = client.post(VERIFY, {"code": codes[0], "next": "/children/"})
        if expected:
            assertRedirects(response, expected)
        else:
            assertContains(response, "already used")


def test_new_recovery_codes_need_the_password_and_replace_the_old(client, ana):
    _, codes = set_up(client)
    assert client.post("/accounts/two-factor/recovery-codes/", {"password": "wrong-password-000"}).status_code == 200
    assert StaticToken.objects.filter(device__user=ana, token=codes[0]).exists()
    response = client.post("/accounts/two-factor/recovery-codes/", {"password": PASSWORD})
    assert len(re.findall(r"<li>([a-z0-9]{8})</li>", response.content.decode())) == 10
    assert not StaticToken.objects.filter(device__user=ana, token=codes[0]).exists()


@override_settings(OTP_STATIC_THROTTLE_FACTOR=0, OTP_TOTP_THROTTLE_FACTOR=0)  # a wrong code waits 1 s otherwise
def test_turning_it_off_needs_the_password_and_a_code(client, ana):
    device, codes = set_up(client)
    client.post("/accounts/two-factor/turn-off/", {"password": PASSWORD, "code": "000000"})
    assert TOTPDevice.objects.filter(user=ana).exists()
    client.post("/accounts/two-factor/turn-off/", {"password": PASSWORD, "code": codes[1]})
    assert not TOTPDevice.objects.filter(user=ana).exists()


def test_the_administrators_reset_removes_the_devices_and_signs_out(client, ana):
    set_up(client)
    call_command("reset_two_factor", "ANA@example.org", stdout=None)
    assert not TOTPDevice.objects.filter(user=ana).exists()
    assert not Session.objects.filter(user=ana).exists()


# --- Therapists -----------------------------------------------------------------------------------


@override_settings(REQUIRE_2FA_FOR_THERAPISTS=True)
def test_a_therapist_without_two_factor_is_sent_to_set_it_up():
    client, therapist = Client(), UserFactory(profession="ot")
    log_in(client, therapist)
    assertRedirects(client.get("/children/"), f"{SETUP}?next=/children/", fetch_redirect_response=False)


@override_settings(REQUIRE_2FA_FOR_THERAPISTS=True)
def test_a_therapist_who_set_it_up_sees_their_children():
    client, therapist = Client(), UserFactory(profession="pt")
    log_in(client, therapist)
    set_up(client)
    assert client.get("/children/").status_code == 200


@override_settings(REQUIRE_2FA_FOR_THERAPISTS=True)
def test_a_parent_is_not_asked(client):
    assert client.get("/children/").status_code == 200


@override_settings(OTP_TOTP_THROTTLE_FACTOR=0)
def test_moving_to_a_new_phone_needs_the_password_and_retires_the_old_one(client, ana):
    old, _ = set_up(client)
    client.get(SETUP)
    new_key = client.session["_two_factor_setup_key"]
    code = code_for(TOTPDevice(key=new_key))
    client.post(SETUP, {"code": code, "password": "wrong-password-000"})
    assert TOTPDevice.objects.get(user=ana, confirmed=True).pk == old.pk
    client.post(SETUP, {"code": code_for(TOTPDevice(key=new_key), steps_ahead=1), "password": PASSWORD})
    assert TOTPDevice.objects.get(user=ana, confirmed=True).key == new_key
