"""Erasure (GDPR article 17): deleting a child removes every row about them; deleting an account ends its sessions.

"Every row about the child" is found by walking the model relations from Child (`_meta.related_objects`,
recursively, with the join tables of many-to-many fields), so a table added later is covered without
editing this test — and the test first checks it made at least one row in each table the walk reaches,
so a new table without a row in `full_record` fails here instead of passing vacuously.

The retention policy (docs/security.md) keeps exactly one thing: the audit trail, unlinked from the
child (child set to NULL, `child_public_id` kept), whose summaries never hold the child's name.
"""

from collections import defaultdict

import pytest
from django.contrib.auth import SESSION_KEY
from django.db import models
from django.test import Client
from django.urls import reverse

from accounts.models import Session, User
from tracker.models import AuditEvent, Child, Discipline

from ..factories import PASSWORD, ChildFactory, MembershipFactory, UserFactory, therapist
from .records import full_record

pytestmark = pytest.mark.django_db

# The one table whose rows about a child outlive the child, and why: docs/security.md, "Retention".
KEPT_BY_POLICY = {AuditEvent}
# Tables the walk reaches (through a child's custom skill) that never hold a row about one child, by design:
# a therapist's own activity templates keep catalogue skills only (tests/tracker/test_programme.py proves it).
NEVER_ABOUT_A_CHILD = {"tracker.ActivityTemplate_skills"}


def rows_about(child: Child) -> dict[type[models.Model], set]:
    """Primary keys of every row that points, directly or through other rows, at `child`."""
    found: dict[type[models.Model], set] = defaultdict(set)
    found[Child].add(child.pk)
    pending = [(Child, {child.pk})]
    while pending:
        model, pks = pending.pop()
        links = []
        for relation in model._meta.related_objects:
            if relation.many_to_many:
                # Reverse side of a many-to-many declared on another model: its join table points here.
                through = relation.through
                links.append((through, relation.field.m2m_reverse_field_name()))
            else:
                links.append((relation.related_model, relation.field.name))
        for field in model._meta.many_to_many:
            links.append((field.remote_field.through, field.m2m_field_name()))
        for related, fk_name in links:
            new = set(related._default_manager.filter(**{f"{fk_name}__in": pks}).values_list("pk", flat=True))
            new -= found[related]
            found[related] |= new
            if new:
                pending.append((related, new))
    return dict(found)


def tables_reached() -> set[type[models.Model]]:
    """Every model the walk from Child can reach, whether or not it holds rows now."""
    reached, pending = {Child}, [Child]
    while pending:
        model = pending.pop()
        targets = [r.through if r.many_to_many else r.related_model for r in model._meta.related_objects]
        targets += [field.remote_field.through for field in model._meta.many_to_many]
        for target in targets:
            if target not in reached:
                reached.add(target)
                pending.append(target)
    return reached


def _left(found: dict[type[models.Model], set]) -> dict[str, int]:
    """Rows of `found` still in the database, outside the policy."""
    left = {}
    for model, pks in found.items():
        if model in KEPT_BY_POLICY:
            continue
        count = model._default_manager.filter(pk__in=pks).count()
        if count:
            left[model._meta.label] = count
    return left


def _delete_child(client: Client, child: Child):
    return client.post(reverse("tracker:child_delete", args=[child.public_id]), {"name": child.given_name})


@pytest.fixture
def erasable(guardian, pt, child):
    """Maya with a complete record: a row in every table about a child."""
    full_record(child, guardian, pt, text=lambda field: f"Maya Example's {field}")
    return child


def test_the_record_has_a_row_in_every_table_the_walk_reaches(erasable):
    found = rows_about(erasable)
    # `found` has an entry (maybe empty) for every table it looked in: a table needs rows, not just an entry.
    empty = {model._meta.label for model in tables_reached() if not found.get(model)} - NEVER_ABOUT_A_CHILD
    assert empty == set(), f"Give full_record (tests/security/records.py) a row in: {sorted(empty)}"


def test_deleting_a_child_leaves_no_row_outside_the_policy(login, guardian, erasable):
    found = rows_about(erasable)
    _delete_child(login(guardian), erasable)
    assert _left(found) == {}


def test_deleting_a_child_keeps_its_audit_events_unlinked(login, guardian, erasable):
    kept = set(AuditEvent.objects.filter(child=erasable).values_list("pk", flat=True))
    _delete_child(login(guardian), erasable)
    assert (
        set(AuditEvent.objects.filter(child_public_id=erasable.public_id, child=None).values_list("pk", flat=True))
        >= kept
    )


def test_deleting_a_child_records_the_deletion_with_the_public_id_only(login, guardian, erasable):
    _delete_child(login(guardian), erasable)
    event = AuditEvent.objects.get(action="deleted")
    assert (event.child_id, event.child_public_id, event.actor_name) == (None, erasable.public_id, guardian.email)


def test_deleting_a_child_leaves_another_childs_record_alone(login, guardian, erasable, outsider, outsider_child):
    other_therapist = therapist(outsider_child, Discipline.PHYSIOTHERAPY)
    full_record(outsider_child, outsider, other_therapist, text=lambda field: f"Otto's {field}")
    before = {model: len(pks) for model, pks in rows_about(outsider_child).items()}
    _delete_child(login(guardian), erasable)
    assert {model: len(pks) for model, pks in rows_about(outsider_child).items()} == before


