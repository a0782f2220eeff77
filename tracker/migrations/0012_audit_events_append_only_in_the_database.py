"""Audit events are append-only in the database too, not only in the ORM.

Triggers on tracker_auditevent (PostgreSQL and SQLite) refuse:
- an UPDATE that changes anything but unlinking: `child_id` or `actor_id` may be set to NULL, which is
  what deleting a child (erasure) or an account does (on_delete=SET_NULL); every other column must stay
  as it was;
- a DELETE, unless a row in tracker_audit_purge_permit says a retention purge is under way
  (docs/security.md, "Retention": insert a permit, delete the old events, delete the permit, in one
  transaction). The permit table is not a Django model, so nothing in the app writes it.

A new column added to tracker_auditevent must be added to COLUMNS here (in a new migration):
tests/security/test_audit_trigger.py tries a raw UPDATE of every column and fails on one left out.
"""

from django.db import migrations

# Every column that may never change once written.
COLUMNS = ("id", "actor_name", "action", "child_public_id", "object_type", "object_id", "summary", "at")
UNLINKABLE = ("child_id", "actor_id")
MESSAGE = "Audit events are append-only (docs/security.md)"

PERMIT_TABLE = "CREATE TABLE IF NOT EXISTS tracker_audit_purge_permit (reason varchar(200) NOT NULL)"

_SQLITE_SAME = " AND ".join(f"NEW.{c} IS OLD.{c}" for c in COLUMNS)
_SQLITE_UNLINK = " AND ".join(f"(NEW.{c} IS OLD.{c} OR NEW.{c} IS NULL)" for c in UNLINKABLE)
SQLITE_TRIGGERS = [
    f"""CREATE TRIGGER IF NOT EXISTS tracker_auditevent_no_rewrite BEFORE UPDATE ON tracker_auditevent
    WHEN NOT ({_SQLITE_SAME} AND {_SQLITE_UNLINK})
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""",
    f"""CREATE TRIGGER IF NOT EXISTS tracker_auditevent_no_delete BEFORE DELETE ON tracker_auditevent
    WHEN NOT EXISTS (SELECT 1 FROM tracker_audit_purge_permit)
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""",  # noqa: S608  # nosec B608 (constants, no input)
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS tracker_auditevent_no_rewrite",
    "DROP TRIGGER IF EXISTS tracker_auditevent_no_delete",
    "DROP TABLE IF EXISTS tracker_audit_purge_permit",
]

_PG_CHANGED = " OR ".join(f"NEW.{c} IS DISTINCT FROM OLD.{c}" for c in COLUMNS)
_PG_RELINKED = " OR ".join(f"(NEW.{c} IS DISTINCT FROM OLD.{c} AND NEW.{c} IS NOT NULL)" for c in UNLINKABLE)
POSTGRESQL_TRIGGERS = [
    f"""CREATE OR REPLACE FUNCTION tracker_auditevent_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'DELETE' THEN
            IF EXISTS (SELECT 1 FROM tracker_audit_purge_permit) THEN
                RETURN OLD;
            END IF;
            RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        IF {_PG_CHANGED} OR {_PG_RELINKED} THEN
            RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        RETURN NEW;
    END
    $$""",  # noqa: S608  # nosec B608 (constants, no input)
    """CREATE TRIGGER tracker_auditevent_append_only BEFORE UPDATE OR DELETE ON tracker_auditevent
    FOR EACH ROW EXECUTE FUNCTION tracker_auditevent_append_only()""",
]
POSTGRESQL_DROP = [
    "DROP TRIGGER IF EXISTS tracker_auditevent_append_only ON tracker_auditevent",
    "DROP FUNCTION IF EXISTS tracker_auditevent_append_only()",
    "DROP TABLE IF EXISTS tracker_audit_purge_permit",
]


def _run(schema_editor, statements) -> None:
    for statement in statements:
        schema_editor.execute(statement)


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        _run(schema_editor, [PERMIT_TABLE, *SQLITE_TRIGGERS])
    elif vendor == "postgresql":
        _run(schema_editor, [PERMIT_TABLE, *POSTGRESQL_TRIGGERS])


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        _run(schema_editor, SQLITE_DROP)
    elif vendor == "postgresql":
        _run(schema_editor, POSTGRESQL_DROP)


class Migration(migrations.Migration):
    dependencies = [("tracker", "0011_page_cache_generation")]

    operations = [migrations.RunPython(forwards, backwards)]
