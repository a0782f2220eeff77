"""Load (or reload) the reference skill catalogue (fixtures/catalogue.json) and activity library (activities.json).

The one loading path for reference data, used by `make run` and the tests.
Skills and activity templates are matched on their slug (natural key), so
reloading updates them in place and never duplicates or orphans a child's
observations or activities.

A reload moves every child's `data_version`: a skill's name or age window is
on every checklist and chart, and drawn pages and charts are kept (in the
shared cache and in each worker's memory) until that version moves.
"""

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction

from tracker import services
from tracker.progress import Progress


class Command(BaseCommand):
    help = "Load or update the reference skill catalogue and the library of home activities."

    def handle(self, *args, **options) -> None:
        steps = ("catalogue", "activities")
        progress = Progress(
            self.stdout, "load_catalogue", total=len(steps) + 1, unit="steps", verbosity=options["verbosity"]
        )
        with transaction.atomic(), progress:
            for fixture in steps:
                call_command("loaddata", fixture, verbosity=options["verbosity"], stdout=self.stdout)
                progress.advance()
            services.catalogue_changed()
            progress.advance()