def test_deleting_a_child_keeps_every_team_members_account_and_session(client, team, erasable):
    browsers = {name: Client() for name in team}
    for name, browser in browsers.items():
        browser.force_login(team[name], backend="django.contrib.auth.backends.ModelBackend")
    _delete_child(browsers["guardian"], erasable)
    assert all(browser.get(reverse("tracker:child_list")).status_code == 200 for browser in browsers.values())


# --- The child's name never outlives them in the audit trail --------------------------------


NAMES = ("Zephyrine", "Quillfeather", "Marigold")  # given name, family name, the given name before a rename


@pytest.fixture
def named_child(db):
    return ChildFactory(given_name="Marigold", family_name="Quillfeather")


@pytest.fixture
def named_team(named_child):
    parent = UserFactory(name="Pat Parent", email="pat@example.net")
    MembershipFactory(child=named_child, user=parent, role="guardian")
    ot = therapist(named_child, Discipline.OCCUPATIONAL_THERAPY, name="Olu OT", email="olu@example.net")
    return parent, ot


def _write_everything_naming_the_child(parent, ot, child) -> None:
    """Use the app as a team would, typing the child's names into every free-text field we can."""
    full_record(child, parent, ot, text=lambda field: f"Marigold Quillfeather Zephyrine: {field}")
    browser = Client()
    browser.force_login(parent, backend="django.contrib.auth.backends.ModelBackend")
    url = reverse("tracker:child_edit", args=[child.public_id])
    browser.post(url, {"given_name": "Zephyrine", "family_name": "Quillfeather", "date_of_birth": "2025-03-10"})
    browser.get(reverse("tracker:child_detail", args=[child.public_id]))
    browser.get(reverse("tracker:export_json", args=[child.public_id]))
    child.refresh_from_db()


def test_no_audit_summary_names_the_child_after_deletion(named_team, named_child):
    parent, ot = named_team
    _write_everything_naming_the_child(parent, ot, named_child)
    browser = Client()
    browser.force_login(parent, backend="django.contrib.auth.backends.ModelBackend")
    _delete_child(browser, named_child)
    naming = [
        event.summary
        for event in AuditEvent.objects.all()
        if any(name.casefold() in event.summary.casefold() for name in NAMES)
    ]
    assert naming == []


# --- Deleting an account ends every one of its sessions -------------------------------------


def _signed_in_browsers(user, count: int) -> list[Client]:
    browsers = []
    for _ in range(count):
        browser = Client()
        browser.post(reverse("accounts:login"), {"username": user.email, "password": PASSWORD})
        browsers.append(browser)
    return browsers


def _live_sessions_of(user_pk) -> int:
    return sum(1 for s in Session.objects.all() if str(s.get_decoded().get(SESSION_KEY)) == str(user_pk))


def test_deleting_an_account_deletes_all_its_sessions(db):
    leaving = UserFactory()
    here, elsewhere, phone = _signed_in_browsers(leaving, 3)
    here.post(reverse("accounts:delete_account"), {"password": PASSWORD})
    assert _live_sessions_of(leaving.pk) == 0


def test_deleting_an_account_signs_out_its_other_browsers(db):
    leaving = UserFactory()
    here, elsewhere = _signed_in_browsers(leaving, 2)
    here.post(reverse("accounts:delete_account"), {"password": PASSWORD})
    response = elsewhere.get(reverse("tracker:child_list"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))


def test_deleting_an_account_keeps_other_peoples_sessions(db):
    leaving, staying = UserFactory(), UserFactory()
    (here,) = _signed_in_browsers(leaving, 1)
    _signed_in_browsers(staying, 2)
    here.post(reverse("accounts:delete_account"), {"password": PASSWORD})
    assert _live_sessions_of(staying.pk) == 2


# --- The figure -------------------------------------------------------------------------


def test_erasure_figure(figure, guardian, pt, erasable):
    # Two devices signed in as the guardian, and one as the therapist who stays.
    devices = _signed_in_browsers(guardian, 2)
    _signed_in_browsers(pt, 1)
    found = rows_about(erasable)
    _delete_child(devices[0], erasable)
    left = _left(found)
    names = (erasable.given_name, erasable.family_name)
    naming = [e.summary for e in AuditEvent.objects.all() if any(n.casefold() in e.summary.casefold() for n in names)]
    # Then the guardian deletes their account (Maya's deletion left them on no team).
    devices[0].post(reverse("accounts:delete_account"), {"password": PASSWORD})
    live = _live_sessions_of(guardian.pk)
    still = (User.objects.filter(pk=pt.pk).exists(), _live_sessions_of(pt.pk))
    rows_left = sum(left.values()) + len(naming)
    line = (
        f"ERASURE: {rows_left} rows left outside policy, {live} live sessions "
        f"({len(found)} tables walked, {sum(len(pks) for pks in found.values())} rows before)"
    )
    figure(line)
    assert (left, naming, live, still) == ({}, [], 0, (True, 1)), line
