"""Therapy goals with Goal Attainment Scaling: everyone on the team reads them, therapists set and review them."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.views.decorators.http import require_safe

from .. import audit, chart_data, gas, programme, services
from ..models import AuditAction, Child, Goal
from ..permissions import Action, child_for
from ..progress_forms import LEVEL_FIELDS, GoalForm, GoalReviewForm


def _goal(child: Child, goal_id: int) -> Goal:
    """One of this child's goals; another child's goal is 404 as if it did not exist."""
    return get_object_or_404(Goal.objects.for_child(child).select_related("domain", "skill"), pk=goal_id)


def _to_detail(child: Child, goal: Goal) -> str:
    return redirect("tracker:goal_detail", child_id=child.public_id, goal_id=goal.pk)


@login_required
@require_safe
def goal_list(request: HttpRequest, child_id) -> HttpResponse:
    child = child_for(request.user, child_id, action=Action.VIEW)
    goals = list(chart_data.goals_with_reviews(child))
    chart = chart_data.goal_chart_for(child, on=timezone.localdate(), goals=goals)
    lines = {line.key: line for line in chart.lines}
    audit.record(request.user, AuditAction.VIEWED, child, summary="Viewed the goals")
    context = {
        "child": child,
        "rows": [(goal, lines[goal.pk]) for goal in goals],
        "chart": chart,
        "can_manage": Action.MANAGE_GOALS in child.allowed,
    }
    return render(request, "tracker/goal_list.html", context)


@login_required
@require_safe
def goal_detail(request: HttpRequest, child_id, goal_id: int) -> HttpResponse:
    child = child_for(request.user, child_id, action=Action.VIEW)
    goals = list(chart_data.goals_with_reviews(child))
    goal = next((goal for goal in goals if goal.pk == goal_id), None)
    if goal is None:
        goal = _goal(child, goal_id)  # raises 404: not this child's goal
    chart = chart_data.goal_chart_for(child, on=timezone.localdate(), goals=goals)
    audit.record(request.user, AuditAction.VIEWED, child, goal, summary="Viewed a goal")
    context = {
        "child": child,
        "goal": goal,
        "line": next(line for line in chart.lines if line.key == goal.pk),
        "levels": [(level, gas.signed(level), getattr(goal, field)) for level, field in LEVEL_FIELDS.items()],
        "reviews": goal.reviews.all(),
        "chart": chart,
        "adherence": programme.adherence_chart(child, on=timezone.localdate(), goal=goal),
        "adherence_query": f"?goal={goal.pk}",
        "can_manage": Action.MANAGE_GOALS in child.allowed,
    }
    return render(request, "tracker/goal_detail.html", context)


@login_required
def goal_create(request: HttpRequest, child_id) -> HttpResponse:
    child = child_for(request.user, child_id, action=Action.MANAGE_GOALS)
    form = GoalForm(request.POST or None, child=child)
    if request.method == "POST" and form.is_valid():
        goal = services.set_goal(goal=form.instance, by=request.user)
        messages.success(request, "Goal set. Record a review whenever you check on it.")
        return _to_detail(child, goal)
    audit.viewed_form(request, child, summary="Opened the goal form")
    return render(request, "tracker/goal_form.html", {"child": child, "form": form})


@login_required
def goal_edit(request: HttpRequest, child_id, goal_id: int) -> HttpResponse:
    """Edit a goal. A save over someone else's newer edit is refused, showing what they saved."""
    child = child_for(request.user, child_id, action=Action.MANAGE_GOALS)
    goal = _goal(child, goal_id)
    form = GoalForm(request.POST or None, instance=goal, child=child, initial={"version": services.goal_version(goal)})
    conflict = None
    if request.method == "POST" and form.is_valid():
        changes = {name: form.cleaned_data[name] for name in services.GOAL_FIELDS}
        try:
            services.edit_goal(
                goal_id=goal.pk,
                changes=changes,
                expected_version=form.cleaned_data["version"],
                by=request.user,
            )
        except services.GoalConflict as error:
            conflict = error.current
            # Saving again is a knowing choice to replace the newer version shown beside the form.
            form.data = form.data.copy()
            form.data["version"] = services.goal_version(conflict)
        else:
            messages.success(request, "Goal saved.")
            return _to_detail(child, goal)
    context = {"child": child, "form": form, "goal": goal, "conflict": conflict}
    audit.viewed_form(request, child, goal, summary="Opened a goal to edit")
    return render(request, "tracker/goal_form.html", context, status=409 if conflict else 200)


@login_required
def goal_review(request: HttpRequest, child_id, goal_id: int) -> HttpResponse:
    """Record the GAS level the goal reached on a date, with a comment, and when it is next reviewed."""
    child = child_for(request.user, child_id, action=Action.MANAGE_GOALS)
    goal = _goal(child, goal_id)
    form = GoalReviewForm(request.POST or None, goal=goal)
    if request.method == "POST" and form.is_valid():
        next_review = form.cleaned_data["next_review"]
        review = services.review_goal(review=form.instance, by=request.user, next_review=next_review)
        when = date_format(review.reviewed_on, "j M Y")
        after = date_format(goal.review_due, "j M Y")
        messages.success(request, f"Review saved: level {gas.signed(review.level)} on {when}. Next review {after}.")
        return _to_detail(child, goal)
    audit.viewed_form(request, child, goal, summary="Opened the goal review form")
    return render(request, "tracker/goal_review_form.html", {"child": child, "goal": goal, "form": form})
