"""Chart images (PNG and SVG) under a child, with the same access rule as the child's pages.

An unchanged chart is never drawn twice. Its ETag and its cache key are both
derived from what the picture depends on: the chart kind and parameters, the
child's `data_version` (bumped by every write to their records), the birth
facts (a profile edit moves every age) and today's date (ages move daily).
A matching If-None-Match gets a 304 before anything is fetched or drawn;
otherwise the bytes come from the worker's memory or the shared cache
(config.cache.DrawnCache), and are rendered and stored only on a miss. The
domain or skill is looked up only on a miss (an unknown slug then gives a
404): a hit costs the permission check and one cache read.
`Cache-Control: private, no-cache` lets the browser keep the image but makes
it ask every time, and keeps shared caches out: it is a
child's health data.

Audit: no event is written per image. Chart images are part of viewing the
page that embeds them (overview, goals, progress review), which records the
view once; an event per image would bury that in a dozen copies.
"""

import gc
import hashlib
from collections.abc import Callable
from datetime import date

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.cache import get_conditional_response
from django.views.decorators.http import require_safe

from config.cache import drawn

from .. import chart_data, programme
from ..charts import adherence, goals, milestones, progress, skill_history
from ..charts.base import FORMATS
from ..models import Child, Domain, Goal, Skill
from ..page_cache import generation
from ..permissions import Action, child_for
from ..progress_forms import PeriodForm

# Bump when a chart's drawing changes, so browsers and the cache do not keep the old picture.
CHART_VERSION = 3  # 2: status model (overdue only past WHO/CDC ends; to check; no longer seen), no invented falls;
# 3: phone-first, 400 px wide, names above the milestone bars (issue 14)
CACHE_SECONDS = 24 * 60 * 60  # the key holds today's date, so an entry is useless after a day anyway
CACHE_CONTROL = "private, no-cache"
# matplotlib's SVG styles its shapes with style attributes and a <style> element, which the site's
# policy (style-src 'self') blocks when the SVG is opened on its own. The SVG gets its own, narrower
# policy: inline styles, and nothing else at all (no scripts, no loads, not framed).
SVG_CSP = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"


def chart_key(child: Child, kind: str, params: tuple, fmt: str, today: date) -> str:
    """The ETag and cache key of one chart: every input that changes the picture."""
    parts = (
        CHART_VERSION,
        generation(),  # moves on a deployment and on `manage.py restore` (tracker/page_cache.py)
        kind,
        fmt,
        child.public_id,
        child.data_version,
        child.date_of_birth,
        child.gestational_days,
        today.isoformat(),
        *params,
    )
    return hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()[:40]


def _chart_response(
    request: HttpRequest,
    child: Child,
    *,
    kind: str,
    params: tuple,
    fmt: str,
    draw: Callable[[date], bytes],
) -> HttpResponse:
    today = timezone.localdate()
    key = chart_key(child, kind, params, fmt, today)
    etag = f'"{key}"'
    response = get_conditional_response(request, etag=etag)
    if response is None:
        body = drawn.get(f"chart:{key}", CACHE_SECONDS)
        if body is None:
            body = draw(today)
            drawn.set(f"chart:{key}", body, CACHE_SECONDS)
            # A drawn Figure is a web of reference cycles (figure, canvas, axes, artists) holding its
            # pixel buffer, freed only by a full collection: a worker kept every chart drawn since the
            # last one (8.6 MB each at 800×2,000 px; workers peaked at 151–168 MB in the benchmark).
            # Collecting now costs about 6 ms, next to a 40–500 ms drawing.
            gc.collect()
        response = HttpResponse(body, content_type=FORMATS[fmt])
    response["ETag"] = etag
    response["Cache-Control"] = CACHE_CONTROL
    if fmt == "svg":
        response["Content-Security-Policy"] = SVG_CSP  # django-csp leaves a header already set alone
    return response


def _format(fmt: str) -> str:
    if fmt not in FORMATS:
        raise Http404("Charts come as .png or .svg.")
    return fmt


