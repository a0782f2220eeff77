"""LOCKOUT RESET: another account's successful log-in never clears the failures against a victim.

The black-box test's attack (issue 15, finding 1), replayed from one address: four wrong passwords
for the victim, then a successful log-in to the attacker's own account, again and again. Before the
fix, each success deleted every failed attempt from that address, so the victim was never locked.
"""

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.test import Client
from django.urls import reverse

from ..factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

LOCKED = 429
ADDRESS = "198.51.100.7"


def _log_in(email: str, password: str):
    return Client().post(reverse("accounts:login"), {"username": email, "password": password}, REMOTE_ADDR=ADDRESS)


def _victim_failures() -> int:
    return sum(a.failures_since_start for a in AccessAttempt.objects.filter(username="victim@example.org"))


def test_another_accounts_success_does_not_clear_the_victims_failures(figure):
    UserFactory(email="victim@example.org")
    UserFactory(email="attacker@example.org")
    cleared, guesses, locked_after = 0, 0, None
    for _round in range(5):
        for _ in range(settings.AXES_FAILURE_LIMIT - 1):
            response = _log_in("victim@example.org", "wrong-password-123")
            guesses += 1
            if response.status_code == LOCKED and locked_after is None:
                locked_after = guesses
        before = _victim_failures()
        _log_in("attacker@example.org", PASSWORD)
        cleared += before - _victim_failures()

    victim_locked = _log_in("victim@example.org", PASSWORD).status_code == LOCKED
    figure(f"LOCKOUT RESET: {cleared} victim failures cleared by another account's success")
    assert cleared == 0
    assert locked_after is not None and locked_after <= settings.AXES_FAILURE_LIMIT
    assert victim_locked


def test_a_success_clears_the_accounts_own_failures(db):
    UserFactory(email="forgetful@example.org")
    for _ in range(settings.AXES_FAILURE_LIMIT - 2):
        _log_in("forgetful@example.org", "wrong-password-123")
    assert _log_in("forgetful@example.org", PASSWORD).status_code == 302
    assert not AccessAttempt.objects.filter(username="forgetful@example.org").exists()


def test_failures_against_others_from_the_same_address_still_lock_the_address(db):
    UserFactory(email="someone@example.org")
    UserFactory(email="attacker@example.org")
    for n in range(settings.AXES_FAILURE_LIMIT):
        _log_in(f"nobody{n}@example.org", "wrong-password-123")
    _log_in("attacker@example.org", PASSWORD)  # refused while the address is locked, and clears nothing
    assert _log_in("someone@example.org", "wrong-password-123").status_code == LOCKED
