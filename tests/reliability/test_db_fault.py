"""DB FAULT: a database error in the middle of a multi-write leaves no partial rows and shows no traceback.

A DatabaseError is injected at a step in the middle (or at the end) of the writes a request makes —
the audit event after an observation is saved, the refresh of the current status, the care-team
membership after a child is saved, the audit event after a note is saved — with DEBUG off and a client
that turns exceptions into responses, as a real server does. The answer must be a 500 whose page shows
no traceback, SQL or exception text, and the database must be exactly as before (every table hashed,
and not one audit event more: no observation without its event, no event without its observation).
"""

from collections.abc import Callable

import pytest
from django.db import DatabaseError
from django.urls import reverse
from django.utils import timezone

from tracker import audit, services
from tracker.models import CareTeamMembership

from ..security.support import ActorClient, audit_count, build_world, db_fingerprint, fingerprint_diff

pytestmark = pytest.mark.django_db

SECRET_TEXT = "injected failure: SELECT given_name FROM tracker_child"
GIVEAWAYS = ("Traceback", "DatabaseError", "injected failure", "SELECT", "tracker_child", 'File "', "line ")


def _raiser(*args, **kwargs):
    raise DatabaseError(SECRET_TEXT)


def _faults(world) -> list[tuple[str, str, dict, Callable]]:
    """(what, url, form, inject) for each multi-write request and the step that fails."""
    child = world.a.child.public_id
    today = timezone.localdate().isoformat()
    observation = {"status": "achieved", "observed_on": today}
    note = {
        "kind": "general",
        "visibility": "team",
        "session_date": today,
        "body": "Walked to the door.",
        "submission_id": "0b5f7d1e-8c8e-4c55-a0d6-2f3d5f2a9e10",
    }
    record = reverse("tracker:record", args=[child, "gm-walks-alone"])
    return [
        ("observation: audit event fails", record, observation, lambda mp: mp.setattr(audit, "record", _raiser)),
        (
            "observation: current-status refresh fails",
            record,
            observation,
            lambda mp: mp.setattr(services, "mark_current_if_latest", _raiser),
        ),
        (
            "correction: saving the new observation fails after the original is withdrawn",
            reverse("tracker:correct", args=[child, world.a.observation.pk]),
            {"status": "not_yet", "observed_on": today},
            lambda mp: mp.setattr(services, "_save_observation", _raiser),
        ),
        (
            "child: membership fails",
            reverse("tracker:child_create"),
            {"given_name": "Nadia", "date_of_birth": "2025-01-02"},
            lambda mp: mp.setattr(CareTeamMembership.objects, "create", _raiser),
        ),
        (
            "child: audit event fails",
            reverse("tracker:child_create"),
            {"given_name": "Nadia", "date_of_birth": "2025-01-02"},
            lambda mp: mp.setattr(audit, "record", _raiser),
        ),
        (
            "note: audit event fails",
            reverse("tracker:note_create", args=[child]),
            note,
            lambda mp: mp.setattr(audit, "record", _raiser),
        ),
    ]


def test_an_injected_database_error_leaves_no_partial_write(settings, monkeypatch, figure):
    settings.DEBUG = False
    world = build_world()
    client = ActorClient(world.users["ot_a"])
    problems, partial, shown = [], 0, 0
    faults = _faults(world)
    for what, url, form, inject in faults:
        before, events = db_fingerprint(), audit_count()
        with monkeypatch.context() as patch:
            inject(patch)
            response = client.request("POST", url, form)
        changed = fingerprint_diff(before, db_fingerprint()) + (["audit events"] if audit_count() != events else [])
        body = response.content.decode("utf-8", "replace")
        leaked = [word for word in GIVEAWAYS if word in body]
        if response.status_code != 500:
            problems.append(f"{what}: {response.status_code}, not 500")
        if changed:
            partial += 1
            problems.append(f"{what}: partial write in {changed}")
        if leaked:
            shown += 1
            problems.append(f"{what}: the error page shows {leaked}")
        if "Something went wrong" not in body:
            problems.append(f"{what}: not the friendly 500 page")

    figure(
        f"DB FAULT: {partial} partial writes, "
        f"{'no traceback shown' if not shown else f'{shown} error pages show internals'} "
        f"({len(faults)} faults injected in multi-write requests)"
    )
    assert problems == [], "\n".join(problems)