def _period(request: HttpRequest, child: Child) -> tuple[date | None, date | None] | None:
    """(from, to) from the query string, None for absent ends; None if the dates are not valid."""
    if "from" not in request.GET and "to" not in request.GET:
        return (None, None)
    form = PeriodForm(request.GET, child=child)
    if not form.is_valid():
        return None
    return form.cleaned_data.get("from"), form.cleaned_data.get("to")


def _bad_period() -> HttpResponse:
    return HttpResponseBadRequest("The period is not valid: give from and to as dates between birth and today.")


@login_required
@require_safe
def milestones_chart(request: HttpRequest, child_id, domain_slug: str, fmt: str) -> HttpResponse:
    """Milestone windows of one domain; `?all=1` for every skill; `?to=` for the state on that day."""
    child = child_for(request.user, child_id, action=Action.VIEW)
    fmt = _format(fmt)
    period = _period(request, child)
    if period is None:
        return _bad_period()
    show_all = request.GET.get("all") == "1"

    def draw(today: date) -> bytes:
        domain = get_object_or_404(Domain, slug=domain_slug)
        chart = chart_data.milestone_chart(child, domain, on=period[1] or today, show_all=show_all)
        return milestones.render(chart, fmt)

    params = (domain_slug, show_all, period[1])
    return _chart_response(request, child, kind="milestones", params=params, fmt=fmt, draw=draw)


@login_required
@require_safe
def progress_chart(request: HttpRequest, child_id, domain_slug: str, fmt: str) -> HttpResponse:
    """Share of expected skills achieved over the child's life, or over `?from=&to=`."""
    child = child_for(request.user, child_id, action=Action.VIEW)
    fmt = _format(fmt)
    period = _period(request, child)
    if period is None:
        return _bad_period()

    def draw(today: date) -> bytes:
        domain = get_object_or_404(Domain, slug=domain_slug)
        chart = chart_data.progress_chart(child, domain, on=period[1] or today, start=period[0])
        return progress.render(chart, fmt)

    return _chart_response(request, child, kind="progress", params=(domain_slug, *period), fmt=fmt, draw=draw)


@login_required
@require_safe
def skill_chart(request: HttpRequest, child_id, skill_slug: str, fmt: str) -> HttpResponse:
    """One skill's status and level of assistance over time."""
    child = child_for(request.user, child_id, action=Action.VIEW)
    fmt = _format(fmt)
    period = _period(request, child)
    if period is None:
        return _bad_period()

    def draw(today: date) -> bytes:
        skill = get_object_or_404(Skill.objects.for_child(child), slug=skill_slug)
        chart = chart_data.skill_history_chart(child, skill, on=period[1] or today, start=period[0])
        return skill_history.render(chart, fmt)

    return _chart_response(request, child, kind="skill", params=(skill_slug, *period), fmt=fmt, draw=draw)


@login_required
@require_safe
def goals_chart(request: HttpRequest, child_id, fmt: str) -> HttpResponse:
    """Every goal's GAS level at each review, and the overall T-score over time."""
    child = child_for(request.user, child_id, action=Action.VIEW)
    fmt = _format(fmt)
    period = _period(request, child)
    if period is None:
        return _bad_period()

    def draw(today: date) -> bytes:
        return goals.render(chart_data.goal_chart_for(child, on=period[1] or today, start=period[0]), fmt)

    return _chart_response(request, child, kind="goals", params=period, fmt=fmt, draw=draw)


@login_required
@require_safe
def adherence_chart(request: HttpRequest, child_id, fmt: str) -> HttpResponse:
    """Home practice logged against plan per activity and week; `?goal=` for the activities serving one goal."""
    child = child_for(request.user, child_id, action=Action.VIEW)
    fmt = _format(fmt)
    goal_id = request.GET.get("goal", "")
    if goal_id and not goal_id.isdigit():
        return HttpResponseBadRequest("goal must be a goal's number.")

    def draw(today: date) -> bytes:
        goal = get_object_or_404(Goal.objects.for_child(child), pk=goal_id) if goal_id else None
        return adherence.render(programme.adherence_chart(child, on=today, goal=goal), fmt)

    return _chart_response(request, child, kind="adherence", params=(goal_id,), fmt=fmt, draw=draw)
