"""RATE LIMIT: sign-up, password reset, email confirmation, email change, invitations and the second step
of log-in are limited per person and per address, in the shared cache, with a clear message and Retry-After.

Each endpoint is used until it refuses; the refusal must be a 429 with a Retry-After header, the form
back with what was typed and a message saying how long to wait, and nothing done. Then the same limit
from another address still holds for the same person, and another person from the same address is
still limited by the address's count.

The counting itself (config/ratelimit.py) is checked on the per-process memory cache and on the
database cache, with every read made stale, as two requests at once would see it.
"""

import pytest
from django.core import mail
from django.core.cache import caches
from django.core.management import call_command
from django.test import Client, override_settings
from django.urls import reverse

from config import ratelimit
from tracker.models import Invitation

from ..factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def _signup(n: int) -> dict:
    password = "a-long-new-password-456"
    return {
        "email": "hammer@example.org",
        "name": "Hammer",
        "profession": "parent",
        "password1": password,
        "password2": password,
    }


def _endpoints(child, guardian) -> dict:
    """name -> (signed-in user or None, url, data for the n-th try, how many tries the person may make)."""
    unconfirmed = UserFactory(email="unconfirmed@example.org", email_verified=False)
    return {
        "sign-up": (None, reverse("accounts:signup"), _signup, ratelimit.LIMITS["signup"].per_person),
        "password reset": (
            None,
            reverse("accounts:password_reset"),
            lambda n: {"email": guardian.email},
            ratelimit.LIMITS["password_reset"].per_person,
        ),
        "email confirmation": (
            unconfirmed,
            reverse("accounts:verify_resend"),
            lambda n: {},
            ratelimit.LIMITS["verify_email"].per_person,
        ),
        "email change": (
            guardian,
            reverse("accounts:email_change"),
            lambda n: {"new_email": f"new{n}@example.org", "password": PASSWORD},
            ratelimit.LIMITS["email_change"].per_person,
        ),
        "invitation": (
            guardian,
            reverse("tracker:team", args=[child.public_id]),
            lambda n: {"email": f"invitee{n}@example.org", "role": "viewer"},
            ratelimit.LIMITS["invite"].per_person,
        ),
        "second step of log-in": (
            guardian,
            reverse("accounts:two_factor_verify"),
            lambda n: {"code": "12345678"},
            ratelimit.LIMITS["two_factor"].per_person,
        ),
    }


def _client(user) -> Client:
    client = Client(REMOTE_ADDR="203.0.113.9")
    if user is not None:
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def test_every_limited_endpoint_refuses_with_429_retry_after_and_a_message(figure, child, guardian):
    limited, problems = [], []
    for name, (user, url, data, allowed) in _endpoints(child, guardian).items():
        client = _client(user)
        statuses = [client.post(url, data(n), REMOTE_ADDR="203.0.113.9").status_code for n in range(allowed)]
        if 429 in statuses:
            problems.append(f"{name}: refused within its allowance {statuses}")
        invitations, mails = Invitation.objects.count(), len(mail.outbox)
        refused = client.post(url, data(allowed), REMOTE_ADDR="203.0.113.9")
        text = refused.content.decode()
        if refused.status_code != 429 or not refused.get("Retry-After", "").isdigit():
            problems.append(
                f"{name}: try {allowed + 1} got {refused.status_code}, Retry-After {refused.get('Retry-After')}"
            )
            continue
        if "Too many tries. Please wait" not in text and name != "email confirmation":
            problems.append(f"{name}: no message on the page")
        if Invitation.objects.count() != invitations or len(mail.outbox) != mails:
            problems.append(f"{name}: the refused request was carried out")
        limited.append(name)
    figure(f"RATE LIMIT: {len(limited)} endpoints limited ({', '.join(limited)}), each with 429 and Retry-After")
    assert problems == [], "\n".join(problems)
    assert len(limited) == 6


def test_a_refused_sign_up_keeps_what_was_typed(db):
    client = Client()
    for n in range(ratelimit.LIMITS["signup"].per_person):
        client.post(reverse("accounts:signup"), _signup(n))
    response = client.post(reverse("accounts:signup"), _signup(9))
    assert response.status_code == 429
    assert 'value="hammer@example.org"' in response.content.decode()
    assert 'value="Hammer"' in response.content.decode()


def test_the_address_limit_holds_across_people(db):
    limit = ratelimit.LIMITS["password_reset"].per_address
    results = [
        ratelimit.hit("password_reset", person=f"p{n}@example.org", address="198.51.100.1") for n in range(limit + 1)
    ]
    assert results[:limit] == [None] * limit
    assert results[limit] is not None


def test_the_person_limit_holds_across_addresses(db):
    limit = ratelimit.LIMITS["password_reset"].per_person
    results = [
        ratelimit.hit("password_reset", person="one@example.org", address=f"198.51.100.{n}") for n in range(limit + 1)
    ]
    assert results[limit] is not None


def test_a_new_window_allows_again(db):
    limit = ratelimit.LIMITS["signup"].per_person
    for _ in range(limit + 1):
        ratelimit.hit("signup", person="w@example.org", address="198.51.100.2", now=1_000_000.0)
    assert ratelimit.hit("signup", person="w@example.org", address="198.51.100.3", now=1_000_000.0 + 3600) is None


DATABASE_CACHE = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "ratelimit_test"}}
MEMORY_CACHE = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "ratelimit"}}


@pytest.mark.parametrize("backend", ["locmem", "database"])
def test_the_count_is_exact_even_when_every_read_is_stale(backend, monkeypatch):
    """Two requests at once both read the slots before either writes: `cache.add` still lets only one win."""
    with override_settings(CACHES=DATABASE_CACHE if backend == "database" else MEMORY_CACHE):
        if backend == "database":
            call_command("createcachetable", verbosity=0)
        cache = caches["default"]
        monkeypatch.setattr(ratelimit, "cache", cache)
        monkeypatch.setattr(cache, "get_many", lambda keys: {})  # every read sees no slot taken
        limit = ratelimit.LIMITS["email_change"].per_person
        allowed = sum(
            ratelimit.hit("email_change", person="race@example.org", address=f"192.0.2.{n}", now=2_000_000.0) is None
            for n in range(limit * 3)
        )
    assert allowed == limit
