"""The progress review: every chart of one child over a chosen period, with the numbers, ready to print.

Open to everyone on the child's team (Action.VIEW), though it is built for
therapists' reviews: it composes charts, observations and goals that every
member may already see, so restricting it would hide a print layout, not
data. Parents can take it to a doctor's appointment.
"""

from datetime import date
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_safe

from .. import ages, audit, chart_data
from ..models import AuditAction, Child, Domain, Skill
from ..permissions import Action, child_for
from ..progress_forms import PeriodForm

DEFAULT_MONTHS = 6
MAX_SKILL_CHARTS = 12


def _src(name: str, args: list, fmt: str, query: dict) -> str:
    query = {key: value.isoformat() for key, value in query.items() if value is not None}
    return reverse(f"tracker:{name}", args=[*args, fmt]) + (f"?{urlencode(query)}" if query else "")


def _sources(name: str, args: list, query: dict) -> dict:
    """A chart's addresses: the SVG shown on the page, the PNG to download, and (milestones) every skill."""
    svg = _src(name, args, "svg", query)
    return {"src": svg, "png": _src(name, args, "png", query), "all_src": svg + ("&" if "?" in svg else "?") + "all=1"}


def _default_period(child: Child, today: date) -> tuple[date, date]:
    return max(child.date_of_birth, ages.add_months(today, -DEFAULT_MONTHS)), today


@login_required
@require_safe
def progress_review(request: HttpRequest, child_id) -> HttpResponse:
    child = child_for(request.user, child_id, action=Action.VIEW)
    today = timezone.localdate()
    default_start, default_end = _default_period(child, today)
    asked = "from" in request.GET or "to" in request.GET
    form = PeriodForm(request.GET if asked else None, child=child, initial={"from": default_start, "to": default_end})
    context = {"child": child, "form": form}
    if asked and not form.is_valid():
        return render(request, "tracker/progress_review.html", context, status=400)
    start, end = form.period if asked else (default_start, default_end)
    audit.record(request.user, AuditAction.VIEWED, child, summary="Viewed the progress review")
    context.update(_review(child, start, end))
    return render(request, "tracker/progress_review.html", context)


def _review(child: Child, start: date | None, end: date) -> dict:
    """Every section of the review; a fixed number of queries whatever the history's length."""
    domains = list(Domain.objects.all())
    skills = list(Skill.objects.for_child(child).select_related("domain"))
    observations = chart_data.history(child)
    in_period = [o for o in observations if (start is None or o.on >= start) and o.on <= end]
    windows: dict[int, list] = {domain.pk: [] for domain in domains}
    for skill in skills:
        windows[skill.domain_id].append(chart_data.skill_window(skill))
    observed = {o.skill for o in observations if o.on <= end}
    sections = []
    for domain in domains:
        if not any(window.key in observed for window in windows[domain.pk]):
            continue
        inputs = {"skills": windows[domain.pk], "observations": observations, "on": end}
        milestone = chart_data.milestone_chart(child, domain, **inputs)
        progress = chart_data.progress_chart(child, domain, start=start, with_markers=False, **inputs)
        sections.append(
            {
                "domain": domain,
                "milestones": milestone,
                "milestones_src": _sources("chart_milestones", [child.public_id, domain.slug], {"to": end}),
                "progress": progress,
                "progress_src": _sources("chart_progress", [child.public_id, domain.slug], {"from": start, "to": end}),
            }
        )

    # Skills observed in the period, the most recently observed first.
    by_slug = {skill.slug: skill for skill in skills}
    recent = list(dict.fromkeys(o.skill for o in reversed(in_period)))
    skill_charts = [
        {
            "skill": by_slug[slug],
            "chart": chart_data.skill_history_chart(
                child, by_slug[slug], on=end, start=start, observations=[o for o in observations if o.skill == slug]
            ),
            **_sources("chart_skill", [child.public_id, slug], {"from": start, "to": end}),
        }
        for slug in recent[:MAX_SKILL_CHARTS]
    ]
    goals = list(chart_data.goals_with_reviews(child))
    return {
        "start": start or child.date_of_birth,
        "end": end,
        "observation_count": len(in_period),
        "sections": sections,
        "skill_charts": skill_charts,
        "more_skills": [by_slug[slug] for slug in recent[MAX_SKILL_CHARTS:]],
        "goals": goals,
        "goal_chart": chart_data.goal_chart_for(child, on=end, start=start, goals=goals),
        "goal_src": _sources("chart_goals", [child.public_id], {"from": start, "to": end}),
    }
