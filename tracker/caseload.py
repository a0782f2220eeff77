"""A therapist's caseload: every child on their teams, with what needs attention.

Three queries whatever the caseload size: the children (with the time of
their last observation), the skills that apply to them, and the current
statuses. The counting reuses the checklist's grouping rules.
"""

from dataclasses import dataclass
from datetime import date

from django.db.models import Max, Q
from django.utils import timezone

from . import ages
from .checklist import group_of
from .models import Child, Observation, Skill, Status


@dataclass
class CaseloadRow:
    child: dict
    age: ages.Age
    corrected_age: ages.Age | None
    overdue: int
    emerging: int
    days_since_last: int | None


class _SkillState:
    """The slice of a skill `group_of` reads, with one child's current status."""

    __slots__ = ("window_start_months", "window_end_months", "current")

    def __init__(self, skill, status):
        self.window_start_months = skill.window_start_months
        self.window_end_months = skill.window_end_months
        self.current = _Status(status) if status else None


class _Status:
    __slots__ = ("status",)

    def __init__(self, status):
        self.status = status


SORT_KEYS = {
    "name": lambda row: (row.child["given_name"].casefold(), row.child["family_name"].casefold()),
    "overdue": lambda row: (-row.overdue, row.child["given_name"].casefold()),
    "emerging": lambda row: (-row.emerging, row.child["given_name"].casefold()),
    # Never observed first, then the longest silence.
    "quiet": lambda row: (row.days_since_last is not None, -(row.days_since_last or 0)),
}


def caseload_version(user) -> tuple:
    """What the caseload page depends on: which children are on it, and each one's data version (one query)."""
    return tuple(Child.objects.visible_to(user).active().order_by("pk").values_list("public_id", "data_version"))


def caseload_for(user, today: date, sort: str = "overdue") -> list[CaseloadRow]:
    children = list(
        Child.objects.visible_to(user)
        .active()
        .annotate(last_recorded=Max("observations__recorded_at", filter=Q(observations__withdrawn_at__isnull=True)))
        .values("id", "public_id", "given_name", "family_name", "date_of_birth", "gestational_days", "last_recorded")
    )
    ids = [child["id"] for child in children]
    skills = list(
        Skill.objects.filter(Q(child__isnull=True) | Q(child__in=ids)).only(
            "id", "child_id", "window_start_months", "window_end_months"
        )
    )
    statuses: dict[int, dict[int, str]] = {child_id: {} for child_id in ids}
    for child_id, skill_id, status in (
        Observation.objects.current().filter(child__in=ids).order_by().values_list("child_id", "skill_id", "status")
    ):
        statuses[child_id][skill_id] = status

    rows = []
    for child in children:
        age_months = ages.effective_age_in_months(child["date_of_birth"], child["gestational_days"], today)
        own = statuses[child["id"]]
        overdue = sum(
            1
            for skill in skills
            if (skill.child_id is None or skill.child_id == child["id"])
            and group_of(_SkillState(skill, own.get(skill.id)), age_months) == "overdue"
        )
        last = child["last_recorded"]
        rows.append(
            CaseloadRow(
                child=child,
                age=ages.chronological_age(child["date_of_birth"], today),
                corrected_age=ages.corrected_age(child["date_of_birth"], child["gestational_days"], today),
                overdue=overdue,
                emerging=sum(1 for status in own.values() if status == Status.EMERGING),
                days_since_last=(today - timezone.localtime(last).date()).days if last else None,
            )
        )
    rows.sort(key=SORT_KEYS.get(sort, SORT_KEYS["overdue"]))
    return rows
