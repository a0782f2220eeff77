"""System checks: each misconfiguration is reported with its id, and only when it is there."""

from io import StringIO
from unittest import mock

import pytest
from django.core.management import call_command
from django.db import connections

from tracker import checks
from tracker.models import Skill


def ids(found) -> list[str]:
    return [message.id for message in found]


@pytest.fixture
def postgresql():
    with mock.patch.object(connections["default"], "vendor", "postgresql"):
        yield


def test_postgresql_without_pg_dump_is_reported(postgresql):
    with mock.patch("tracker.checks.shutil.which", return_value=None):
        found = checks.postgres_tools()
    assert ids(found) == ["tracker.W001"]
    assert "pg_dump and pg_restore not found on PATH" in found[0].msg


def test_postgresql_with_its_tools_is_quiet(postgresql):
    with mock.patch("tracker.checks.shutil.which", return_value="/usr/bin/pg_dump"):
        assert checks.postgres_tools() == []


def test_sqlite_needs_no_pg_dump():
    with (
        mock.patch.object(connections["default"], "vendor", "sqlite"),
        mock.patch("tracker.checks.shutil.which", return_value=None),
    ):
        assert checks.postgres_tools() == []


def test_a_backup_dir_that_cannot_be_written_is_reported(settings, tmp_path):
    (tmp_path / "a-file").write_text("")
    settings.BACKUP_DIR = tmp_path / "a-file" / "backups"
    found = checks.backup_dir_writable()
    assert ids(found) == ["tracker.W002"]
    assert "is not a directory" in found[0].msg


def test_a_writable_backup_dir_is_quiet(settings, tmp_path):
    settings.BACKUP_DIR = tmp_path
    assert checks.backup_dir_writable() == []


def test_a_missing_backup_dir_in_production_is_reported(settings, tmp_path):
    settings.DEBUG, settings.BACKUP_DIR = False, tmp_path / "mnt" / "backups"
    found = checks.backup_dir_exists()
    assert ids(found) == ["tracker.W003"]
    assert f"mkdir -m 700 -p {tmp_path / 'mnt' / 'backups'}" in found[0].hint


def test_an_existing_backup_dir_in_production_is_quiet(settings, tmp_path):
    settings.DEBUG, settings.BACKUP_DIR = False, tmp_path
    assert checks.backup_dir_exists() == []


def test_a_missing_backup_dir_on_a_developers_machine_is_quiet(settings, tmp_path):
    settings.DEBUG, settings.BACKUP_DIR = True, tmp_path / "backups"
    assert checks.backup_dir_exists() == []


@pytest.mark.django_db
def test_a_catalogue_never_loaded_is_reported():
    Skill.objects.filter(child__isnull=True).delete()
    assert ids(checks.catalogue_loaded(databases=["default"])) == ["tracker.W004"]


@pytest.mark.django_db
def test_a_loaded_catalogue_is_quiet():
    assert checks.catalogue_loaded(databases=["default"]) == []


def test_the_catalogue_check_runs_only_when_a_database_is_named():
    """No django_db mark: a query would raise."""
    assert checks.catalogue_loaded(databases=None) == []


@pytest.mark.django_db
def test_check_database_default_reports_the_missing_catalogue():
    Skill.objects.filter(child__isnull=True).delete()
    out, err = StringIO(), StringIO()
    call_command("check", "--database", "default", stdout=out, stderr=err)
    assert "tracker.W004" in out.getvalue() + err.getvalue()


def test_console_email_in_production_is_reported(settings):
    settings.DEBUG, settings.EMAIL_BACKEND = False, "django.core.mail.backends.console.EmailBackend"
    assert ids(checks.email_backend()) == ["tracker.W005"]


def test_smtp_email_in_production_is_quiet(settings):
    settings.DEBUG, settings.EMAIL_BACKEND = False, "django.core.mail.backends.smtp.EmailBackend"
    assert checks.email_backend() == []


def test_console_email_with_debug_on_is_quiet(settings):
    settings.DEBUG, settings.EMAIL_BACKEND = True, "django.core.mail.backends.console.EmailBackend"
    assert checks.email_backend() == []
