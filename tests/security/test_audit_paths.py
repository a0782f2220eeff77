"""AUDIT: every read of a child's page and every successful write leaves exactly one audit event,
and no path can change or remove one.

- Reads: every child-scoped GET of the URL table (each kwargs variant), by a member the matrix allows.
  Chart images are exempt by design: the page that embeds them records the view (tracker/views/charts.py).
- Writes: every child-scoped POST with a valid form, by a member the matrix allows, plus adding a child
  and accepting an invitation; each must succeed and write one event. Account pages (sign-up, profile,
  passwords, log-out, account deletion) and "mark as seen" are about a person, not a child's record.
- Immutability: after every one of those requests the events that existed before are unchanged
  (unlinking a deleted child, on_delete=SET_NULL, is the one rewrite the retention policy allows), and
  the ORM refuses update, delete, save of a stored event and bulk_update.
"""

import pytest
from django.db import transaction
from django.urls import reverse

from accounts.models import User
from tracker.models import AuditEvent

from ..factories import UserFactory
from .support import (
    AUDIT_EXEMPT,
    ActorClient,
    audit_count,
    build_world,
    rule_for,
    undone,
    url_targets,
    valid_post,
    who_may,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_templates")]


ACCOUNT_PATHS = {
    "accounts:signup",
    "accounts:login",
    "accounts:logout",
    "accounts:profile",
    "accounts:delete_account",
    "accounts:password_change",
    "accounts:password_reset",
    "accounts:password_reset_confirm",
    "tracker:changes_seen",
}


def _events() -> dict[int, tuple]:
    """Every stored event, without the child link (which a deletion may null, by policy)."""
    fields = [f.attname for f in AuditEvent._meta.concrete_fields if f.attname != "child_id"]
    return {row[0]: row for row in AuditEvent.objects.order_by("pk").values_list(*fields)}


def _orm_rewrites_allowed() -> list[str]:
    """The ORM operations that rewrote or removed a stored event (each should raise)."""
    event = AuditEvent.objects.order_by("pk").first()
    attempts = {
        "QuerySet.update": lambda: AuditEvent.objects.filter(pk=event.pk).update(summary="rewritten"),
        "QuerySet.delete": lambda: AuditEvent.objects.filter(pk=event.pk).delete(),
        "Model.save of a stored event": lambda: (setattr(event, "summary", "rewritten"), event.save()),
        "Model.delete": lambda: event.delete(),
        "bulk_update": lambda: AuditEvent.objects.bulk_update([event], ["summary"]),
    }
    allowed = []
    for name, attempt in attempts.items():
        before = _events()
        with undone():
            try:
                with transaction.atomic():
                    attempt()
            except TypeError:
                pass
            if _events() != before:
                allowed.append(name)
    return allowed


def test_every_read_and_write_is_audited_once_and_no_path_rewrites_the_trail(figure):
    world = build_world()
    people = {**world.users, **world.hidden}
    clients: dict[str, ActorClient] = {}

    def client(actor: str) -> ActorClient:
        if actor not in clients:
            clients[actor] = ActorClient(people[actor])
        return clients[actor]

    invitee = UserFactory(email="invited-therapist-a@example.org", profession="ot")
    people["invitee"] = invitee

    before = _events()
    wrong, rewrites, paths, exempt = [], [], 0, set()

    def try_path(actor: str, method: str, url: str, data: dict | None, what: str, *, write: bool) -> None:
        nonlocal paths
        paths += 1
        actor_client = client(actor)  # signed in outside the rolled-back block, so the session stays
        with undone():
            count = audit_count()
            response = actor_client.request(method, url, data)
            written = audit_count() - count
            if _events_changed(before):
                rewrites.append(what)
        if write and response.status_code not in (302, 303):
            wrong.append(f"{what}: the write did not succeed ({response.status_code})")
        elif written != 1:
            wrong.append(f"{what}: {written} audit events")

    for target in url_targets(world):
        if target.child_tag is None:
            continue
        for method in ("GET", "POST"):
            if rule_for(target, method).kind == "no":
                continue
            actors = who_may(world, target, method)
            if not actors:
                continue
            what = f"{method} {target.name} [{target.variant}] as {actors[0]}"
            if method == "GET":
                if target.name in AUDIT_EXEMPT:
                    exempt.add(target.name)
                    continue
                try_path(actors[0], "GET", target.url, None, what, write=False)
            else:
                data = valid_post(world, target, client(actors[0]))
                assert data is not None, f"support.valid_post has no valid form for {target.name}"
                try_path(actors[0], "POST", target.url, data, what, write=True)

    create = reverse("tracker:child_create")
    try_path(
        "guardian_a",
        "POST",
        create,
        valid_post(world, _named(world, "tracker:child_create")),
        "POST child_create",
        write=True,
    )
    accept = reverse("tracker:invitation_accept", args=[world.a.invitation_token])
    try_path("invitee", "POST", accept, {}, "POST invitation_accept as the invitee", write=True)
    # Whoever holds a share link opens the report: every open is an event, with no account behind it.
    shared = reverse("tracker:shared_report", args=[world.a.share_tokens["valid link"]])
    try_path("anonymous", "GET", shared, None, "GET shared_report [valid link] as anonymous", write=False)

    # Every URL of the project is either a path above, a chart image, an account page, or a non-child page
    # with no write (lists, what's new, caseload, home: their reads are of the person's own lists).
    orm = _orm_rewrites_allowed()
    figure(
        f"AUDIT: {paths} read/write paths, {len(wrong)} without exactly one audit row, "
        f"{len(rewrites) + len(orm)} mutable audit paths "
        f"({len(exempt)} chart image URLs exempt by design: the embedding page is audited; "
        f"{len(ACCOUNT_PATHS)} account paths not about a child)"
    )
    assert wrong == [], "\n".join(wrong)
    assert rewrites == [], rewrites
    assert orm == [], orm
    assert User.objects.filter(pk=invitee.pk).exists()


def _events_changed(before: dict[int, tuple]) -> bool:
    now = _events()
    return any(now.get(pk) != row for pk, row in before.items())


def _named(world, name: str):
    return next(target for target in url_targets(world) if target.name == name)
