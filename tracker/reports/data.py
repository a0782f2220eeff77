"""What a report says, from the child's records: the same data and rules as the pages.

Where the child stands on each skill is the status model's (tracker/status.py), computed from the
observations in force up to the report's last day, so a report for a past period says what the pages
said then. Goals are scored with tracker/gas.py. Charts are drawn by the pure chart modules
(tracker/charts/) as SVG, the vector format a PDF keeps sharp at any zoom. A fixed number of queries,
whatever the size of the record.
"""

import base64
import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format

from .. import ages, chart_data, gas, programme, status
from ..charts import adherence, milestones, progress, skill_history
from ..charts import goals as goal_charts
from ..charts.base import Observed
from ..models import (
    Activity,
    Child,
    Domain,
    Goal,
    GoalStatus,
    Note,
    NoteKind,
    ReportKind,
    ReportScope,
    Skill,
    Visibility,
)
from ..status import Recorded, Standing

MAX_SKILL_CHARTS = 4  # skill-history charts in a therapist report: the skills its goals are about
PRACTICE_CHART_WEEKS = programme.ADHERENCE_WEEKS  # the therapist report's chart: as on the pages, its last weeks
CONCERN_SENTENCE = "talk to your child's therapist or doctor"


@dataclass(frozen=True)
class Spec:
    """Everything the author chose for one report."""

    kind: str
    start: date
    end: date
    paper: str = "a4"
    scope: str = ""  # a therapist report: OT, PT or joint
    note_ids: tuple[int, ...] = ()
    recommendations: str = ""
    author_name: str = ""
    author_role: str = ""
    made_on: date | None = None


@dataclass
class SkillLine:
    name: str
    window: str  # the window in the source's words


@dataclass
class AreaSummary:
    """One area of development: counts on the report's last day, concerns, and what changed."""

    domain: Domain
    achieved: int = 0
    emerging: int = 0
    not_yet: int = 0
    to_check: int = 0
    concerns: list[SkillLine] = field(default_factory=list)
    no_longer_seen: list[SkillLine] = field(default_factory=list)
    expected_now: list[str] = field(default_factory=list)
    newly_achieved: list[str] = field(default_factory=list)
    newly_emerging: list[str] = field(default_factory=list)
    resolved: list[str] = field(default_factory=list)  # a concern at the last report, achieved since
    summary: str = ""

    @property
    def recorded(self) -> int:
        return self.achieved + self.emerging + self.not_yet

    @property
    def concern_count(self) -> int:
        return len(self.concerns) + len(self.no_longer_seen)


@dataclass
class GoalLine:
    number: int
    description: str
    area: str
    baseline: str
    current: str
    current_level: int | None
    t_score: float | None
    progress: str  # met / progressing / not progressing / not reviewed in this period / discontinued …
    reviews_in_period: int
    target_date: date
    review_on: date | None  # an active goal's planned review before its target date, if any


@dataclass(frozen=True)
class PracticeLine:
    """One home activity over the report's weeks: practice logged against plan, and how it went."""

    name: str  # A1, A2 … as in the chart's legend
    title: str
    goal_number: int | None  # the goal's number in the report (G1 …), when it is one of the report's goals
    times_per_week: int
    planned: int
    done: int
    hard: int
    didnt_manage: int

    @property
    def percent(self) -> str:
        return f"{round(100 * self.done / self.planned)} %" if self.planned else "—"


@dataclass
class Chart:
    title: str
    alt: str
    data_uri: str


@dataclass
class Timings:
    """Where the time of one report went, in seconds (bench/reports.py prints them)."""

    data: float = 0.0
    charts: float = 0.0
    html: float = 0.0
    layout: float = 0.0
    pdf: float = 0.0

    @property
    def total(self) -> float:
        return self.data + self.charts + self.html + self.layout + self.pdf


# --- Where the child stands on a day (pure) -----------------------------------------------


def standings_on(skills: Sequence[Skill], history: Sequence[Observed], day: date, age: float) -> dict:
    """{skill slug: (standing, latest status or None)} from the observations in force up to `day`."""
    statuses: dict[str, list[str]] = defaultdict(list)
    for observed in history:
        if observed.on <= day:
            statuses[observed.skill].append(observed.status)
    items = [
        (skill.slug, skill.norm, (statuses[skill.slug] or [None])[-1], status.lost_in_history(statuses[skill.slug]))
        for skill in skills
    ]
    found = status.standings(items, age)
    return {slug: (standing, latest) for (slug, _, latest, _), standing in zip(items, found, strict=True)}


