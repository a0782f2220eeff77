"""Send the reminders due now, in this process (what the scheduled task does); prints what happened."""

import json
import time

from django.core.management.base import BaseCommand
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tracker import reminders
from tracker.progress import Progress


class Command(BaseCommand):
    help = "Send every reminder and digest due now that was not sent before (safe to run at any time)."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--json", action="store_true", dest="as_json", help="Print the report as JSON, with time and queries."
        )

    def handle(self, *args, as_json: bool = False, **options) -> None:
        started = time.monotonic()
        # Not with --json: its stdout is one JSON document.
        progress = Progress(self.stdout, "reminders", unit="batches", verbosity=0 if as_json else options["verbosity"])
        with CaptureQueriesContext(connection) as queries, progress:
            report = reminders.run(on_batch=progress.advance)
        result = {**report.as_dict(), "seconds": round(time.monotonic() - started, 2), "queries": len(queries)}
        if as_json:
            self.stdout.write(json.dumps(result, sort_keys=True))
            return
        self.stdout.write(
            f"{result['sent']} sent, {result['already']} sent before, {result['quiet']} waiting for quiet hours "
            f"to end, {result['failed']} refused by the mail server (tried again next run), {result['stuck']} stuck "
            "(claimed by a run that stopped before marking them sent; not sent again); "
            f"{result['batches']} batches, {result['queries']} queries, {result['seconds']} s."
        )
