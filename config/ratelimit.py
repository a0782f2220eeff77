"""Rate limits in the shared cache: how many times one account or one address may do something per hour.

Limits live in the cache every app server shares (Redis, or the database cache table), so they hold
across workers and servers. Each use takes one numbered slot with `cache.add`, which is atomic on every
backend Django ships: Redis `SET NX`, locmem under its lock, and the database cache's INSERT, which the
primary key lets only one writer win. A counter moved with `cache.incr` would not be: the database
cache's `incr` is a read then a write, and two requests at once both read 4 and both write 5. Slots make
the count exact on both (tests/security/test_rate_limits.py runs the same race on locmem and on the
database cache). A window is a fixed hour (or `seconds`): its slots expire with it.

What is limited (LIMITS), each per account (or per email typed, before there is an account) and per
client address; the address is the one django-axes counts (`AXES_IPWARE_META_PRECEDENCE_ORDER`).
"""

import hashlib
import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse


@dataclass(frozen=True)
class Limit:
    per_person: int  # uses per window for one account (or one email typed)
    per_address: int  # uses per window from one client address
    seconds: int = 60 * 60


LIMITS: dict[str, Limit] = {
    "signup": Limit(per_person=3, per_address=20),
    "password_reset": Limit(per_person=3, per_address=20),
    "verify_email": Limit(per_person=5, per_address=30),
    "email_change": Limit(per_person=5, per_address=30),
    "invite": Limit(per_person=30, per_address=60),
    "two_factor": Limit(per_person=10, per_address=60, seconds=15 * 60),
    # A report share link's passcode: per link ("person" is the link) and per address, every try counted.
    "share_passcode": Limit(per_person=10, per_address=30, seconds=15 * 60),
}

MESSAGE = "Too many tries. Please wait {wait} and try again."


def client_address(request: HttpRequest) -> str:
    """The client address as django-axes takes it: the socket's, unless a trusted proxy header is configured."""
    for header in settings.AXES_IPWARE_META_PRECEDENCE_ORDER:
        value = request.META.get(header, "")
        if value:
            return value.split(",")[0].strip()
    return ""


def _slot_base(scope: str, kind: str, who: str, window: int) -> str:
    digest = hashlib.sha256(f"{scope}|{kind}|{who.casefold()}".encode()).hexdigest()[:24]
    return f"ratelimit:{digest}:{window}"


def _take(base: str, allowed: int, timeout: int) -> bool:
    """Take a free slot of `allowed` under `base`: True if one was free."""
    keys = [f"{base}:{n}" for n in range(allowed)]
    taken = cache.get_many(keys)
    return any(cache.add(key, 1, timeout) for key in keys if key not in taken)


def hit(scope: str, *, person: str | None, address: str, now: float | None = None) -> int | None:
    """Count one use of `scope` by `person` (an account id or an email) from `address`.

    Returns None when allowed, else the number of seconds until the window ends (for Retry-After).
    """
    limit = LIMITS[scope]
    now = time.time() if now is None else now
    window = int(now // limit.seconds) * limit.seconds
    timeout = window + limit.seconds - int(now) + 1
    checks = [("address", address, limit.per_address)]
    if person:
        checks.append(("person", str(person), limit.per_person))
    allowed = True
    for kind, who, count in checks:
        if not _take(_slot_base(scope, kind, who, window), count, timeout):
            allowed = False
    return None if allowed else max(1, math.ceil(window + limit.seconds - now))


def wait_words(seconds: int) -> str:
    minutes = math.ceil(seconds / 60)
    return f"{minutes} minute{'s' if minutes != 1 else ''}" if seconds >= 60 else f"{seconds} seconds"


def message(retry_after: int) -> str:
    return MESSAGE.format(wait=wait_words(retry_after))


def limited(response: HttpResponse, retry_after: int) -> HttpResponse:
    """`response` as a 429 Too Many Requests with Retry-After."""
    response.status_code = 429
    response["Retry-After"] = str(retry_after)
    return response
