"""The staff admin's accounts: who has a second factor, who is locked out; unlock, deactivate, reactivate.

Registered on `config.staff.staff_site`. Staff change no one's details here (a person keeps their
own name and email on their profile, where the pages that show them are moved too) and delete no one
(deleting an account has its own rules about the children on it: accounts/views.py). The actions are
audit events naming the staff member and the account.
"""

from django.contrib import admin, messages
from django.db.models import Exists, OuterRef
from django_otp.plugins.otp_totp.models import TOTPDevice

from config.staff import AuditedAdmin, staff_site

from . import lockout
from .models import User
from .sessions import end_sessions


@admin.register(User, site=staff_site)
class UserAdmin(AuditedAdmin):
    list_display = [
        "email",
        "name",
        "profession",
        "two_factor",
        "locked_out",
        "is_active",
        "is_staff",
        "last_login",
    ]
    list_filter = ["is_active", "is_staff", "profession"]
    search_fields = ["email", "name"]
    ordering = ["email"]
    fields = list_display + ["is_superuser", "date_joined", "recent_failures"]
    readonly_fields = fields
    actions = ["unlock", "deactivate", "reactivate"]

    def get_queryset(self, request):
        # Both states for the whole page in the list's one query, not two per row.
        confirmed = TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)
        users = super().get_queryset(request).annotate(has_totp=Exists(confirmed))
        return lockout.with_recent_failures(users)

    @admin.display(boolean=True, description="two-factor")
    def two_factor(self, user: User) -> bool:
        """A confirmed authenticator app (recovery codes alone do not count)."""
        return user.has_totp

    @admin.display(boolean=True, description="locked out")
    def locked_out(self, user: User) -> bool:
        return lockout.is_locked_out(user.recent_failures)

    @admin.display(description="failed log-ins in the cool-off")
    def recent_failures(self, user: User) -> int:
        return user.recent_failures

    def has_add_permission(self, request) -> bool:
        return False  # people sign up themselves; staff accounts come from `manage.py createsuperuser`

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def has_manage_permission(self, request) -> bool:
        """Who may run the actions: staff allowed to change accounts (every superuser)."""
        return request.user.has_perm("accounts.change_user")

    @admin.action(description="Unlock: forget their failed log-ins", permissions=["manage"])
    def unlock(self, request, queryset) -> None:
        for user in queryset:
            forgotten = lockout.unlock(user)
            self.log_change(request, user, f"unlocked log-in ({forgotten} failure records forgotten)")
        self.message_user(request, f"Unlocked {len(queryset)} account(s).", messages.SUCCESS)

    @admin.action(description="Deactivate: no log-in, and end their sessions", permissions=["manage"])
    def deactivate(self, request, queryset) -> None:
        done = 0
        for user in queryset:
            if user.pk == request.user.pk:
                self.message_user(request, "You cannot deactivate your own account here.", messages.ERROR)
                continue
            user.is_active = False
            user.save(update_fields=["is_active"])
            ended = end_sessions(user)
            self.log_change(request, user, f"deactivated ({ended} sessions ended)")
            done += 1
        self.message_user(request, f"Deactivated {done} account(s); they are signed out everywhere.", messages.SUCCESS)

    @admin.action(description="Reactivate: allow log-in again", permissions=["manage"])
    def reactivate(self, request, queryset) -> None:
        for user in queryset:
            user.is_active = True
            user.save(update_fields=["is_active"])
            self.log_change(request, user, "reactivated")
        self.message_user(request, f"Reactivated {len(queryset)} account(s).", messages.SUCCESS)
