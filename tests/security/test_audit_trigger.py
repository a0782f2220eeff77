"""AUDIT TRIGGER: raw SQL cannot rewrite or remove an audit event; the database itself refuses.

The ORM refuses rewrites (tracker/models/audit.py, tests/security/test_audit_paths.py), but anything
that reaches the database another way (a raw cursor, a shell, a future bulk path) went through. The
triggers of migration 0012 refuse, for every column of the table, a raw UPDATE that changes it, and
any raw DELETE; the one rewrite the erasure rule needs (unlinking a deleted child or account: the
link set to NULL) still works, and a retention purge works only under a purge permit.
"""

import uuid
from datetime import timedelta

import pytest
from django.db import DatabaseError, connection, transaction

from tracker import audit
from tracker.models import AuditAction, AuditEvent

from ..factories import ChildFactory, UserFactory

pytestmark = pytest.mark.django_db

UNLINKABLE = {"child_id", "actor_id"}


@pytest.fixture
def event(child, guardian):
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM tracker_audit_purge_permit")  # left by a transactional test's flush
    audit.record(guardian, AuditAction.VIEWED, child, summary="Viewed the overview")
    return AuditEvent.objects.order_by("-pk").first()


def _accepted(sql: str, params: list) -> bool:
    """Run one raw statement in a savepoint: True if the database carried it out."""
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.rowcount > 0
    except DatabaseError:
        return False


def _other_value(event: AuditEvent, field):
    """A value of `field`'s type that differs from the event's, ready for the database."""
    current = getattr(event, field.attname)
    if field.attname == "child_id":
        value = ChildFactory().pk
    elif field.attname == "actor_id":
        value = UserFactory().pk
    elif field.attname == "id":
        value = current + 1000
    elif field.get_internal_type() == "UUIDField":
        value = uuid.uuid4()
    elif field.get_internal_type() == "DateTimeField":
        value = current - timedelta(days=1)
    else:
        value = "rewritten"
    return field.get_db_prep_save(value, connection)


def _raw_rewrites(event: AuditEvent) -> list[str]:
    accepted = []
    for field in AuditEvent._meta.concrete_fields:
        sql = f"UPDATE tracker_auditevent SET {connection.ops.quote_name(field.column)} = %s WHERE id = %s"  # noqa: S608
        if _accepted(sql, [_other_value(event, field), event.pk]):
            accepted.append(f"UPDATE {field.column}")
    if _accepted("DELETE FROM tracker_auditevent WHERE id = %s", [event.pk]):
        accepted.append("DELETE one")
    if _accepted("DELETE FROM tracker_auditevent", []):
        accepted.append("DELETE all")
    return accepted


def test_raw_sql_cannot_rewrite_or_delete_an_audit_event(event, figure):
    accepted = _raw_rewrites(event)
    figure(f"AUDIT TRIGGER: {len(accepted)} raw UPDATE/DELETE accepted ({connection.vendor})")
    assert accepted == []
    assert AuditEvent.objects.filter(pk=event.pk, summary="Viewed the overview").exists()


@pytest.mark.parametrize("column", sorted(UNLINKABLE))
def test_unlinking_a_deleted_child_or_account_is_allowed(event, column):
    assert _accepted(f"UPDATE tracker_auditevent SET {column} = NULL WHERE id = %s", [event.pk])  # noqa: S608


def test_deleting_the_child_keeps_its_events_unlinked(event, child, guardian):
    child.delete()
    event.refresh_from_db()
    assert event.child_id is None
    assert event.child_public_id == child.public_id


def test_deleting_the_actors_account_keeps_their_events_unlinked(event, guardian):
    guardian.delete()
    event.refresh_from_db()
    assert event.actor_id is None
    assert event.actor_name == guardian.email


def test_a_retention_purge_deletes_only_under_a_permit(event):
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("INSERT INTO tracker_audit_purge_permit (reason) VALUES (%s)", ["retention: test"])
        cursor.execute("DELETE FROM tracker_auditevent WHERE id = %s", [event.pk])
        cursor.execute("DELETE FROM tracker_audit_purge_permit")
    assert not AuditEvent.objects.filter(pk=event.pk).exists()
    assert not _accepted("DELETE FROM tracker_auditevent", [])
