"""Care-team notes: list, write, read, edit (with conflict detection) and withdraw."""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from .. import audit, services
from ..forms import NoteForm
from ..models import AuditAction, Child, Note, Skill
from ..permissions import Action, child_for, may_edit_note, note_kinds_for, readable_notes, readable_revisions

PAGE_SIZE = 20
SEARCHED_FIELDS = ("body", "subjective", "objective", "assessment", "plan")


def _note(child: Child, note_id: int) -> Note:
    """A note the member may read; a team-only note is 404 to a parent, as if it did not exist."""
    notes = readable_notes(child, Note.objects.select_related("withdrawn_by").prefetch_related("skills", "goals"))
    return get_object_or_404(notes, pk=note_id)


@login_required
@require_safe
def note_list(request: HttpRequest, child_id) -> HttpResponse:
    child = child_for(request.user, child_id, action=Action.VIEW)
    notes = readable_notes(child, Note.objects.prefetch_related("skills", "goals"))
    # A NUL byte cannot be in stored text, and PostgreSQL refuses it in a query: drop it.
    query = request.GET.get("q", "").replace("\x00", "").strip()[:200]
    if query:
        match = Q()
        for field in SEARCHED_FIELDS:
            match |= Q(**{f"{field}__icontains": query})
        notes = notes.filter(match)
    page = Paginator(notes, PAGE_SIZE).get_page(request.GET.get("page"))
    audit.record(request.user, AuditAction.VIEWED, child, summary="Viewed the notes")
    context = {"child": child, "page": page, "query": query, "can_write": bool(note_kinds_for(child))}
    return render(request, "tracker/note_list.html", context)


@login_required
def note_create(request: HttpRequest, child_id) -> HttpResponse:
    child = child_for(request.user, child_id, action=Action.VIEW)
    kinds = note_kinds_for(child)
    if not kinds:
        raise PermissionDenied("Your role on this team cannot write notes.")
    if request.method == "POST":
        form = NoteForm(request.POST, child=child, kinds=kinds)
    else:
        initial = {
            "submission_id": uuid.uuid4(),
            "session_date": timezone.localdate(),
            "kind": kinds[0] if len(kinds) == 1 else "session",
            "visibility": "team" if len(kinds) > 1 else "family",
            # "Write a note about this skill" links pass ?skill=<slug>.
            "skills": list(
                Skill.objects.for_child(child)
                .filter(slug__in=[slug for slug in request.GET.getlist("skill") if "\x00" not in slug])
                .values_list("pk", flat=True)
            ),
        }
        form = NoteForm(child=child, kinds=kinds, initial=initial)
    if request.method == "POST" and form.is_valid():
        form.instance.child = child
        form.instance.submission_id = form.cleaned_data["submission_id"]
        note, created = services.add_note(
            note=form.instance, by=request.user, skills=form.cleaned_data["skills"], goals=form.cleaned_data["goals"]
        )
        if created:
            messages.success(request, "Note saved.")
        return redirect("tracker:note_detail", child_id=child.public_id, note_id=note.pk)
    audit.viewed_form(request, child, summary="Opened the note form")
    return render(request, "tracker/note_form.html", {"child": child, "form": form})


@login_required
@require_safe
def note_detail(request: HttpRequest, child_id, note_id: int) -> HttpResponse:
    child = child_for(request.user, child_id, action=Action.VIEW)
    note = _note(child, note_id)
    audit.record(request.user, AuditAction.VIEWED, child, note, summary="Read a note")
    context = {
        "child": child,
        "note": note,
        "revisions": readable_revisions(child, note),
        "can_edit": may_edit_note(child, note) and not note.is_withdrawn,
    }
    return render(request, "tracker/note_detail.html", context)


@login_required
def note_edit(request: HttpRequest, child_id, note_id: int) -> HttpResponse:
    """Edit one's own note. A save from an out-of-date version is refused, showing both texts."""
    child = child_for(request.user, child_id, action=Action.VIEW)
    note = _note(child, note_id)
    if not may_edit_note(child, note) or note.is_withdrawn:
        raise PermissionDenied("Only the author can edit this note, and not once it is withdrawn.")
    kinds = note_kinds_for(child)
    form = NoteForm(request.POST or None, instance=note, child=child, kinds=kinds, initial={"version": note.version})
    conflict = None
    if request.method == "POST" and form.is_valid():
        # A parent's form has no SOAP sections: what an older note holds in them is kept as it is.
        changes = {name: form.cleaned_data.get(name, getattr(note, name)) for name in services.NOTE_TEXT_FIELDS}
        try:
            services.edit_note(
                note_id=note.pk,
                changes=changes,
                skills=form.cleaned_data["skills"],
                goals=form.cleaned_data["goals"],
                expected_version=form.cleaned_data["version"] or 0,
                by=request.user,
            )
        except services.NoteConflict as error:
            conflict = error.current
            # The next save is made knowingly over the newer version shown beside the form.
            form.data = form.data.copy()
            form.data["version"] = conflict.version
        else:
            messages.success(request, "Note saved. The previous version is kept in its history.")
            return redirect("tracker:note_detail", child_id=child.public_id, note_id=note.pk)
    context = {"child": child, "form": form, "note": note, "conflict": conflict}
    audit.viewed_form(request, child, note, summary="Opened a note to edit")
    return render(request, "tracker/note_form.html", context, status=409 if conflict else 200)


@login_required
@require_POST
def note_withdraw(request: HttpRequest, child_id, note_id: int) -> HttpResponse:
    child = child_for(request.user, child_id, action=Action.VIEW)
    note = _note(child, note_id)
    if not may_edit_note(child, note):
        raise PermissionDenied("Only the author can withdraw this note.")
    try:
        services.withdraw_note(note=note, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Note withdrawn. It stays in the history, marked as withdrawn.")
    return redirect("tracker:note_detail", child_id=child.public_id, note_id=note.pk)