def area_summaries(
    domains: Sequence[Domain],
    skills: Sequence[Skill],
    history: Sequence[Observed],
    *,
    child: Child,
    end: date,
    since: date,
    since_words: str,
) -> list[AreaSummary]:
    """Each area on `end`, and what changed since `since` (the last report's day, or the period's start).

    `since_words` names that day in the summaries ("since the last report", "since 5 Jun 2026").
    """
    now = standings_on(skills, history, end, child.effective_age_in_months(end))
    then = standings_on(skills, history, since, child.effective_age_in_months(since)) if since else {}
    summaries = {domain.pk: AreaSummary(domain=domain) for domain in domains}
    for skill in skills:
        area = summaries.get(skill.domain_id)
        if area is None:
            continue
        standing, latest = now[skill.slug]
        before, latest_before = then.get(skill.slug, (None, None))
        if latest == Recorded.ACHIEVED:
            area.achieved += 1
            if latest_before != Recorded.ACHIEVED:
                area.newly_achieved.append(skill.name)
            if before in status.CONCERNS:
                area.resolved.append(skill.name)
        elif latest == Recorded.EMERGING:
            area.emerging += 1
            if latest_before != Recorded.EMERGING:
                area.newly_emerging.append(skill.name)
        elif latest == Recorded.NOT_YET:
            area.not_yet += 1
        if standing == Standing.OVERDUE:
            area.concerns.append(SkillLine(skill.name, skill.window_in_words))
        elif standing == Standing.NO_LONGER_SEEN:
            area.no_longer_seen.append(SkillLine(skill.name, skill.window_in_words))
        elif standing == Standing.TO_CHECK:
            area.to_check += 1
        elif standing == Standing.EXPECTED_NOW:
            area.expected_now.append(skill.name)
    for area in summaries.values():
        area.summary = summary_sentence(area, since_words)
    return [area for area in summaries.values() if area.recorded or area.to_check or area.expected_now]


def summary_sentence(area: AreaSummary, since_words: str) -> str:
    """A short plain-language summary of one area, written from its numbers (never a diagnosis)."""
    if not area.recorded:
        return f"Nothing is recorded yet in {area.domain.name.lower()}."
    parts = [f"{area.achieved} skill{'s' if area.achieved != 1 else ''} achieved"]
    if area.emerging:
        parts.append(f"{area.emerging} emerging")
    if area.not_yet:
        parts.append(f"{area.not_yet} not yet")
    text = ", ".join(parts) + "."
    if area.newly_achieved:
        text += f" {len(area.newly_achieved)} newly achieved {since_words}."
    if area.no_longer_seen:
        text += f" {len(area.no_longer_seen)} no longer seen: {CONCERN_SENTENCE} soon."
    elif area.concerns:
        text += f" {len(area.concerns)} that most children do by now: {CONCERN_SENTENCE}."
    else:
        text += " Nothing here needs a word with the doctor."
    return text


# --- Goals (pure on fetched goals) -----------------------------------------------------------


def _level_label(level: int | None) -> str:
    if level is None:
        return "not set"
    return dict(Goal._meta.get_field("baseline_level").choices)[level]


def progress_statement(
    goal: Goal, baseline: int | None, at_start: int | None, latest: int | None, reviewed: int
) -> str:
    """The IEP shape: met, progressing or not progressing (or not reviewed in the period).

    "Met" needs a level at the expected outcome (0) or above: a goal the team marked achieved while
    its last level is below 0 says both, rather than a "met" its T-score contradicts.
    """
    if latest is not None and latest >= 0:
        return "met"
    if goal.status == GoalStatus.ACHIEVED:
        return "marked achieved; not scored" if latest is None else f"marked achieved; last level {gas.signed(latest)}"
    if goal.status == GoalStatus.DISCONTINUED:
        return "discontinued"
    if not reviewed or latest is None:
        return "not reviewed in this period"
    reference = at_start if at_start is not None else baseline
    if reference is None or latest > reference:
        return "progressing"
    return "not progressing"


