"""What makes a catalogue skill checkable: the rules `manage.py catalogue_report` enforces, as data.

A reader must be able to find where every window comes from and check its
numbers (DESIGN.md, "Clinical rules"): each skill names a published source and
the place in it; a window carries the kind that says what its end means; a WHO
window is one of the six the WHO Motor Development Study published; a CDC
window ends at one of CDC's checkpoints. A skill with no age norm we can cite
has no window at all and is tracked, never late. Nothing here knows the ORM.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

# WHO Multicentre Growth Reference Study Group 2006 (reference/README.md §1):
# (1st percentile, 99th percentile, median) in months, for the six milestones.
WHO_MILESTONES: dict[str, tuple[Decimal, Decimal, Decimal]] = {
    "sitting without support": (Decimal("3.8"), Decimal("9.2"), Decimal("5.9")),
    "standing with assistance": (Decimal("4.8"), Decimal("11.4"), Decimal("7.4")),
    "hands-and-knees crawling": (Decimal("5.2"), Decimal("13.5"), Decimal("8.3")),
    "walking with assistance": (Decimal("5.9"), Decimal("13.7"), Decimal("9.0")),
    "standing alone": (Decimal("6.9"), Decimal("16.9"), Decimal("10.8")),
    "walking alone": (Decimal("8.2"), Decimal("17.6"), Decimal("12.0")),
}
# Zubler et al. 2022: the ages of CDC's checklists, by which 3 in 4 children have each item.
CDC_CHECKPOINTS = frozenset(Decimal(months) for months in (2, 4, 6, 9, 12, 15, 18, 24, 30, 36, 48, 60))
WHO_SOURCE = "who-mgrs-2006"
CDC_SOURCE = "cdc-2022"
# The kinds a catalogue window may have; "set_for_child" belongs to a therapist's custom skill.
CATALOGUE_KINDS = ("who_percentiles", "cdc_checkpoint", "typical_age")
YEAR = re.compile(r"\b(1[89]\d\d|20\d\d)\b")


@dataclass(frozen=True)
class Entry:
    """One catalogue skill as the checks see it (anything with the Skill model's field names will do)."""

    slug: str
    start: Decimal | None
    end: Decimal | None
    median: Decimal | None
    kind: str
    source: str  # the source's slug, "" when none
    source_detail: str

    @classmethod
    def of(cls, skill) -> "Entry":
        return cls(
            slug=skill.slug,
            start=skill.window_start_months,
            end=skill.window_end_months,
            median=skill.median_months,
            kind=skill.window_kind,
            source=skill.source.slug if skill.source_id else "",
            source_detail=skill.source_detail,
        )


def skill_problems(entry: Entry) -> list[str]:
    """Why a reader could not check this skill's window or citation; empty when they can."""
    found = []
    if not entry.source:
        found.append("no source")
    if not entry.source_detail.strip():
        found.append("no place in the source (source_detail is empty)")
    has_start, has_end = entry.start is not None, entry.end is not None
    if has_start != has_end:
        found.append("half a window: give both ends or neither")
    if (has_start or has_end) and not entry.kind:
        found.append("a window without a kind")
    if entry.kind and not (has_start and has_end):
        found.append(f"a kind ({entry.kind}) without a window")
    if entry.kind and entry.kind not in CATALOGUE_KINDS:
        found.append(f"kind {entry.kind!r} is for a therapist's custom skill, not the catalogue")
    if entry.median is not None and entry.kind != "who_percentiles":
        found.append("a median on a window that is not WHO's")
    if entry.kind == "who_percentiles":
        found += _who_problems(entry)
    if entry.kind == "cdc_checkpoint":
        if entry.end is not None and entry.end not in CDC_CHECKPOINTS:
            found.append(f"a CDC window ending at {entry.end} months, which is not a CDC 2022 checkpoint")
        if entry.source != CDC_SOURCE:
            found.append(f"a CDC window citing {entry.source or 'nothing'} instead of {CDC_SOURCE}")
    return found


def _who_problems(entry: Entry) -> list[str]:
    found = []
    if entry.median is None:
        found.append("a WHO window without its median")
    if (entry.start, entry.end, entry.median) not in WHO_MILESTONES.values():
        found.append(
            f"a WHO window ({entry.start}–{entry.end}, median {entry.median}) that is not one of the six "
            "the WHO Motor Development Study published"
        )
    if entry.source != WHO_SOURCE:
        found.append(f"a WHO window citing {entry.source or 'nothing'} instead of {WHO_SOURCE}")
    return found


def source_problems(citation: str) -> list[str]:
    """Why a reader could not find a source from its citation; empty when they can."""
    return [] if YEAR.search(citation) else ["the citation gives no year"]


def problems(entries: Iterable[Entry], citations: dict[str, str]) -> list[tuple[str, str]]:
    """(what, why) for every catalogue skill and source a reader could not check, in catalogue order.

    `citations` maps each source's slug to its citation.
    """
    found = [(f"source {slug}", why) for slug, citation in citations.items() for why in source_problems(citation)]
    found += [(entry.slug, why) for entry in entries for why in skill_problems(entry)]
    return found
