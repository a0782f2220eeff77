"""REVOCATION: once removed from the team or deactivated, a signed-in browser reaches nothing more.

The OT of child A is removed from the team and the guardian of A is deactivated (is_active=False) while
both are signed in. Each retries, with the same client and session, every child URL and method that
worked for them just before: every retry must be denied (login redirect, 403, 404 or 405) and leave
the database and the audit trail as they were.
"""

import pytest

from tracker import services
from tracker.models import CareTeamMembership

from .support import (
    ActorClient,
    audit_count,
    build_world,
    db_fingerprint,
    fingerprint_diff,
    judge,
    may_use,
    undone,
    url_targets,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_templates")]


def _reachable(world, client: ActorClient, actor: str, targets) -> list[tuple[str, object]]:
    """The (method, target) pairs that worked for `actor` before the change."""
    worked = []
    for target in targets:
        for method in ("GET", "POST"):
            if not may_use(world, target, method, actor):
                continue
            with undone():
                response = client.request(method, target.url)
            assert judge(response, allowed=True, anonymous=False) == "ok", (method, target.url, response.status_code)
            worked.append((method, target))
    return worked


def test_removed_and_deactivated_members_are_refused_at_once(figure):
    world = build_world()
    targets = [target for target in url_targets(world) if target.child_tag == "a"]
    removed = ActorClient(world.users["ot_a"])
    deactivated = ActorClient(world.users["guardian_a"])
    before = {
        "ot_a": _reachable(world, removed, "ot_a", targets),
        "guardian_a": _reachable(world, deactivated, "guardian_a", targets),
    }

    services.remove_member(
        membership=CareTeamMembership.objects.get(child=world.a.child, user=world.users["ot_a"]),
        by=world.users["guardian_a"],
    )
    guardian = world.users["guardian_a"]
    guardian.is_active = False
    guardian.save(update_fields=["is_active"])

    baseline, audit_baseline = db_fingerprint(), audit_count()
    allowed_after = []
    for actor, client in (("ot_a", removed), ("guardian_a", deactivated)):
        for method, target in before[actor]:
            with undone():
                response = client.request(method, target.url)
                changed = fingerprint_diff(baseline, db_fingerprint())
                audited = audit_count() - audit_baseline
            verdict = judge(response, allowed=False, anonymous=actor == "guardian_a")
            if verdict != "ok" or changed or audited:
                allowed_after.append(f"{method} {target.name} [{target.variant}] as {actor}: {response.status_code}")

    retried = len(before["ot_a"]) + len(before["guardian_a"])
    figure(
        f"REVOCATION: {len(allowed_after)} requests allowed after removal or deactivation "
        f"({retried} retried: {len(before['ot_a'])} by a removed therapist, "
        f"{len(before['guardian_a'])} by a deactivated guardian)"
    )
    assert allowed_after == [], "\n".join(allowed_after)
