"""Nothing typed is lost when a session expires: a form posted into it is kept and offered back after log-in.

A therapist writing a SOAP note for more than 30 minutes used to lose it: the idle timeout logged the
session out and the POST was thrown away (issue 15, finding 8). Now `keep` stores the posted fields
(not passwords, codes or the CSRF token) against the account, log-in leads to the page that lists them,
and each comes back as a form that posts to where it was going, with a fresh CSRF token; the view then
handles it as if it had arrived in time (its own checks, conflicts and duplicate-submission guard
included). A kept form is deleted when the re-posted form succeeds (the view redirects) or when the
person throws it away, with the child it was about (services.delete_child), and after KEPT_FOR in any case.

Why server-side and not the browser's storage: docs/security.md, "Sessions".
"""

from datetime import timedelta

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import Resolver404, resolve
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST, require_safe

from .models import KeptForm

KEPT_FOR = timedelta(days=7)
KEPT_FIELD = "_kept_form"  # posted back with a kept form: which one to delete once it is saved
NOT_KEPT = ("csrfmiddlewaretoken", KEPT_FIELD)
SECRET_NAMES = ("password", "code", "token")


def keep(request: HttpRequest, user) -> KeptForm | None:
    """Store the fields of `request` (a POST into an expired session of `user`), if any has text."""
    try:
        resolve(request.path_info)
    except Resolver404:
        return None
    fields = [
        [name, value]
        for name, values in request.POST.lists()
        if name not in NOT_KEPT and not any(secret in name.lower() for secret in SECRET_NAMES)
        for value in values
    ]
    if not any(value.strip() for _, value in fields):
        return None
    forget_old()
    return KeptForm.objects.create(user=user, path=request.path[:500], fields=fields)


def waiting(user):
    """The person's kept forms still offered back, newest first."""
    return KeptForm.objects.filter(user=user, kept_at__gte=timezone.now() - KEPT_FOR)


def forget_old() -> int:
    """Delete kept forms past KEPT_FOR (daily by the scheduler, and whenever a form is kept or the page opened)."""
    deleted, _ = KeptForm.objects.filter(kept_at__lt=timezone.now() - KEPT_FOR).delete()
    return deleted


class KeptFormMiddleware:
    """Delete a kept form once it has been posted again and the view accepted it (answered with a redirect)."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        kept_id = request.POST.get(KEPT_FIELD, "") if request.method == "POST" else ""
        if kept_id.isdigit() and response.status_code in (301, 302, 303) and request.user.is_authenticated:
            KeptForm.objects.filter(pk=int(kept_id), user=request.user).delete()
        return response


def _shown(kept: KeptForm) -> dict:
    return {
        "kept": kept,
        "fields": [
            {"name": name, "value": value, "long": "\n" in value or len(value) > 80} for name, value in kept.fields
        ],
    }


@login_required
@require_safe
def kept_forms(request: HttpRequest) -> HttpResponse:
    """What the person had typed when their session expired, each ready to send again."""
    forget_old()
    forms = [_shown(kept) for kept in waiting(request.user)]
    next_path = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(next_path, {request.get_host()}, request.is_secure()):
        next_path = ""
    if not forms:
        return redirect(next_path or "tracker:child_list")
    return render(request, "accounts/kept_forms.html", {"forms": forms, "next": next_path})


@login_required
@require_POST
def discard(request: HttpRequest, kept_id: int) -> HttpResponse:
    get_object_or_404(KeptForm, pk=kept_id, user=request.user).delete()
    return redirect("accounts:kept_forms")


@login_required
@require_POST
def keepalive(request: HttpRequest) -> HttpResponse:
    """A long form's page says the person is still there (the session timeout middleware notes the time)."""
    return HttpResponse(status=204)
