"""Report the skill catalogue: counts per domain and any skill without a window or source."""

from django.core.management.base import BaseCommand
from django.db.models import Count, Q

from tracker.models import Domain, Skill


class Command(BaseCommand):
    help = "Counts of catalogue skills per domain, and skills missing a window or a source."

    def handle(self, *args, **options) -> None:
        domains = Domain.objects.annotate(skills_count=Count("skills", filter=Q(skills__child__isnull=True))).order_by(
            "order"
        )
        total = 0
        for domain in domains:
            self.stdout.write(f"{domain.name:<14} {domain.discipline:<3} {domain.skills_count:>4} skills")
            total += domain.skills_count
        self.stdout.write(f"{'Total':<18} {total:>4} skills")
        incomplete = Skill.objects.catalogue().filter(
            Q(window_start_months__isnull=True) | Q(window_end_months__isnull=True) | Q(source="")
        )
        if incomplete.exists():
            self.stdout.write(self.style.WARNING("Skills without a window or a source:"))
            for skill in incomplete:
                self.stdout.write(f"  {skill.slug}")
        else:
            self.stdout.write(self.style.SUCCESS("Every skill has an age window and a source."))
