"""Backup and restore: a backup restored into a FRESH database holds exactly what was backed up.

The test seeds a complete record (a row in every table about a child), runs `manage.py backup`, restores
the file with `manage.py restore --into` a new database (SQLite: a new file; PostgreSQL: a database
created for the test and dropped after), and compares every table: row count and a SHA-256 over all its
rows in primary-key order. Runs on whichever database the suite runs on.

Transactional: the data must be committed for pg_dump, another process, to see it. The flush after a
transactional test also empties the catalogue loaded at session start, so it is loaded again if missing.
"""

import hashlib
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import psycopg
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.utils import load_backend
from django.urls import reverse

from tracker import backup, page_cache, services
from tracker.models import Child, Discipline, Domain, Note

from ..factories import ChildFactory, MembershipFactory, UserFactory, therapist
from ..security.records import full_record

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def seeded():
    if not Domain.objects.exists():
        call_command("load_catalogue", verbosity=0)
    for n, (given, text) in enumerate([("Maya", "Grasps a spoon 🥄"), ("Zoë", "Équilibre: =1+1, «ok»")]):
        child = ChildFactory(given_name=given, family_name="Backup")
        parent = UserFactory(name=f"Parent {n}")
        MembershipFactory(child=child, user=parent, role="guardian")
        full_record(
            child, parent, therapist(child, Discipline.OCCUPATIONAL_THERAPY), text=lambda f, t=text: f"{t}: {f}"
        )


def table_digests(connection) -> dict[str, tuple[int, str]]:
    """Per table: (row count, SHA-256 of every row in primary-key order)."""
    digests = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(cursor)):
            quoted = connection.ops.quote_name(table)
            key = connection.introspection.get_primary_key_columns(cursor, table)
            order = ", ".join(connection.ops.quote_name(column) for column in key) if key else "1"
            cursor.execute(f"SELECT * FROM {quoted} ORDER BY {order}")  # noqa: S608 (names from introspection)
            digest, count = hashlib.sha256(), 0
            for row in cursor.fetchall():
                digest.update(repr(tuple(row)).encode())
                count += 1
            digests[table] = (count, digest.hexdigest())
    return digests


@contextmanager
def connection_to(name: str) -> Iterator[BaseDatabaseWrapper]:
    """A connection of its own to database `name`, with the default database's other settings."""
    settings_dict = {**connections["default"].settings_dict, "NAME": name}
    connection = load_backend(settings_dict["ENGINE"]).DatabaseWrapper(settings_dict, alias="restored")
    try:
        yield connection
    finally:
        connection.close()


def _maintenance_connection() -> psycopg.Connection:
    settings_dict = connections["default"].settings_dict
    return psycopg.connect(
        dbname="postgres",
        host=settings_dict["HOST"] or None,
        port=settings_dict["PORT"] or None,
        user=settings_dict["USER"] or None,
        password=settings_dict["PASSWORD"] or None,
        autocommit=True,
    )


@contextmanager
def fresh_database(tmp_path: Path) -> Iterator[str]:
    """A new, empty database to restore into: a file name for SQLite, a created-and-dropped one for PostgreSQL."""
    if connections["default"].vendor == "sqlite":
        yield str(tmp_path / "restored.sqlite3")
        return
    name = f"{connections['default'].settings_dict['NAME']}_restore_{uuid.uuid4().hex[:8]}"
    with _maintenance_connection() as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield name
    finally:
        with _maintenance_connection() as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _backup_then_restore(tmp_path: Path) -> tuple[dict, dict]:
    source = table_digests(connections["default"])
    backup_file = tmp_path / backup.default_name("default")
    call_command("backup", output=str(backup_file), stdout=None)
    with fresh_database(tmp_path) as fresh:
        call_command("restore", str(backup_file), into=fresh, interactive=False)
        with connection_to(fresh) as restored_db:
            restored = table_digests(restored_db)
    return source, restored


def _mismatches(source: dict, restored: dict) -> list[str]:
    return [
        f"{table}: {source.get(table)} != {restored.get(table)}"
        for table in sorted(set(source) | set(restored))
        if source.get(table) != restored.get(table)
    ]


