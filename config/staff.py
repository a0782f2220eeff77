"""The staff admin at /staff/: Django's admin, for the people who run the service, never for children's records.

Who: accounts with `is_staff` (made with `manage.py createsuperuser`), signed in through the app's own
log-in page — so django-axes' lock-out applies — and past the second step: `TwoFactorMiddleware`
sends a staff account without a confirmed device to set one up, and one with a device to the second
step, before any page (accounts/two_factor.py, `required_for`). `has_permission` checks the verified
session again, so no admin page opens on a password alone.

What: the skill catalogue (tracker/admin.py), accounts (accounts/admin.py) and the audit trail, read
only. Staff are on no child's care team, so no child's record is registered here: no child, custom
skill, observation, note, goal, membership or home activity (tests/security/test_staff_admin.py walks
every admin URL with a child's ids). Every change made here is an audit event naming the staff member
and the object (`AuditedAdmin`).

A site of its own rather than `django.contrib.admin.site`: `SimpleAdminConfig` runs no autodiscovery,
so what installed apps register on the default site (django-axes' attempts, django-otp's devices,
the task queue's results, which carry arguments) is never served.
"""

from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.urls import path, reverse

from tracker import audit
from tracker.models import AuditAction


class StaffSite(admin.AdminSite):
    site_header = "Skills tracker: staff"
    site_title = "Skills tracker staff"
    index_title = "The catalogue, accounts and the audit trail"
    site_url = "/"

    def has_permission(self, request: HttpRequest) -> bool:
        """An active staff account whose session has passed the second step of log-in."""
        user = request.user
        return user.is_active and user.is_staff and user.is_verified()

    def get_urls(self):
        # "View on site" would turn any object's id into its page's address (a child's among them): the
        # name stays, for the admin's templates, and answers 404.
        return [
            path("r/<path:content_type_id>/<path:object_id>/", self.admin_view(_not_here), name="view_on_site")
            if getattr(url, "name", None) == "view_on_site"
            else url
            for url in super().get_urls()
        ]

    def login(self, request: HttpRequest, extra_context=None) -> HttpResponse:
        """Log-in is the app's own page (lock-out, then the second step); a signed-in non-staff account gets 403."""
        if self.has_permission(request):
            return redirect("staff:index")
        if request.user.is_authenticated:
            # Sending them to log in again would loop: the log-in page sends a signed-in person back.
            return render(request, "accounts/staff_only.html", status=403)
        return redirect_to_login(
            request.GET.get("next") or reverse("staff:index"), resolve_url("accounts:login"), "next"
        )

    def password_change(self, request: HttpRequest, extra_context=None) -> HttpResponse:
        """The app's own password change (its rules, and it ends the account's other sessions)."""
        return redirect("accounts:password_change")


def _not_here(request: HttpRequest, **kwargs) -> HttpResponse:
    raise Http404


staff_site = StaffSite(name="staff")
staff_site.disable_action("delete_selected")


def described(obj) -> str:
    """How an audit summary names an object: a catalogue entry by its slug, anything else (an account) by its id.

    Not by a person's name or email: the audit trail outlives a deleted account (docs/security.md, "Erasure").
    """
    return f"{obj._meta.verbose_name} {getattr(obj, 'slug', None) or obj.pk}"


def changed_fields(message) -> str:
    """The field names in an admin change message (a list of {"changed": {"fields": …}}), or the message itself."""
    if isinstance(message, str):
        return message
    fields = [name for part in message for name in part.get("changed", {}).get("fields", [])]
    return ", ".join(fields) or "nothing"


class AuditedAdmin(admin.ModelAdmin):
    """A ModelAdmin whose every addition, change and deletion is an audit event (tracker/audit.py).

    Through the admin's own logging hooks, which run for the add and change forms, deletions and the
    actions that call `log_change`. They write the audit event instead of Django's admin history
    (`LogEntry`), which would keep a second record, holding each object's name, outside the
    retention and erasure rules of the audit trail.
    """

    view_on_site = False

    def log_addition(self, request, obj, message):
        audit.record(request.user, AuditAction.CREATED, None, obj, summary=f"Staff admin: added {described(obj)}")

    def log_change(self, request, obj, message):
        summary = f"Staff admin: changed {described(obj)} ({changed_fields(message)})"
        audit.record(request.user, AuditAction.CHANGED, None, obj, summary=summary)

    def log_deletions(self, request, queryset):
        for obj in queryset:
            audit.record(request.user, AuditAction.DELETED, None, obj, summary=f"Staff admin: deleted {described(obj)}")
