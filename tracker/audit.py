"""Writing the audit trail: one call per view of or change to a child's record."""

from django.db import models

from .models import AuditAction, AuditEvent, Child


def record(actor, action: AuditAction, child: Child | None, obj: models.Model | None = None, summary: str = "") -> None:
    """Append one audit event. `summary` must not contain the child's name."""
    signed_in = actor is not None and actor.is_authenticated
    AuditEvent.objects.append(
        actor_id=actor.pk if signed_in else None,
        actor_name=actor.email if signed_in else "",
        action=action,
        child_id=child.pk if child is not None else None,
        child_public_id=child.public_id if child is not None else None,
        object_type=(obj._meta.model_name if obj is not None else "child"),
        object_id=str(obj.pk) if obj is not None else (str(child.public_id) if child else ""),
        summary=summary[:200],
    )


def viewed_form(request, child: Child, obj: models.Model | None = None, *, summary: str) -> None:
    """Record the opening of a form page that shows a child's record (a GET); a save records its own event."""
    if request.method in ("GET", "HEAD"):
        record(request.user, AuditAction.VIEWED, child, obj, summary=summary)
