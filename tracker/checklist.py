"""Sorting a child's skills into checklist groups, and counting them.

Pure functions: they read each skill's age window and current status and the
child's age in months (corrected where it applies); they never touch the
database. The view fetches the skills (with `.current`, the current
observation or None) and hands them over.

Groups:
- overdue: the window has ended and the skill is not achieved. A skill never
  recorded counts only if its window ended within the last
  `UNRECORDED_LOOKBACK_MONTHS`; older unrecorded skills go to `earlier`, so a
  child who joins the tracker at four does not open on a list of every baby
  skill (their status is unknown, not late).
- expected_now: the child's age is inside the window, not achieved.
- coming_up: the window starts within the next `COMING_UP_MONTHS`.
- achieved: the current status is achieved.
- earlier: see above. later: starts after the coming-up horizon.
- no_window: custom skills without a window, not achieved.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

COMING_UP_MONTHS = 6
UNRECORDED_LOOKBACK_MONTHS = 12

ACHIEVED = "achieved"
EMERGING = "emerging"
NOT_YET = "not_yet"

GROUP_ORDER = ("overdue", "expected_now", "coming_up", "achieved", "no_window", "earlier", "later")


def _status(skill) -> str | None:
    current = getattr(skill, "current", None)
    return current.status if current is not None else None


def group_of(skill, age_months: float) -> str:
    """The checklist group of one skill for a child of `age_months`."""
    status = _status(skill)
    if status == ACHIEVED:
        return "achieved"
    start, end = skill.window_start_months, skill.window_end_months
    if start is None or end is None:
        return "no_window"
    start, end = float(start), float(end)
    if end < age_months:
        if status is None and age_months - end > UNRECORDED_LOOKBACK_MONTHS:
            return "earlier"
        return "overdue"
    if start <= age_months:
        return "expected_now"
    if start <= age_months + COMING_UP_MONTHS:
        return "coming_up"
    return "later"


def group_skills(skills: Iterable, age_months: float) -> dict[str, list]:
    """Skills sorted into groups (keys in GROUP_ORDER), each keeping the input order."""
    groups: dict[str, list] = {name: [] for name in GROUP_ORDER}
    for skill in skills:
        groups[group_of(skill, age_months)].append(skill)
    # The longest-overdue first: they most need a conversation.
    groups["overdue"].sort(key=lambda s: (s.window_end_months or Decimal(0), s.order))
    return groups


@dataclass
class DomainSummary:
    """Counts for one domain on the child overview."""

    domain: object
    achieved: int = 0
    emerging: int = 0
    not_yet: int = 0
    overdue: int = 0
    expected_now: int = 0
    last_update: object = None
    needs_attention: list = field(default_factory=list)


def summarise(domains: Iterable, skills: Iterable, age_months: float) -> list[DomainSummary]:
    """Per-domain counts of statuses and overdue skills, and what needs attention."""
    by_domain = {domain.pk: DomainSummary(domain=domain) for domain in domains}
    for skill in skills:
        summary = by_domain.get(skill.domain_id)
        if summary is None:
            continue
        status = _status(skill)
        if status == ACHIEVED:
            summary.achieved += 1
        elif status == EMERGING:
            summary.emerging += 1
        elif status == NOT_YET:
            summary.not_yet += 1
        group = group_of(skill, age_months)
        if group == "overdue":
            summary.overdue += 1
            summary.needs_attention.append(skill)
        elif group == "expected_now":
            summary.expected_now += 1
        current = getattr(skill, "current", None)
        if current is not None and (summary.last_update is None or current.recorded_at > summary.last_update):
            summary.last_update = current.recorded_at
    for summary in by_domain.values():
        summary.needs_attention.sort(key=lambda s: (s.window_end_months, s.order))
    return list(by_domain.values())


def needs_attention(summaries: Iterable[DomainSummary], limit: int = 10) -> list:
    """Overdue skills across domains, longest-overdue first."""
    overdue = [skill for summary in summaries for skill in summary.needs_attention]
    overdue.sort(key=lambda s: (s.window_end_months, s.order))
    return overdue[:limit]