def goal_lines(goals: Iterable[Goal], *, start: date, end: date) -> list[GoalLine]:
    lines = []
    for number, goal in enumerate(goals, start=1):
        reviews = [review for review in goal.reviews.all() if review.reviewed_on <= end]
        before = [review.level for review in reviews if review.reviewed_on < start]
        in_period = [review for review in reviews if review.reviewed_on >= start]
        latest = reviews[-1].level if reviews else goal.baseline_level
        at_start = before[-1] if before else goal.baseline_level
        area = goal.domain.name if goal.domain_id else goal.skill.name
        lines.append(
            GoalLine(
                number=number,
                description=goal.description,
                area=area,
                baseline=_level_label(goal.baseline_level),
                current=_level_label(latest),
                current_level=latest,
                t_score=round(gas.t_score([latest], [goal.weight]), 1) if latest is not None else None,
                progress=progress_statement(goal, goal.baseline_level, at_start, latest, len(in_period)),
                reviews_in_period=len(in_period),
                target_date=goal.target_date,
                review_on=goal.review_on if goal.status == GoalStatus.ACTIVE else None,
            )
        )
    return lines


# --- Charts as SVG -------------------------------------------------------------------------


def svg_chart(chart, svg: bytes) -> Chart:
    """A drawn chart as a data URI the PDF embeds (no file, no fetch), with its text alternative.

    The pages' alternatives end by pointing at the table beside the chart, which a report has not got.
    """
    alt = chart.alt_text().split(" The table")[0]
    return Chart(title=chart.title, alt=alt, data_uri="data:image/svg+xml;base64," + base64.b64encode(svg).decode())


# --- Gathering -----------------------------------------------------------------------------


def _scope_disciplines(scope: str) -> set[str]:
    if scope == ReportScope.JOINT or not scope:
        return {"OT", "PT"}
    return {scope}


def _age_lines(child: Child, on: date) -> dict:
    corrected = child.corrected_age_on(on)
    return {
        "age": child.age_on(on).in_words(),
        "corrected_age": corrected.in_words() if corrected else "",
        "corrected_line": (
            f"Corrected age {corrected.in_words()} (born at {child.gestational_age} weeks: skills are compared "
            "with corrected age, counted from the due date, until 24 months)."
            if corrected
            else ""
        ),
        "correction_ends": ages.correction_ends(child.date_of_birth) if corrected else None,
    }


def notes_for(child: Child, spec: Spec) -> list[Note]:
    """The chosen notes the report may print, oldest first. A family report never prints a care-team-only note.

    The view offers only notes the author may read; this enforces it again, and drops anything else
    (another child's note, a team-only note in a family report), so no form can smuggle one in.
    """
    if not spec.note_ids:
        return []
    notes = Note.objects.for_child(child).filter(pk__in=spec.note_ids, withdrawn_at__isnull=True)
    if spec.kind == ReportKind.FAMILY:
        notes = notes.filter(visibility=Visibility.FAMILY)
    return list(notes.order_by("session_date", "created_at", "id"))


def gather(child: Child, spec: Spec, timings: Timings, *, since: date | None) -> dict:
    """The template context of one report; `timings` gets the time spent on data and on charts."""
    began = time.perf_counter()
    disciplines = _scope_disciplines(spec.scope) if spec.kind == ReportKind.THERAPIST else {"OT", "PT"}
    every_domain = list(Domain.objects.all())
    discipline_of = {domain.pk: domain.discipline for domain in every_domain}
    domains = [domain for domain in every_domain if domain.discipline in disciplines]
    skills = list(Skill.objects.for_child(child).filter(domain__in=domains).select_related("domain"))
    history = chart_data.history(child)
    # A first report has no last report to compare with: it says what changed within its period.
    since_words = "since the last report" if since else f"since {date_format(spec.start, 'j M Y')}"
    areas = area_summaries(
        domains, skills, history, child=child, end=spec.end, since=since or spec.start, since_words=since_words
    )
    goals = [
        goal
        for goal in chart_data.goals_with_reviews(child)
        if discipline_of[goal.domain_id or goal.skill.domain_id] in disciplines
        and timezone.localtime(goal.created_at).date() <= spec.end
    ]
    notes = notes_for(child, spec)
    context = {
        "child": child,
        "spec": spec,
        "since": since,
        "areas": areas,
        "goals": goal_lines(goals, start=spec.start, end=spec.end),
        "notes": notes,
        "observation_count": sum(1 for o in history if spec.start <= o.on <= spec.end),
        **_age_lines(child, spec.end),
    }
    if spec.kind == ReportKind.THERAPIST:
        context["sessions"] = _session_count(child, spec, disciplines)
    context["practice_from"], context["practice"], practice_data = practice(child, spec, goals, disciplines)
    timings.data += time.perf_counter() - began

    began = time.perf_counter()
    context.update(_charts(child, spec, domains, skills, history, goals, areas))
    # The family report keeps to its table: its pages stay few and quick (see `_charts`).
    recent = adherence.last_weeks(practice_data, PRACTICE_CHART_WEEKS)
    if spec.kind == ReportKind.THERAPIST and recent.has_practice_plan:
        context["practice_chart"] = svg_chart(recent, adherence.render(recent, "svg"))
    timings.charts += time.perf_counter() - began
    return context


