"""The audit trail: one event per view of a child's record, append-only, outliving the child."""

import pytest
from django.urls import reverse

from tracker import audit
from tracker.models import AuditAction, AuditEvent
from tracker.models.audit import APPEND_COLUMNS, APPEND_SQL

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(guardian, child):
    audit.record(guardian, AuditAction.VIEWED, child, summary="Viewed the overview")
    return AuditEvent.objects.get()


def test_viewing_the_overview_writes_one_viewed_event(login, guardian, child):
    login(guardian).get(reverse("tracker:child_detail", args=[child.public_id]))
    assert list(AuditEvent.objects.values_list("action", "actor", "child")) == [("viewed", guardian.pk, child.pk)]


def test_viewed_event_names_the_actor_by_email(login, guardian, child):
    login(guardian).get(reverse("tracker:child_detail", args=[child.public_id]))
    assert AuditEvent.objects.get().actor_name == "guardian@example.org"


def test_viewing_the_team_page_is_audited(login, guardian, child):
    login(guardian).get(reverse("tracker:team", args=[child.public_id]))
    assert AuditEvent.objects.get().summary == "Viewed the care team"


def test_outsiders_404_writes_no_event(login, guardian, outsider, child):
    login(outsider).get(reverse("tracker:child_detail", args=[child.public_id]))
    assert not AuditEvent.objects.exists()


def test_saving_an_existing_event_raises(event):
    event.summary = "Rewritten"
    with pytest.raises(TypeError):
        event.save()


def test_saving_an_existing_event_changes_nothing(event):
    event.summary = "Rewritten"
    with pytest.raises(TypeError):
        event.save()
    assert AuditEvent.objects.get().summary == "Viewed the overview"


def test_deleting_an_event_raises(event):
    with pytest.raises(TypeError):
        event.delete()


def test_deleting_an_event_keeps_it(event):
    with pytest.raises(TypeError):
        event.delete()
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_updating_events_through_a_queryset_raises(event):
    with pytest.raises(TypeError):
        AuditEvent.objects.filter(pk=event.pk).update(summary="Rewritten")


def test_updating_events_through_the_manager_raises(event):
    with pytest.raises(TypeError):
        AuditEvent.objects.update(summary="Rewritten")


def test_bulk_update_of_events_raises(event):
    event.summary = "Rewritten"
    with pytest.raises(TypeError):
        AuditEvent.objects.bulk_update([event], ["summary"])


def test_deleting_events_through_a_queryset_raises(event):
    with pytest.raises(TypeError):
        AuditEvent.objects.filter(pk=event.pk).delete()


def test_deleting_events_through_a_queryset_keeps_them(event):
    with pytest.raises(TypeError):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.count() == 1


def test_deleting_the_child_keeps_its_events_unlinked(event, child):
    public_id = child.public_id
    child.delete()
    assert list(AuditEvent.objects.values_list("pk", "child", "child_public_id")) == [(event.pk, None, public_id)]


def test_deleting_the_child_through_the_page_keeps_earlier_events(login, guardian, child):
    client = login(guardian)
    client.get(reverse("tracker:child_detail", args=[child.public_id]))
    client.post(reverse("tracker:child_delete", args=[child.public_id]), {"name": "Maya"})
    assert sorted(AuditEvent.objects.filter(child_public_id=child.public_id).values_list("action", flat=True)) == [
        "deleted",
        "viewed",
    ]


def test_the_plain_insert_writes_every_field_but_the_id():
    """A field added to AuditEvent must be added to its INSERT too (tracker/models/audit.py)."""
    assert set(APPEND_COLUMNS) == {field.attname for field in AuditEvent._meta.concrete_fields} - {"id"}
    assert f"({', '.join(APPEND_COLUMNS)})" in APPEND_SQL


def test_an_unknown_field_is_refused(guardian, child):
    with pytest.raises(TypeError):
        AuditEvent.objects.append(
            actor_id=guardian.pk,
            actor_name="",
            action="viewed",
            child_id=child.pk,
            child_public_id=child.public_id,
            object_type="child",
            object_id="",
            summary="",
            mood="cheerful",
        )
    assert not AuditEvent.objects.exists()
