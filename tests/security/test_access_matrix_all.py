"""ACCESS MATRIX: every URL pattern of the project × eight actors × GET and POST, against DESIGN.md.

The URL patterns come from the resolver, not from a list: a pattern without a rule in `support.RULES`
or with a kwarg `support.KWARGS` cannot fill is an untested pattern, and fails the test.

A denied try must get a login redirect (anonymous), 404 (outside the team), 403 (a member without
the right) or 405 (wrong method) AND leave the database as it was: every table hashed (sessions,
django-axes and the audit trail aside) and not one audit event written. A GET, allowed or not, must
not change the hashed tables either. Anything 2xx/3xx to someone the matrix denies is a leak.

Members of child B also try child A's object ids under child B's URL (note, observation, goal, …).
"""

import importlib
import pkgutil
from collections import Counter
from dataclasses import dataclass, field

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from tracker import views as tracker_views
from tracker.models import CareTeamMembership, Child, Role
from tracker.permissions import allowed_actions

from .support import (
    ACTORS,
    all_patterns,
    audit_count,
    build_world,
    clients_for,
    db_fingerprint,
    fingerprint_diff,
    judge,
    may_use,
    rule_for,
    undone,
    untested_patterns,
    url_targets,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_templates")]


METHODS = ("GET", "POST")


@dataclass
class Sweep:
    tries: int = 0
    verdicts: Counter = field(default_factory=Counter)
    findings: list[str] = field(default_factory=list)

    @property
    def leaks(self) -> int:
        return self.verdicts["leak"]

    def problems(self) -> list[str]:
        return self.findings


def sweep(world, clients, targets, actors, methods=METHODS) -> Sweep:
    result = Sweep()
    baseline = db_fingerprint()
    audit_baseline = audit_count()
    for target in targets:
        for method in methods:
            for actor in actors:
                allowed = may_use(world, target, method, actor)
                with undone():
                    response = clients[actor].request(method, target.url)
                    public = rule_for(target, method).kind == "public"
                    verdict = judge(response, allowed=allowed, anonymous=actor == "anonymous", public=public)
                    changed = fingerprint_diff(baseline, db_fingerprint()) if (not allowed or method == "GET") else []
                    audited = audit_count() - audit_baseline
                where = f"{method} {target.name} [{target.variant}] as {actor}: {response.status_code}"
                if target.swapped:
                    where += " (child B's id, child A's object)"
                result.tries += 1
                if verdict != "ok":
                    result.verdicts[verdict] += 1
                    result.findings.append(f"{verdict}: {where}")
                if changed:
                    kind = "denied request changed the database" if not allowed else "GET changed the database"
                    result.verdicts[kind] += 1
                    result.findings.append(f"{kind}: {where}: {changed}")
                if not allowed and audited:
                    result.verdicts["denied request wrote audit events"] += 1
                    result.findings.append(f"denied request wrote {audited} audit event(s): {where}")
    return result


def test_every_pattern_is_tested(figure):
    problems = untested_patterns()
    assert all_patterns(), "the resolver has no patterns?"
    assert problems == [], "Add a rule (support.RULES) or a kwarg filler (support.KWARGS): " + "; ".join(problems)


def test_access_matrix(figure):
    world = build_world()
    untested = untested_patterns()
    clients = clients_for(world, [*ACTORS, "ot_b"])
    result = sweep(world, clients, url_targets(world), ACTORS)
    swapped = sweep(world, clients, url_targets(world, swap_objects=True), ["guardian_b", "ot_b"])
    tries = result.tries + swapped.tries
    leaks = result.leaks + swapped.leaks
    findings = result.problems() + swapped.problems()
    others = len(findings) - leaks
    figure(
        f"ACCESS MATRIX: {tries} url×actor×method tries, {leaks} leaks, {len(untested)} untested patterns"
        + (f" ({others} other findings)" if others else "")
    )
    assert untested == []
    assert findings == [], "\n".join(findings[:60])


def _leaky_child_for(user, public_id, *, action):
    """The planted bug: an unscoped lookup, as if a view called Child.objects.get itself."""
    if not user.is_authenticated:
        raise Http404
    child = Child.objects.get(public_id=public_id)
    membership = CareTeamMembership.objects.filter(user=user, child=child).first()
    membership = membership or CareTeamMembership(child=child, user=user, role=Role.VIEWER)
    if action not in allowed_actions(membership.role):
        raise PermissionDenied
    child.membership = membership
    child.allowed = allowed_actions(membership.role)
    return child


def test_the_sweep_catches_a_planted_unscoped_lookup(monkeypatch, figure):
    for info in pkgutil.iter_modules(tracker_views.__path__):
        module = importlib.import_module(f"{tracker_views.__name__}.{info.name}")
        if hasattr(module, "child_for"):
            monkeypatch.setattr(module, "child_for", _leaky_child_for)
    world = build_world()
    clients = clients_for(world, ["guardian_b", "pt_none"])
    targets = [target for target in url_targets(world) if target.child_tag == "a"]
    result = sweep(world, clients, targets, ["guardian_b", "pt_none"], methods=("GET",))
    figure(f"ACCESS MATRIX (planted unscoped child lookup): {result.leaks} leaks caught in {result.tries} tries")
    assert result.leaks >= 1
