"""One child's team timeline: notes, observations, goal reviews and team changes, in date order.

The sources are merged in the database (UNION ALL of (entry type, id, day,
time, voice) rows), so a page costs the same few queries however long the
child's history is: one to count, one for the page's rows, one per entry type
on the page to fetch the objects.
"""

from dataclasses import dataclass
from datetime import date

from django.core.paginator import Page, Paginator
from django.db.models import CharField, DateField, F, QuerySet, Value
from django.db.models.functions import TruncDate

from .models import AuditEvent, Child, GoalReview, Note, NoteKind, Observation
from .models.audit import TEAM_CHANGES

PAGE_SIZE = 25

# What the "kind" filter offers: note kinds, then the other entry types.
KIND_CHOICES = [
    *NoteKind.choices,
    ("observation", "Observations"),
    ("goal_review", "Goal reviews"),
    ("team", "Team changes"),
]
VOICE_CHOICES = [("OT", "OT"), ("PT", "PT"), ("family", "Family")]


@dataclass(frozen=True)
class TimelineFilter:
    voice: str = ""
    kind: str = ""
    date_from: date | None = None
    date_to: date | None = None


@dataclass
class Entry:
    type: str  # note, observation, goal_review, team
    day: date
    item: object


def _rows(queryset: QuerySet, entry_type: str, *, day, at: str, voice) -> QuerySet:
    return queryset.annotate(
        entry=Value(entry_type, output_field=CharField()),
        entry_day=day,
        entry_at=F(at),
        entry_voice=voice,
    ).values_list("entry", "pk", "entry_day", "entry_at", "entry_voice")


def _sources(child: Child, notes: QuerySet, wanted: TimelineFilter) -> list[QuerySet]:
    """One (entry, id, day, time, voice) queryset per source the filter lets through."""
    note_kinds = [value for value, _ in NoteKind.choices]
    sources = []
    if not wanted.kind or wanted.kind in note_kinds:
        if wanted.kind:
            notes = notes.filter(kind=wanted.kind)
        sources.append(_rows(notes, "note", day=F("session_date"), at="created_at", voice=F("author_voice")))
    if wanted.kind in ("", "observation"):
        observations = Observation.objects.filter(child=child)
        sources.append(
            _rows(observations, "observation", day=F("observed_on"), at="recorded_at", voice=F("recorded_as"))
        )
    if wanted.kind in ("", "goal_review"):
        reviews = GoalReview.objects.filter(goal__child=child)
        sources.append(_rows(reviews, "goal_review", day=F("reviewed_on"), at="created_at", voice=F("reviewer_voice")))
    if wanted.kind in ("", "team") and not wanted.voice:
        changes = AuditEvent.objects.filter(child=child, action__in=TEAM_CHANGES)
        sources.append(
            _rows(
                changes,
                "team",
                day=TruncDate("at", output_field=DateField()),
                at="at",
                voice=Value("", output_field=CharField()),
            )
        )
    filtered = []
    for source in sources:
        if wanted.voice:
            source = source.filter(entry_voice=wanted.voice)
        if wanted.date_from:
            source = source.filter(entry_day__gte=wanted.date_from)
        if wanted.date_to:
            source = source.filter(entry_day__lte=wanted.date_to)
        filtered.append(source.order_by())
    return filtered


def timeline_page(child: Child, notes: QuerySet, wanted: TimelineFilter, page_number) -> tuple[Page, list[Entry]]:
    """A page of the merged timeline. `notes` is already limited to what the reader may read."""
    sources = _sources(child, notes, wanted)
    if not sources:
        return Paginator([], PAGE_SIZE).get_page(1), []
    merged = sources[0].union(*sources[1:], all=True).order_by("-entry_day", "-entry_at", "entry", "-pk")
    page = Paginator(merged, PAGE_SIZE).get_page(page_number)
    rows = list(page.object_list)
    wanted_ids: dict[str, list[int]] = {}
    for entry_type, pk, *_ in rows:
        wanted_ids.setdefault(entry_type, []).append(pk)
    fetchers = {
        "note": lambda ids: Note.objects.filter(pk__in=ids).prefetch_related("skills", "goals"),
        "observation": lambda ids: Observation.objects.filter(pk__in=ids).select_related("skill__domain"),
        "goal_review": lambda ids: GoalReview.objects.filter(pk__in=ids).select_related("goal"),
        "team": lambda ids: AuditEvent.objects.filter(pk__in=ids),
    }
    objects = {(entry_type, obj.pk): obj for entry_type, ids in wanted_ids.items() for obj in fetchers[entry_type](ids)}
    entries = [Entry(type=entry_type, day=day, item=objects[(entry_type, pk)]) for entry_type, pk, day, *_ in rows]
    return page, entries
