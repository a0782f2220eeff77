"""A child's skills sorted by where the child stands (tracker/status.py), and counted per area.

The views fetch the skills with `Skill.objects.with_current_observation(child)`
(each with `.current`, the current observation or None, carrying
`last_achieved_id`) and hand them over; nothing here queries the database.
Each skill gets its `standing`, so a template can say what it means.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from . import status
from .status import GROUP_ORDER, Recorded, Standing


def current_status(skill) -> str | None:
    current = getattr(skill, "current", None)
    return current.status if current is not None else None


def is_lost(skill) -> bool:
    """Seen achieved before, and the latest observation says not yet or emerging."""
    current = getattr(skill, "current", None)
    return (
        current is not None
        and current.status != Recorded.ACHIEVED
        and getattr(current, "last_achieved_id", None) is not None
    )


def assess(skills: Iterable, age_months: float) -> list:
    """The skills, each with its `standing` set for a child of `age_months` (corrected where it applies)."""
    skills = list(skills)
    items = [(skill.pk, skill.norm, current_status(skill), is_lost(skill)) for skill in skills]
    for skill, standing in zip(skills, status.standings(items, age_months), strict=True):
        skill.standing = standing
    return skills


def _by_end(skill) -> tuple:
    return (skill.window_end_months is None, skill.window_end_months or 0, skill.order)


def group_skills(skills: Iterable, age_months: float) -> dict[Standing, list]:
    """Skills sorted into groups (keys in GROUP_ORDER), each keeping the input order; overdue longest first."""
    groups: dict[Standing, list] = {standing: [] for standing in GROUP_ORDER}
    for skill in assess(skills, age_months):
        groups[skill.standing].append(skill)
    groups[Standing.OVERDUE].sort(key=_by_end)
    return groups


@dataclass
class DomainSummary:
    """One area of development on the child overview: counts, and the skills that need a word."""

    domain: object
    achieved: int = 0
    emerging: int = 0
    not_yet: int = 0
    last_update: object = None
    overdue: list = field(default_factory=list)
    to_check: list = field(default_factory=list)
    no_longer_seen: list = field(default_factory=list)


def summarise(domains: Iterable, skills: Iterable, age_months: float) -> list[DomainSummary]:
    """Per-area counts of what was recorded and of the skills that are overdue, to check or no longer seen."""
    by_domain = {domain.pk: DomainSummary(domain=domain) for domain in domains}
    for skill in assess(skills, age_months):
        summary = by_domain.get(skill.domain_id)
        if summary is None:
            continue
        recorded = current_status(skill)
        if recorded == Recorded.ACHIEVED:
            summary.achieved += 1
        elif recorded == Recorded.EMERGING:
            summary.emerging += 1
        elif recorded == Recorded.NOT_YET:
            summary.not_yet += 1
        if skill.standing == Standing.OVERDUE:
            summary.overdue.append(skill)
        elif skill.standing == Standing.TO_CHECK:
            summary.to_check.append(skill)
        elif skill.standing == Standing.NO_LONGER_SEEN:
            summary.no_longer_seen.append(skill)
        current = getattr(skill, "current", None)
        if current is not None and (summary.last_update is None or current.recorded_at > summary.last_update):
            summary.last_update = current.recorded_at
    for summary in by_domain.values():
        summary.overdue.sort(key=_by_end)
        summary.to_check.sort(key=_by_end)
    return list(by_domain.values())


def own_discipline_first(summaries: Sequence[DomainSummary], discipline: str) -> list[DomainSummary]:
    """The areas a therapist leads first (PT: gross motor; OT: the rest), each group in its usual order."""
    return sorted(summaries, key=lambda summary: summary.domain.discipline != discipline)


def no_longer_seen(summaries: Iterable[DomainSummary]) -> list:
    """Every skill no longer seen, across areas: shown above everything else."""
    return [skill for summary in summaries for skill in summary.no_longer_seen]


def recorded_counts(skills: Iterable) -> dict[str, int]:
    """How many of `skills` are currently achieved, emerging, not yet and not recorded (the area's counts)."""
    counts = dict.fromkeys(Recorded, 0)
    for skill in skills:
        counts[Recorded(current_status(skill) or Recorded.NOT_RECORDED)] += 1
    return {str(key): value for key, value in counts.items()}


def changed_groups(before: dict[Standing, list], after: dict[Standing, list], touched) -> list[Standing]:
    """The groups (in GROUP_ORDER) whose rows differ between two groupings, and the group now holding `touched`.

    A tap can move more than its own row: achieving a later skill makes an optional earlier one
    "not needed", and a skill recorded "not yet" after "achieved" is no longer seen. Only these
    groups are drawn again after a tap; the others are left as they are on the page.
    """

    def keys(skills: list) -> list:
        return [skill.pk for skill in skills]

    return [
        standing
        for standing in GROUP_ORDER
        if keys(before[standing]) != keys(after[standing]) or touched.pk in keys(after[standing])
    ]
