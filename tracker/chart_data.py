"""A child's records as plain data for `tracker.charts`: the one place the ORM meets the charts.

The chart views and the pages that show a chart's numbers as a table call
these, so the picture and the table come from the same data. Each function
makes a fixed number of queries, whatever the size of the history.
"""

from collections.abc import Iterable, Sequence
from datetime import date

from django.db.models import Q
from django.utils import timezone

from .charts import goals as goal_chart
from .charts import milestones, progress, skill_history
from .charts.base import ChildAges, Observed, SkillWindow
from .models import Child, Domain, Goal, Note, Observation, Skill


def child_ages(child: Child) -> ChildAges:
    return ChildAges(born=child.date_of_birth, gestational_days=child.gestational_days)


def skill_window(skill: Skill) -> SkillWindow:
    norm = skill.norm
    return SkillWindow(
        key=skill.slug,
        name=skill.name,
        start=norm.start,
        end=norm.end,
        median=norm.median,
        kind=norm.kind,
        optional=norm.optional,
        sequence=norm.sequence,
        order=norm.order,
    )


def history(child: Child, *, domain: Domain | None = None, skill: Skill | None = None) -> list[Observed]:
    """The child's observations in force, oldest first (one query)."""
    observations = Observation.objects.for_child(child).in_force()
    if domain is not None:
        observations = observations.filter(skill__domain=domain)
    if skill is not None:
        observations = observations.filter(skill=skill)
    rows = observations.order_by("observed_on", "recorded_at", "id").values_list(
        "skill__slug", "observed_on", "status", "assistance", "before_joining"
    )
    return [
        Observed(skill=slug, on=day, status=status, assistance=help, estimated=estimated)
        for slug, day, status, help, estimated in rows
    ]


def observed(observations: Iterable[Observation], *, key: str) -> list[Observed]:
    """One skill's observations already fetched (newest first, withdrawn too), as `history` gives them.

    That is: in force, oldest first, under the skill's `key` (its slug); no query.
    """
    return [
        Observed(skill=key, on=o.observed_on, status=o.status, assistance=o.assistance, estimated=o.before_joining)
        for o in reversed(list(observations))
        if not o.is_withdrawn
    ]


def domain_skills(child: Child, domain: Domain) -> list[SkillWindow]:
    """The catalogue's and the child's own skills of one domain, in catalogue order (one query)."""
    return [skill_window(skill) for skill in Skill.objects.for_child(child).filter(domain=domain)]


def milestone_chart(
    child: Child,
    domain: Domain,
    *,
    on: date,
    show_all: bool = False,
    skills: Sequence[SkillWindow] | None = None,
    observations: Sequence[Observed] | None = None,
) -> milestones.MilestoneChart:
    return milestones.data(
        child=child_ages(child),
        on=on,
        domain=domain.name,
        colour=domain.colour,
        domain_slug=domain.slug,
        show_all=show_all,
        skills=skills if skills is not None else domain_skills(child, domain),
        observations=observations if observations is not None else history(child, domain=domain),
    )


def progress_chart(
    child: Child,
    domain: Domain,
    *,
    on: date,
    start: date | None = None,
    skills: Sequence[SkillWindow] | None = None,
    observations: Sequence[Observed] | None = None,
    with_markers: bool = True,
) -> progress.ProgressChart:
    """The progress step line; `with_markers` adds the dates goals were set and notes written (two queries).

    Only notes shared with the family are marked, so the chart is the same
    for everyone on the team and never hints at a note a parent cannot read.
    """
    goal_dates: Iterable[date] = ()
    note_dates: Iterable[date] = ()
    if with_markers:
        goal_dates = [
            timezone.localtime(created).date()
            for created in Goal.objects.for_child(child)
            .filter(Q(domain=domain) | Q(skill__domain=domain))
            .values_list("created_at", flat=True)
        ]
        note_dates = (
            Note.objects.for_child(child)
            .shared_with_family()
            .filter(withdrawn_at__isnull=True, skills__domain=domain)
            .values_list("session_date", flat=True)
            .distinct()
        )
    return progress.data(
        child=child_ages(child),
        on=on,
        domain=domain.name,
        colour=domain.colour,
        skills=skills if skills is not None else domain_skills(child, domain),
        observations=observations if observations is not None else history(child, domain=domain),
        goal_dates=goal_dates,
        note_dates=list(note_dates),
        start=start,
    )


def skill_history_chart(
    child: Child,
    skill: Skill,
    *,
    on: date,
    start: date | None = None,
    observations: Sequence[Observed] | None = None,
) -> skill_history.SkillHistoryChart:
    return skill_history.data(
        child=child_ages(child),
        on=on,
        skill=skill_window(skill),
        observations=observations if observations is not None else history(child, skill=skill),
        start=start,
    )


def goals_with_reviews(child: Child):
    """The child's goals, oldest first (numbered G1, G2… in that order), with their reviews (two queries)."""
    return (
        Goal.objects.for_child(child)
        .order_by("created_at", "id")
        .select_related("domain", "skill")
        .prefetch_related("reviews")
    )


def goal_inputs(goals: Iterable[Goal]) -> list[goal_chart.GoalInput]:
    """Goals from `goals_with_reviews` as the chart's plain inputs."""
    return [
        goal_chart.GoalInput(
            key=goal.pk,
            label=goal.description,
            set_on=timezone.localtime(goal.created_at).date(),
            weight=goal.weight,
            baseline=goal.baseline_level,
            reviews=tuple((review.reviewed_on, review.level) for review in goal.reviews.all()),
        )
        for goal in goals
    ]


def goal_chart_for(
    child: Child, *, on: date, start: date | None = None, goals: Iterable[Goal] | None = None
) -> goal_chart.GoalChart:
    goals = goals if goals is not None else goals_with_reviews(child)
    return goal_chart.data(goal_inputs(goals), on=on, start=start)


def overview_charts(child: Child, domains: Sequence[Domain], skills: Iterable[Skill], *, on: date) -> list[dict]:
    """Milestone and progress data of each domain the child has observations in (one query).

    `skills` are the child's skills the page already fetched.
    """
    observations = history(child)
    observed = {observation.skill for observation in observations}
    windows: dict[int, list[SkillWindow]] = {domain.pk: [] for domain in domains}
    observed_domains = set()
    for skill in skills:
        windows.setdefault(skill.domain_id, []).append(skill_window(skill))
        if skill.slug in observed:
            observed_domains.add(skill.domain_id)
    charts = []
    for domain in domains:
        if domain.pk not in observed_domains:
            continue
        inputs = {"skills": windows[domain.pk], "observations": observations, "on": on}
        charts.append(
            {
                "domain": domain,
                "progress": progress_chart(child, domain, with_markers=False, **inputs),
                "milestones": milestone_chart(child, domain, **inputs),
            }
        )
    return charts
