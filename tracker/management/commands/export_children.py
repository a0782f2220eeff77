"""Export many children's records to a folder: `manage.py export_children --to DIR --by EMAIL (--all | --child ID …)`.

For a clinic's IT: answering several families' access requests at once, or handing every record over
when the service closes or moves. Each child gets the same document a family downloads from the app
(tracker/export.py), streamed into its own file with the download's opaque name, readable only by
its owner; nothing is overwritten. Notes are the family's (those shared with them) unless
`--care-team`, which adds the care-team-only notes a therapist's export holds.

`--by` names the staff account doing it: each child's export is an audit event under that name, as a
download is, recorded before its file is written. A bar on a terminal, plain lines in a log.
"""

import os
import uuid
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from tracker import audit, export
from tracker.models import AuditAction, Child, Role
from tracker.permissions import allowed_actions
from tracker.progress import Progress

FORMATS = {"json": ("JSON", export.stream_json), "zip": ("CSV files in a zip", export.stream_zip)}


class Command(BaseCommand):
    help = "Export children's records, one file each, into a folder (the app's family export, or the care team's)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--to", required=True, help="A folder only you can open (made if missing, owner only).")
        parser.add_argument("--by", required=True, help="Email of the staff account doing the export (audited).")
        which = parser.add_mutually_exclusive_group(required=True)
        which.add_argument("--all", action="store_true", help="Every child, archived ones too.")
        which.add_argument("--child", action="append", metavar="ID", help="A child's public id; repeat for more.")
        parser.add_argument("--format", choices=sorted(FORMATS), default="json")
        parser.add_argument(
            "--care-team", action="store_true", help="Include care-team-only notes, as a therapist's export does."
        )

    def handle(self, *args, **options) -> None:
        staff = self._staff(options["by"])
        children = self._children(options["all"], options["child"])
        folder = Path(options["to"])
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        if folder.stat().st_mode & 0o077:
            # Changing the mode of a folder someone chose (a shared drive, /tmp) is not ours to do.
            raise CommandError(f"{folder} can be opened by other users: export into a folder only you can open.")
        what, write = FORMATS[options["format"]]
        role = Role.THERAPIST if options["care_team"] else Role.GUARDIAN
        today = timezone.localdate()
        progress = Progress(
            self.stdout, "export_children", total=len(children), unit="children", verbosity=options["verbosity"]
        )
        with progress:
            for child in children:
                child.allowed = allowed_actions(role)
                path = folder / export.filename(child, today, options["format"])
                try:
                    descriptor = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
                except FileExistsError:
                    raise CommandError(f"{path} exists already: export into an empty folder.") from None
                scope = "with care-team notes" if options["care_team"] else "the family's notes"
                summary = f"Exported all the child's data ({what}, {scope}) with manage.py export_children"
                audit.record(staff, AuditAction.EXPORTED, child, summary=summary)
                with os.fdopen(descriptor, "wb") as file:
                    for chunk in write(child, exported_by=staff):
                        file.write(chunk)
                progress.advance()
        if options["verbosity"]:
            self.stdout.write(f"Exported {len(children)} children to {folder}")

    def _staff(self, email: str):
        staff = get_user_model().objects.filter(email__iexact=email, is_staff=True, is_active=True).first()
        if staff is None:
            raise CommandError(f"No active staff account has the email {email}: --by names who is exporting.")
        return staff

    def _children(self, every: bool, public_ids: list[str] | None) -> list[Child]:
        if every:
            return list(Child.objects.order_by("pk"))
        try:
            wanted = list(dict.fromkeys(uuid.UUID(value) for value in public_ids))
        except ValueError:
            raise CommandError("A child's id is a UUID, as in the app's addresses; nothing was exported.") from None
        found = {child.public_id: child for child in Child.objects.filter(public_id__in=wanted)}
        missing = [str(public_id) for public_id in wanted if public_id not in found]
        if missing:
            raise CommandError(f"No child has the id {', '.join(missing)}; nothing was exported.")
        return [found[public_id] for public_id in wanted]
