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


class Command(BaseCommand):
    help = "Load or update the reference skill catalogue and the library of home activities."

    def handle(self, *args, **options) -> None:
        with transaction.atomic():
            call_command("loaddata", "catalogue", "activities", verbosity=options["verbosity"])
            services.catalogue_changed()
