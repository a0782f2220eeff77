"""Load (or reload) the reference skill catalogue (fixtures/catalogue.json) and activity library (activities.json).

The one loading path for reference data, used by `make run` and the tests.
Skills and activity templates are matched on their slug (natural key), so
reloading updates them in place and never duplicates or orphans a child's
observations or activities.

A domain, source or skill changed in the staff admin keeps the staff's values
over the fixture's, and the command names it, so a release never silently undoes
a clinic's correction; `--discard-staff-changes` takes the fixture's values
instead. A change the fixture has since taken in stops being a staff change.

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

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--discard-staff-changes",
            action="store_true",
            help="Replace catalogue rows changed in the staff admin with the fixture's values.",
        )

    def handle(self, *args, **options) -> None:
        steps = ("catalogue", "activities")
        progress = Progress(
            self.stdout, "load_catalogue", total=len(steps) + 1, unit="steps", verbosity=options["verbosity"]
        )
        with transaction.atomic(), progress:
            staff_rows = services.staff_changed_rows()
            for fixture in steps:
                call_command("loaddata", fixture, verbosity=options["verbosity"], stdout=self.stdout)
                progress.advance()
            outcome = services.keep_staff_changes(staff_rows, discard=options["discard_staff_changes"])
            services.catalogue_changed()
            progress.advance()
        if options["verbosity"] > 0:
            self._report(outcome)

    def _report(self, outcome: services.StaffChanges) -> None:
        if outcome.kept:
            self.stdout.write(
                self.style.WARNING(
                    f"Kept {len(outcome.kept)} change(s) made in the staff admin over the fixture: "
                    f"{', '.join(outcome.kept)}. Carry them into fixtures/catalogue.json, or run "
                    "load_catalogue --discard-staff-changes to take the fixture's values."
                )
            )
        if outcome.discarded:
            self.stdout.write(f"Replaced with the fixture's values: {', '.join(outcome.discarded)}.")
        if outcome.adopted:
            self.stdout.write(f"Now the same in the fixture, no longer staff changes: {', '.join(outcome.adopted)}.")
