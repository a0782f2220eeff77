"""Restore the database from a backup: `manage.py restore FILE [--into NAME] [--noinput]`.

This replaces everything in the database. Stop the app servers first, and check a backup by restoring
it `--into` a scratch database before it replaces a live one (docs/security.md).
"""

from django.core.management.base import BaseCommand, CommandError

from tracker import backup, page_cache
from tracker.progress import Progress, while_running


class Command(BaseCommand):
    help = "Replace the database's contents with a backup made by `manage.py backup`."

    def add_arguments(self, parser) -> None:
        parser.add_argument("backup_file", help="A file made by `manage.py backup`.")
        parser.add_argument("--database", default="default", help="Database alias (default: default).")
        parser.add_argument(
            "--into",
            help="Restore into another database with the same connection settings instead: "
            "for SQLite a new file's path, for PostgreSQL the name of an existing empty database.",
        )
        parser.add_argument(
            "--noinput", "--no-input", action="store_false", dest="interactive", help="Do not ask to confirm."
        )

    def handle(self, *args, backup_file: str, database: str, into: str | None, interactive: bool, **options) -> None:
        target = into or f"the {database} database"
        if interactive:
            answer = input(f"This replaces everything in {target} with {backup_file}. Type 'yes' to continue: ")
            if answer.strip().lower() != "yes":
                raise CommandError("Restore cancelled; nothing was changed.")
        try:
            progress = Progress(self.stdout, "restore", verbosity=options["verbosity"])
            while_running(progress, lambda: backup.restore(backup_file, alias=database, into=into))
        except backup.BackupError as error:
            raise CommandError(str(error)) from None
        if into is None:
            # The restored records' versions go back to values that pages and charts were drawn under
            # since the backup: a new cache generation makes everything drawn before unreachable.
            page_cache.move_generation()
        if options["verbosity"]:
            self.stdout.write(f"Restored {target} from {backup_file}")
