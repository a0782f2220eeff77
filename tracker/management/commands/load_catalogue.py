"""Load (or reload) the reference skill catalogue from fixtures/catalogue.json.

The one loading path for reference data, used by `make run` and the tests.
Skills are matched on their slug (natural key), so reloading updates them in
place and never duplicates or orphans a child's observations.
"""

from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Load or update the reference skill catalogue."

    def handle(self, *args, **options) -> None:
        call_command("loaddata", "catalogue", verbosity=options["verbosity"])