def practice(child: Child, spec: Spec, goals: Sequence[Goal], disciplines: set[str]) -> tuple:
    """The home programme over the report's weeks: (first Monday, lines, the adherence data) — two queries.

    Whole weeks, Monday to Sunday, from the week the period starts in, as the pages count them; undone
    taps count nowhere. A one-discipline report keeps the activities that discipline set and those for
    its goals.
    """
    first = programme.week_of(spec.start)[0]
    weeks = (programme.week_of(spec.end)[0] - first).days // 7 + 1
    running = list(Activity.objects.for_child(child).running_between(first, spec.end).order_by("start_on", "pk"))
    goal_numbers = {goal.pk: number for number, goal in enumerate(goals, start=1)}
    if disciplines != {"OT", "PT"}:
        running = [item for item in running if item.set_as in disciplines or item.goal_id in goal_numbers]
    chart = programme.adherence_chart(child, on=spec.end, every=running, weeks=weeks)
    goal_of = {item.pk: item.goal_id for item in running}
    lines = [
        PracticeLine(
            name=row.name,
            title=row.label,
            goal_number=goal_numbers.get(goal_of[row.key]),
            times_per_week=row.times_per_week,
            planned=row.planned,
            done=row.done,
            hard=sum(cell.hard for cell in row.cells),
            didnt_manage=sum(cell.didnt_manage for cell in row.cells),
        )
        for row in chart.rows
    ]
    return first, lines, chart


def _session_count(child: Child, spec: Spec, disciplines: set[str]) -> int:
    """Session notes in the period by the report's disciplines (withdrawn ones do not count)."""
    return (
        Note.objects.for_child(child)
        .filter(kind=NoteKind.SESSION, withdrawn_at__isnull=True, session_date__range=(spec.start, spec.end))
        .filter(Q(author_voice__in=disciplines))
        .count()
    )


def _charts(child, spec: Spec, domains, skills, history, goals, areas) -> dict:
    """The four charts: milestone windows and progress per area, goal attainment, and skill histories."""
    shown = {area.domain.pk: area for area in areas}
    windows: dict[int, list] = defaultdict(list)
    for skill in skills:
        windows[skill.domain_id].append(chart_data.skill_window(skill))
    sections = []
    for domain in domains:
        if domain.pk not in shown:
            continue
        inputs = {"skills": windows[domain.pk], "observations": history, "on": spec.end}
        progress_data = chart_data.progress_chart(child, domain, start=spec.start, with_markers=False, **inputs)
        section = {
            "domain": domain,
            "concern": bool(shown[domain.pk].concern_count),
            "progress": svg_chart(progress_data, progress.render(progress_data, "svg")),
        }
        # Milestone windows (a bar per skill, long labels) only in the therapist's report: in the family's
        # the concerns are listed in words with their windows, which keeps it to a few pages and under 3 s
        # (WeasyPrint lays out SVG text letter by letter: bench/reports.py).
        if spec.kind == ReportKind.THERAPIST:
            milestone = chart_data.milestone_chart(child, domain, **inputs)
            section["milestones"] = svg_chart(milestone, milestones.render(milestone, "svg"))
        sections.append(section)
    result: dict = {"chart_sections": sections, "goal_chart": None, "skill_charts": []}
    if goals:
        goal_data = chart_data.goal_chart_for(child, on=spec.end, start=spec.start, goals=goals)
        if goal_data.has_levels:  # no picture that only says there is nothing to draw
            result["goal_chart"] = svg_chart(goal_data, goal_charts.render(goal_data, "svg"))
        result["t_start"] = chart_data.goal_chart_for(child, on=spec.start, goals=goals).current_t
        result["t_end"] = goal_data.current_t
    if spec.kind == ReportKind.THERAPIST:
        goal_skills = list(dict.fromkeys(goal.skill for goal in goals if goal.skill_id))[:MAX_SKILL_CHARTS]
        for skill in goal_skills:
            data = chart_data.skill_history_chart(
                child, skill, on=spec.end, start=spec.start, observations=[o for o in history if o.skill == skill.slug]
            )
            result["skill_charts"].append(svg_chart(data, skill_history.render(data, "svg")))
    return result
