"""CSRF: no state-changing endpoint accepts a request without a token, and nothing is csrf_exempt.

Every URL that accepts POST (its rule is not "method not allowed") is posted, with a valid form where
there is one, by an actor the matrix allows, through a client that enforces CSRF checks and sends no
token: the answer must be 403 and the database (audit trail included) unchanged. As a control, the same
post through a client that skips the check is not refused, so the 403 came from the missing token.
"""

import re
from pathlib import Path

import pytest

from .support import (
    ActorClient,
    audit_count,
    build_world,
    db_fingerprint,
    fingerprint_diff,
    rule_for,
    undone,
    url_targets,
    valid_post,
    who_may,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_templates")]


ROOT = Path(__file__).resolve().parents[2]
APP_PACKAGES = ("accounts", "tracker", "config")


def _post_targets(world):
    """One target per URL pattern that accepts POST (the first kwargs variant some actor may post to)."""
    chosen = {}
    for target in url_targets(world):
        if target.name in chosen or rule_for(target, "POST").kind == "no":
            continue
        actors = who_may(world, target, "POST")
        if actors:
            chosen[target.name] = (target, actors[0])
    return list(chosen.values())


def test_no_state_changing_endpoint_accepts_a_post_without_token(figure):
    world = build_world()
    people = {**world.users, **world.hidden}
    enforcing, lenient = {}, {}
    accepted = []
    targets = _post_targets(world)
    for target, actor in targets:
        if actor not in enforcing:
            enforcing[actor] = ActorClient(people[actor], enforce_csrf_checks=True)
            lenient[actor] = ActorClient(people[actor])
        data = valid_post(world, target, lenient[actor]) or {}
        with undone():
            before, audited = db_fingerprint(), audit_count()
            response = enforcing[actor].request("POST", target.url, data)
            changed = fingerprint_diff(before, db_fingerprint()) or audit_count() != audited
        with undone():
            control = lenient[actor].request("POST", target.url, data)
        if response.status_code != 403 or changed or control.status_code == 403:
            accepted.append(
                f"POST {target.name} as {actor}: {response.status_code} without a token "
                f"(database changed: {bool(changed)}; with the check off: {control.status_code})"
            )

    exempt = [
        f"{path.relative_to(ROOT)}:{number}"
        for package in APP_PACKAGES
        for path in (ROOT / package).rglob("*.py")
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if re.search(r"\bcsrf_exempt\b", line)
    ]
    figure(
        f"CSRF: {len(accepted)} state-changing endpoints accept a request without a token; "
        f"{len(exempt)} csrf_exempt ({len(targets)} POST endpoints tried)"
    )
    assert accepted == [], "\n".join(accepted)
    assert exempt == []
