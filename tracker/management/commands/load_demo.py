"""Load a small demo family: one parent, one OT, one PT, two children (one born early).

Safe to run again: people and children are found by email and name, not duplicated.
"""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from tracker.models import CareTeamMembership, Child, Discipline, Role

DEMO_PASSWORD = "demo-password-2026"  # noqa: S105 (published demo login, local only)
PEOPLE = [
    ("parent@example.org", "Sam Parent", "parent"),
    ("ot@example.org", "Olivia Hand (OT)", "ot"),
    ("pt@example.org", "Peter Move (PT)", "pt"),
]


class Command(BaseCommand):
    help = "Load the demo family (idempotent) and print the demo logins."

    @transaction.atomic
    def handle(self, *args, **options) -> None:
        User = get_user_model()
        people = {}
        for email, name, profession in PEOPLE:
            user, created = User.objects.get_or_create(email=email, defaults={"name": name, "profession": profession})
            if created:
                user.set_password(DEMO_PASSWORD)
                user.save(update_fields=["password"])
            people[profession] = user

        today = timezone.localdate()
        children = [
            # A term toddler, and a baby born at 30 weeks whose corrected age matters.
            ("Maya", "Demo", today - timedelta(days=20 * 30), None),
            ("Leo", "Demo", today - timedelta(days=7 * 30), 30),
        ]
        for given, family, born, weeks in children:
            child, _ = Child.objects.get_or_create(
                given_name=given,
                family_name=family,
                care_team__user=people["parent"],
                defaults={"date_of_birth": born, "gestational_weeks": weeks},
            )
            for profession, role, discipline in [
                ("parent", Role.GUARDIAN, ""),
                ("ot", Role.THERAPIST, Discipline.OCCUPATIONAL_THERAPY),
                ("pt", Role.THERAPIST, Discipline.PHYSIOTHERAPY),
            ]:
                CareTeamMembership.objects.get_or_create(
                    child=child, user=people[profession], defaults={"role": role, "discipline": discipline}
                )

        self.stdout.write(f"Demo logins (password for each: {DEMO_PASSWORD}):")
        for email, name, _ in PEOPLE:
            self.stdout.write(f"  {email:22} {name}")
