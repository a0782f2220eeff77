"""The home programme: the family's "This week", one-tap practice, and therapists setting activities."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from .. import audit, programme
from ..models import Activity, ActivityTemplate, AuditAction, Child
from ..page_cache import child_version, render_page
from ..permissions import Action, child_for
from ..programme_forms import ActivityForm, PracticeForm


def _activity(child: Child, activity_id: int) -> Activity:
    """One of this child's activities; another child's is 404 as if it did not exist."""
    activity = get_object_or_404(Activity.objects.for_child(child), pk=activity_id)
    # The child in hand carries the member's place on the team: a save needs no query for either.
    activity.child = child
    return activity


def _to_week(child: Child) -> HttpResponse:
    return redirect("tracker:programme", child_id=child.public_id)


@login_required
@require_safe
def this_week(request: HttpRequest, child_id) -> HttpResponse:
    child = child_for(request.user, child_id, action=Action.VIEW)
    audit.record(request.user, AuditAction.VIEWED, child, summary="Viewed the home programme")

    def context() -> dict:
        today = timezone.localdate()
        monday, sunday = programme.week_of(today)
        every = list(programme.activities(child).order_by("-start_on", "-id"))
        return {
            "child": child,
            "weeks": programme.this_week(child, request.user, today, every),
            "monday": monday,
            "sunday": sunday,
            "today": today,
            "form": PracticeForm(),
            "others": [item for item in every if not item.is_running_on(today) and item.start_on <= sunday],
            "coming": [item for item in every if item.start_on > sunday],
            "adherence": programme.adherence_chart(child, on=today, every=every),
        }

    return render_page(request, "tracker/programme.html", context, version=child_version(child))


@login_required
@require_POST
def practise(request: HttpRequest, child_id, activity_id: int) -> HttpResponse:
    """One tap: practised today, with how it went and a comment if given."""
    child = child_for(request.user, child_id, action=Action.LOG_PRACTICE)
    activity = _activity(child, activity_id)
    form = PracticeForm(request.POST)
    if not activity.is_running_on(timezone.localdate()):
        form.add_error(None, "This activity is not planned for today.")
    if form.is_valid():
        programme.log_practice(activity=activity, by=request.user, **form.cleaned_data)
        if request.htmx:
            return _row(request, child, activity, saved=True)
        messages.success(request, f"Saved: {activity.title}, practised today.")
        return _to_week(child)
    if request.htmx:
        # 200, not 400: htmx swaps only successful answers, and the row must show the message.
        return _row(request, child, activity, form=form)
    for error in form.errors.get("__all__", []) + form.errors.get("comment", []):
        messages.error(request, error)
    return _to_week(child)


@login_required
@require_POST
def practice_undo(request: HttpRequest, child_id, activity_id: int) -> HttpResponse:
    """Undo your own latest tap of today: it is marked withdrawn, kept in the history."""
    child = child_for(request.user, child_id, action=Action.LOG_PRACTICE)
    activity = _activity(child, activity_id)
    undone = programme.undo_practice(activity=activity, by=request.user)
    if request.htmx:
        return _row(request, child, activity, undone=undone is not None)
    if undone is None:
        messages.info(request, "You have no practice of this activity logged today to undo.")
    else:
        messages.success(request, f"Undone: {activity.title}. It stays in the history, marked as undone.")
    return _to_week(child)


def _row(
    request: HttpRequest, child: Child, activity: Activity, *, form=None, status: int = 200, **flags
) -> HttpResponse:
    today = timezone.localdate()
    week = programme.one_week(child, activity, request.user, today)
    context = {"child": child, "week": week, "today": today, "form": form or PracticeForm(), **flags}
    return render(request, "tracker/_activity_row.html", context)


@login_required
def activity_create(request: HttpRequest, child_id) -> HttpResponse:
    """A new activity, blank or copied from a template (`?template=`) to adapt."""
    child = child_for(request.user, child_id, action=Action.MANAGE_PROGRAMME)
    template = _template(request)
    initial = {"start_on": timezone.localdate()}
    if template is not None:
        initial.update(
            title=template.title,
            instructions=template.instructions,
            times_per_week=template.times_per_week,
            skills=list(template.skills.all()),
        )
    form = ActivityForm(request.POST or None, child=child, template=template, initial=initial)
    if request.method == "POST" and form.is_valid():
        programme.set_activity(
            activity=form.instance,
            skills=list(form.cleaned_data["skills"]),
            by=request.user,
            keep_as_template=form.cleaned_data.get("keep_as_template", False),
        )
        messages.success(request, f"Added to {child.given_name}'s home programme: {form.instance.title}.")
        return _to_week(child)
    audit.viewed_form(request, child, summary="Opened the home activity form")
    templates = ActivityTemplate.objects.usable_by(request.user).select_related("domain")
    context = {"child": child, "form": form, "template": template, "templates": templates}
    return render(request, "tracker/activity_form.html", context)


def _template(request: HttpRequest) -> ActivityTemplate | None:
    key = request.GET.get("template") or request.POST.get("template")
    if not key or not key.isdigit():
        return None
    return ActivityTemplate.objects.usable_by(request.user).filter(pk=key).first()


@login_required
def activity_edit(request: HttpRequest, child_id, activity_id: int) -> HttpResponse:
    child = child_for(request.user, child_id, action=Action.MANAGE_PROGRAMME)
    activity = _activity(child, activity_id)
    initial = {"version": programme.activity_version(activity)}
    form = ActivityForm(request.POST or None, instance=activity, child=child, initial=initial)
    conflict = None
    if request.method == "POST" and form.is_valid():
        changes = {name: form.cleaned_data[name] for name in programme.ACTIVITY_FIELDS}
        try:
            programme.edit_activity(
                activity_id=activity.pk,
                changes=changes,
                skills=list(form.cleaned_data["skills"]),
                expected_version=form.cleaned_data["version"],
                by=request.user,
            )
        except programme.ActivityConflict as error:
            conflict = error.current
            form.data = form.data.copy()
            form.data["version"] = programme.activity_version(conflict)
        else:
            messages.success(request, "Activity saved.")
            return _to_week(child)
    audit.viewed_form(request, child, activity, summary="Opened a home activity to edit")
    context = {"child": child, "form": form, "activity": activity, "conflict": conflict}
    return render(request, "tracker/activity_form.html", context, status=409 if conflict else 200)


@login_required
@require_POST
def activity_end(request: HttpRequest, child_id, activity_id: int) -> HttpResponse:
    """Stop an activity from today; its practice stays in the history and the charts."""
    child = child_for(request.user, child_id, action=Action.MANAGE_PROGRAMME)
    activity = _activity(child, activity_id)
    programme.end_activity(activity=activity, by=request.user, on=timezone.localdate())
    messages.success(request, f"Ended: {activity.title}. Its practice stays in the history.")
    return _to_week(child)


@login_required
@require_safe
def activity_templates(request: HttpRequest) -> HttpResponse:
    """The library of activities we wrote, by area, and the therapist's own templates."""
    templates = ActivityTemplate.objects.usable_by(request.user).select_related("domain").prefetch_related("skills")
    own = [template for template in templates if template.owner_id == request.user.pk]
    library = [template for template in templates if template.owner_id is None]
    return render(request, "tracker/activity_templates.html", {"own": own, "library": library})
