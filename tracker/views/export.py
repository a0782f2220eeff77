"""A family's data export: everything about one child, as JSON or as a zip of CSV files."""

from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_safe

from .. import audit, export
from ..models import AuditAction, Child
from ..permissions import Action, child_for


def _gather(request: HttpRequest, child: Child, what: str) -> dict:
    """Record the export and gather the data, together: an export that happened is always in the log."""
    with transaction.atomic():
        audit.record(request.user, AuditAction.EXPORTED, child, summary=f"Exported all the child's data ({what})")
        return export.gather(child, exported_by=request.user)


def _download(content: bytes, content_type: str, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    # Health data: never kept by a proxy or in a shared computer's browser cache.
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_safe
def export_json(request: HttpRequest, child_id) -> HttpResponse:
    child = child_for(request.user, child_id, action=Action.EXPORT)
    document = _gather(request, child, "JSON")
    name = export.filename(child, timezone.localdate(), "json")
    return _download(export.to_json(document), "application/json", name)


@login_required
@require_safe
def export_zip(request: HttpRequest, child_id) -> HttpResponse:
    child = child_for(request.user, child_id, action=Action.EXPORT)
    document = _gather(request, child, "CSV files in a zip")
    name = export.filename(child, timezone.localdate(), "zip")
    return _download(export.to_zip(document), "application/zip", name)
