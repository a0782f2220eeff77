"""A family's data export: everything about one child, as JSON or as a zip of CSV files, streamed as it is read."""

from collections.abc import Callable, Iterator

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, StreamingHttpResponse
from django.utils import timezone
from django.views.decorators.http import require_safe

from .. import audit, export
from ..models import AuditAction, Child
from ..permissions import Action, child_for


def _download(
    request: HttpRequest, child: Child, what: str, write: Callable[..., Iterator[bytes]], content_type: str, ext: str
) -> StreamingHttpResponse:
    # Recorded (and committed) before the first byte leaves: an export that happened is always in the log.
    audit.record(request.user, AuditAction.EXPORTED, child, summary=f"Exported all the child's data ({what})")
    response = StreamingHttpResponse(write(child, exported_by=request.user), content_type=content_type)
    name = export.filename(child, timezone.localdate(), ext)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    # Health data: never kept by a proxy or in a shared computer's browser cache.
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_safe
def export_json(request: HttpRequest, child_id) -> StreamingHttpResponse:
    child = child_for(request.user, child_id, action=Action.EXPORT)
    return _download(request, child, "JSON", export.stream_json, "application/json", "json")


@login_required
@require_safe
def export_zip(request: HttpRequest, child_id) -> StreamingHttpResponse:
    child = child_for(request.user, child_id, action=Action.EXPORT)
    return _download(request, child, "CSV files in a zip", export.stream_zip, "application/zip", "zip")
