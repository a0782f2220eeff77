"""A therapist's caseload: every child on their teams, with what needs attention in the areas they lead.

Four queries whatever the caseload size: the children (with the time of
their last observation), the skills that apply to them, the current statuses
(each knowing whether the skill was achieved before, for "no longer seen"),
and the reviews of skills no longer seen. The counting is the status model's
(tracker/status.py), as on every other page.

Which areas count: by default the ones the therapist leads (a PT gross
motor; an OT fine motor, self-care and sensory), or one area, or all.
"""

from dataclasses import dataclass
from datetime import date

from django.db.models import Max, Q
from django.utils import timezone

from . import ages, status
from .models import Child, Discipline, Domain, LossReview, Observation, Skill, Status
from .status import Standing

ALL_AREAS = "all"
OWN_AREAS = "mine"


@dataclass
class CaseloadRow:
    child: dict
    age: ages.Age
    corrected_age: ages.Age | None
    overdue: int
    to_check: int
    no_longer_seen: int  # not yet reviewed by a therapist
    emerging: int
    days_since_last: int | None


SORT_KEYS = {
    "name": lambda row: (row.child["given_name"].casefold(), row.child["family_name"].casefold()),
    # A skill no longer seen and not yet reviewed comes first: CDC advises acting on it at once.
    "overdue": lambda row: (-row.no_longer_seen, -row.overdue, row.child["given_name"].casefold()),
    "emerging": lambda row: (-row.emerging, row.child["given_name"].casefold()),
    # Never observed first, then the longest silence.
    "quiet": lambda row: (row.days_since_last is not None, -(row.days_since_last or 0)),
}


def area_choices(domains: list[Domain]) -> list[tuple[str, str]]:
    return [(OWN_AREAS, "My areas"), *((domain.slug, domain.name) for domain in domains), (ALL_AREAS, "All areas")]


def areas_counted(domains: list[Domain], area: str, discipline: str) -> set[int]:
    """The ids of the domains whose skills count: `area` is a domain slug, "all", or "mine" (by discipline)."""
    if area == ALL_AREAS:
        return {domain.pk for domain in domains}
    if area == OWN_AREAS:
        own = {domain.pk for domain in domains if domain.discipline == discipline}
        return own or {domain.pk for domain in domains}
    return {domain.pk for domain in domains if domain.slug == area}


def discipline_of(user) -> str:
    """The discipline a therapist leads, from their profession (PT: gross motor; OT: the rest)."""
    return {"ot": Discipline.OCCUPATIONAL_THERAPY, "pt": Discipline.PHYSIOTHERAPY}.get(user.profession, "")


def caseload_version(user) -> tuple:
    """What the caseload page depends on: which children are on it, and each one's data version (one query)."""
    return tuple(Child.objects.visible_to(user).active().order_by("pk").values_list("public_id", "data_version"))


def caseload_for(user, today: date, *, domain_ids: set[int], sort: str = "overdue") -> list[CaseloadRow]:
    children = list(
        Child.objects.visible_to(user)
        .active()
        .annotate(last_recorded=Max("observations__recorded_at", filter=Q(observations__withdrawn_at__isnull=True)))
        .values("id", "public_id", "given_name", "family_name", "date_of_birth", "gestational_days", "last_recorded")
    )
    ids = [child["id"] for child in children]
    skills = [
        (skill.pk, skill.child_id, skill.norm)
        for skill in Skill.objects.filter(Q(child__isnull=True) | Q(child__in=ids))
        .filter(domain__in=domain_ids)
        .only(
            "id",
            "child_id",
            "window_start_months",
            "window_end_months",
            "median_months",
            "window_kind",
            "optional",
            "sequence",
            "order",
        )
    ]
    reviewed = set(LossReview.objects.filter(child__in=ids).values_list("last_achieved_id", flat=True))
    current: dict[int, dict[int, tuple[str, bool]]] = {child_id: {} for child_id in ids}
    for child_id, skill_id, recorded, last_achieved in (
        Observation.objects.current()
        .filter(child__in=ids)
        .with_last_achieved()
        .order_by()
        .values_list("child_id", "skill_id", "status", "last_achieved_id")
    ):
        lost = recorded != Status.ACHIEVED and last_achieved is not None and last_achieved not in reviewed
        current[child_id][skill_id] = (recorded, lost)

    rows = []
    for child in children:
        age_months = ages.effective_age_in_months(child["date_of_birth"], child["gestational_days"], today)
        own = current[child["id"]]
        items = [
            (skill_id, norm, *own.get(skill_id, (None, False)))
            for skill_id, owner, norm in skills
            if owner is None or owner == child["id"]
        ]
        standings = status.standings(items, age_months)
        last = child["last_recorded"]
        rows.append(
            CaseloadRow(
                child=child,
                age=ages.chronological_age(child["date_of_birth"], today),
                corrected_age=ages.corrected_age(child["date_of_birth"], child["gestational_days"], today),
                overdue=standings.count(Standing.OVERDUE),
                to_check=standings.count(Standing.TO_CHECK),
                no_longer_seen=standings.count(Standing.NO_LONGER_SEEN),
                emerging=sum(1 for _, _, recorded, _ in items if recorded == Status.EMERGING),
                days_since_last=(today - timezone.localtime(last).date()).days if last else None,
            )
        )
    rows.sort(key=SORT_KEYS.get(sort, SORT_KEYS["overdue"]))
    return rows