def test_restore_into_a_fresh_database_matches_every_table(seeded, tmp_path, figure):
    source, restored = _backup_then_restore(tmp_path)
    mismatches = _mismatches(source, restored)
    rows = sum(count for count, _ in source.values())
    vendor = connections["default"].vendor
    line = f"RESTORE: {len(source)} tables, {len(mismatches)} mismatches ({vendor}, {rows} rows)"
    figure(line)
    assert mismatches == [], line


def test_the_comparison_notices_a_changed_row(seeded):
    before = table_digests(connections["default"])
    Domain.objects.filter(slug="fine-motor").update(name="Fine motor (changed)")
    after = table_digests(connections["default"])
    assert [line.split(":")[0] for line in _mismatches(before, after)] == ["tracker_domain"]


def test_backup_file_is_readable_by_its_owner_only(seeded, tmp_path):
    made = backup.backup(tmp_path / backup.default_name("default"))
    assert made.stat().st_mode & 0o777 == 0o600


def test_backup_never_overwrites_a_file(seeded, tmp_path):
    existing = tmp_path / "existing.backup"
    existing.write_text("keep me")
    with pytest.raises(CommandError, match="already exists"):
        call_command("backup", output=str(existing))


def test_restore_of_a_missing_file_is_refused(seeded, tmp_path):
    with pytest.raises(CommandError, match="No backup file"):
        call_command("restore", str(tmp_path / "nothing.backup"), into=str(tmp_path / "x"), interactive=False)


def test_restore_asks_before_replacing(seeded, tmp_path, monkeypatch):
    made = backup.backup(tmp_path / backup.default_name("default"))
    monkeypatch.setattr("builtins.input", lambda prompt: "no")
    with pytest.raises(CommandError, match="nothing was changed"):
        call_command("restore", str(made))


def test_prune_deletes_only_old_backups_of_this_app(tmp_path):
    old, recent, other = (
        tmp_path / name for name in ("tracker-default-1.sqlite3", "tracker-default-2.sqlite3", "x.sqlite3")
    )
    for path in (old, recent, other):
        path.write_text("")
    now = datetime.now(UTC)
    ancient = (now - timedelta(days=40)).timestamp()
    for path in (old, other):
        os.utime(path, (ancient, ancient))
    assert backup.prune(tmp_path, older_than=timedelta(days=35), now=now) == [old]


def test_restore_brings_back_what_was_deleted_after_the_backup(seeded, tmp_path):
    made = backup.backup(tmp_path / backup.default_name("default"))
    before = table_digests(connections["default"])
    Child.objects.get(given_name="Zoë").delete()
    generation = page_cache.generation()
    call_command("restore", str(made), interactive=False)
    # Every table as it was, but the page cache's generation, which a restore moves (tracker/page_cache.py).
    assert [line.split(":")[0] for line in _mismatches(before, table_digests(connections["default"]))] == [
        "tracker_cachegeneration"
    ]
    assert page_cache.generation() != generation


def test_a_page_drawn_after_the_backup_is_not_served_after_a_restore(seeded, tmp_path, client):
    """Issue 15, finding 4: the restored version number comes back, and must not bring back its old page."""
    child = Child.objects.get(given_name="Maya")
    parent = child.care_team.get(role="guardian").user
    timeline = reverse("tracker:timeline", args=[child.public_id])

    def write(text: str) -> None:
        note = Note(child=child, kind="family_update", visibility="family", session_date=date.today(), body=text)
        services.add_note(note=note, by=parent, skills=[], goals=[])

    made = backup.backup(tmp_path / backup.default_name("default"))
    write("Written after the backup")
    client.force_login(parent, backend="django.contrib.auth.backends.ModelBackend")
    assert "Written after the backup" in client.get(timeline).content.decode()
    call_command("restore", str(made), interactive=False)
    write("Written after the restore")
    client.force_login(parent, backend="django.contrib.auth.backends.ModelBackend")
    page = client.get(timeline).content.decode()
    assert "Written after the restore" in page
    assert "Written after the backup" not in page
