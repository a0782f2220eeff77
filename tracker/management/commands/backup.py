"""Make a consistent backup of the database: `manage.py backup [--output FILE] [--prune-days N]`.

SQLite through the online backup API, PostgreSQL through `pg_dump --format=custom`; see
docs/security.md for the schedule, where copies go and how long they are kept.
"""

from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from tracker import backup
from tracker.progress import Progress, file_size, while_running


class Command(BaseCommand):
    help = "Back up the database to a new file readable only by its owner."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--database", default="default", help="Database alias (default: default).")
        parser.add_argument(
            "--output",
            help="The backup file to create. Default: BACKUP_DIR/tracker-<alias>-<UTC time>.sqlite3 or .pgdump.",
        )
        parser.add_argument(
            "--prune-days",
            type=int,
            help="After the backup, delete this app's backups in the same folder older than this many days.",
        )

    def handle(self, *args, database: str, output: str | None, prune_days: int | None, **options) -> None:
        if prune_days is not None and prune_days < 1:
            raise CommandError("--prune-days must be at least 1.")
        try:
            destination = Path(output) if output else Path(settings.BACKUP_DIR) / backup.default_name(database)
            progress = Progress(self.stdout, "backup", unit="MB written", verbosity=options["verbosity"])
            made = while_running(
                progress, lambda: backup.backup(destination, alias=database), measure=file_size(destination)
            )
            # --verbosity 0 (a cron job): nothing printed unless it fails.
            if options["verbosity"]:
                self.stdout.write(f"Backed up the {database} database to {made}")
            if prune_days is not None:
                for old in backup.prune(made.parent, older_than=timedelta(days=prune_days)):
                    if options["verbosity"]:
                        self.stdout.write(f"Deleted the old backup {old}")
        except backup.BackupError as error:
            raise CommandError(str(error)) from None
