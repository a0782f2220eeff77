"""System checks (`manage.py check`) for the misconfigurations that otherwise show only when they bite.

- tracker.W001 (`check`): PostgreSQL, but `pg_dump` or `pg_restore` is not on PATH, so
  `manage.py backup` and `restore` fail;
- tracker.W002 (`check`): BACKUP_DIR cannot be written or created;
- tracker.W003 (`check --deploy`): BACKUP_DIR does not exist yet with DEBUG off. `backup` would
  create it, but a volume meant to be mounted there is not;
- tracker.W004 (`check --database default`, and `migrate`): the skill catalogue was never loaded;
- tracker.W005 (`check --deploy`): DEBUG off with the console, in-memory, file or dummy email
  backend, so no email leaves the server.

Warnings, not errors: the app still serves pages in each case, and an error would stop `migrate`
on a server being set up. Production runs `check --deploy --fail-level WARNING` (docs/deployment.md).
/health/ready covers the disk and the catalogue for a running server.
"""

import shutil
from pathlib import Path

from django.conf import settings
from django.core.checks import Tags, Warning, register
from django.db import DatabaseError, connections

from config.health import backup_dir_problem

UNSENT_EMAIL_BACKENDS = {
    "django.core.mail.backends.console.EmailBackend",
    "django.core.mail.backends.locmem.EmailBackend",
    "django.core.mail.backends.filebased.EmailBackend",
    "django.core.mail.backends.dummy.EmailBackend",
}


@register()
def postgres_tools(app_configs=None, **kwargs) -> list[Warning]:
    """W001: backups of a PostgreSQL database need its client tools on PATH."""
    if not any(connections[alias].vendor == "postgresql" for alias in settings.DATABASES):
        return []
    missing = [tool for tool in ("pg_dump", "pg_restore") if shutil.which(tool) is None]
    if not missing:
        return []
    return [
        Warning(
            f"{' and '.join(missing)} not found on PATH: `manage.py backup` and `restore` cannot run.",
            hint="Install the PostgreSQL client tools (Debian: apt-get install postgresql-client), "
            "in the major version of the server or later.",
            id="tracker.W001",
        )
    ]


@register()
def backup_dir_writable(app_configs=None, **kwargs) -> list[Warning]:
    """W002: `manage.py backup` must be able to write to BACKUP_DIR."""
    directory = Path(settings.BACKUP_DIR)
    problem = backup_dir_problem(directory, min_free_bytes=0)
    if problem is None:
        return []
    return [
        Warning(
            f"BACKUP_DIR ({directory}) cannot be written: {problem}. Backups would fail.",
            hint="Point BACKUP_DIR at a directory the app's user can write (mode 700), on a disk with room.",
            id="tracker.W002",
        )
    ]


@register(Tags.security, deploy=True)
def backup_dir_exists(app_configs=None, **kwargs) -> list[Warning]:
    """W003: in production BACKUP_DIR should already exist (a mounted backup volume, say)."""
    directory = Path(settings.BACKUP_DIR)
    if settings.DEBUG or directory.is_dir():
        return []
    return [
        Warning(
            f"BACKUP_DIR ({directory}) does not exist. `manage.py backup` would create it, on whatever disk "
            "holds its parent: a backup volume meant to be mounted there is not.",
            hint=f"Mount the backup volume, or create the directory: mkdir -m 700 -p {directory}",
            id="tracker.W003",
        )
    ]


@register(Tags.database)
def catalogue_loaded(app_configs=None, databases=None, **kwargs) -> list[Warning]:
    """W004: checklists are empty until the reference catalogue is loaded. Runs only when a database is named."""
    from tracker.models import Skill

    found = []
    for alias in databases or []:
        try:
            if Skill._meta.db_table not in connections[alias].introspection.table_names():
                continue  # not migrated yet: `migrate` comes first
            loaded = Skill.objects.using(alias).filter(child__isnull=True).exists()
        except DatabaseError:
            continue  # an unreachable database is the database's own error, not this check's
        if not loaded:
            found.append(
                Warning(
                    f"The skill catalogue is not loaded in the {alias} database: every checklist is empty.",
                    hint="Run `python manage.py load_catalogue` (once after install; again after an update).",
                    id="tracker.W004",
                )
            )
    return found


@register(Tags.security, deploy=True)
def email_backend(app_configs=None, **kwargs) -> list[Warning]:
    """W005: with DEBUG off, invitations, password resets and reminders must actually be sent."""
    if settings.DEBUG or settings.EMAIL_BACKEND not in UNSENT_EMAIL_BACKENDS:
        return []
    return [
        Warning(
            f"EMAIL_BACKEND is {settings.EMAIL_BACKEND} with DEBUG off: invitations, password resets and "
            "reminders are never sent.",
            hint="Set DJANGO_EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend and EMAIL_HOST, "
            "EMAIL_PORT, EMAIL_HOST_USER, EMAIL_HOST_PASSWORD.",
            id="tracker.W005",
        )
    ]
