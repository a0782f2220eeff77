"""The team timeline, what changed since one's last visit, and a child's audit log."""

from datetime import timedelta

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from .. import audit
from ..forms import NativeDateInput
from ..models import AuditAction, AuditEvent, Child, Note, Observation
from ..page_cache import child_version, page_number, render_page
from ..permissions import Action, child_for, readable_notes, readable_notes_across_children
from ..timeline import KIND_CHOICES, VOICE_CHOICES, TimelineFilter, timeline_page

CHANGES_SHOWN = 30
FIRST_VISIT_WINDOW = timedelta(days=14)


class TimelineFilterForm(forms.Form):
    voice = forms.ChoiceField(label="Who", required=False, choices=[("", "Everyone"), *VOICE_CHOICES])
    kind = forms.ChoiceField(label="What", required=False, choices=[("", "Everything"), *KIND_CHOICES])
    date_from = forms.DateField(label="From", required=False, widget=NativeDateInput())
    date_to = forms.DateField(label="To", required=False, widget=NativeDateInput())

    def clean(self) -> dict:
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", "The end date is before the start date.")
        return data


@login_required
@require_safe
def timeline(request: HttpRequest, child_id) -> HttpResponse:
    child = child_for(request.user, child_id, action=Action.VIEW)
    audit.record(request.user, AuditAction.VIEWED, child, summary="Viewed the team timeline")

    number = page_number(request)
    # Only the filter's own fields, as typed (a wrong date is shown back with its error), and the page.
    reads = {name: request.GET.get(name, "")[:40] for name in TimelineFilterForm.base_fields}
    reads["page"] = number if number > 1 else ""

    def context() -> dict:
        form = TimelineFilterForm(request.GET or None)
        wanted = TimelineFilter(**form.cleaned_data) if form.is_valid() else TimelineFilter()
        notes = readable_notes(child, Note.objects.all())
        page, entries = timeline_page(child, notes, wanted, number)
        query = request.GET.copy()
        query.pop("page", None)
        return {"child": child, "form": form, "page": page, "entries": entries, "query": query.urlencode()}

    return render_page(request, "tracker/timeline.html", context, version=child_version(child), reads=reads)


@login_required
@require_safe
def audit_log(request: HttpRequest, child_id) -> HttpResponse:
    """Who viewed or changed what in this child's record, newest first. Read only."""
    child = child_for(request.user, child_id, action=Action.VIEW_AUDIT)
    # Recorded first: the page (counted, then fetched, lazily) must not shift under the new event.
    audit.record(request.user, AuditAction.VIEWED, child, summary="Viewed the audit log")
    events = AuditEvent.objects.filter(child=child).order_by("-at", "-id")
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    return render(request, "tracker/audit_log.html", {"child": child, "page": page})


@login_required
@require_safe
def changes(request: HttpRequest) -> HttpResponse:
    """New notes and observations by others on one's children since one last marked them seen."""
    since = request.user.changes_seen_at or timezone.now() - FIRST_VISIT_WINDOW
    children = Child.objects.visible_to(request.user).active()
    notes = (
        readable_notes_across_children(request.user)
        .filter(child__in=children, created_at__gt=since)
        .exclude(author=request.user)
        .select_related("child")
        .order_by("-created_at")
    )
    observations = (
        Observation.objects.filter(child__in=children, recorded_at__gt=since)
        .exclude(recorded_by=request.user)
        .select_related("child", "skill")
        .order_by("-recorded_at")
    )
    # Not "since": a skill no longer seen stays here until a therapist has reviewed it.
    no_longer_seen = (
        Observation.objects.filter(child__in=children)
        .no_longer_seen(unreviewed=True)
        .select_related("child", "skill")
        .order_by("-observed_on", "child__given_name")
    )
    context = {
        "since": since,
        "first_visit": request.user.changes_seen_at is None,
        "notes": notes[:CHANGES_SHOWN],
        "observations": observations[:CHANGES_SHOWN],
        "no_longer_seen": no_longer_seen[:CHANGES_SHOWN],
    }
    return render(request, "tracker/changes.html", context)


@login_required
@require_POST
def changes_seen(request: HttpRequest) -> HttpResponse:
    request.user.changes_seen_at = timezone.now()
    request.user.save(update_fields=["changes_seen_at"])
    return redirect("tracker:changes")
