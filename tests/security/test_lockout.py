"""LOCKOUT: django-axes locks an account after repeated failures, whatever address the attempts claim.

Wrong passwords are posted to the login page, each from a new REMOTE_ADDR and a new X-Forwarded-For,
until the account is locked; then the right password is refused, and so is a further attempt from yet
another pair of addresses.
"""

import pytest
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.urls import reverse

from ..factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

LOCKED = 429


def _attempt(client: Client, n: int, password: str):
    return client.post(
        reverse("accounts:login"),
        {"username": "locked@example.org", "password": password},
        REMOTE_ADDR=f"198.51.100.{n % 250 + 1}",
        HTTP_X_FORWARDED_FOR=f"203.0.113.{n % 250 + 1}, 192.0.2.{n % 250 + 1}",
    )


def test_lockout_survives_address_rotation(figure):
    assert getattr(settings, "AXES_ENABLED", True), "django-axes must be on for this test"
    assert "axes.middleware.AxesMiddleware" in settings.MIDDLEWARE
    UserFactory(email="locked@example.org")
    client = Client()
    locked_at = None
    for attempt in range(1, 21):
        response = _attempt(client, attempt, "wrong-password-123")
        if response.status_code == LOCKED:
            locked_at = attempt
            break
        assert response.status_code == 200, response.status_code

    right = _attempt(client, 100, PASSWORD)
    right_refused = right.status_code == LOCKED and SESSION_KEY not in client.session
    rotated = [_attempt(Client(), 200 + n, PASSWORD).status_code for n in range(3)]
    rotation_holds = all(status == LOCKED for status in rotated)

    figure(
        f"LOCKOUT: locked at attempt {locked_at} (limit {settings.AXES_FAILURE_LIMIT}); "
        f"correct password {'refused' if right_refused else 'ACCEPTED'} while locked; "
        f"X-Forwarded-For rotation {'does not reset it' if rotation_holds else 'RESETS IT'}"
    )
    assert locked_at == settings.AXES_FAILURE_LIMIT
    assert right_refused
    assert rotation_holds
