"""Sign-up, profile and account deletion. Log-in, log-out and passwords use Django's views.

Log-out, a password change and a password reset also end the person's other
sessions (other browsers and devices): see `sessions.end_sessions`.
"""

from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme

from tracker import services
from tracker.models import Child

from .forms import DeleteAccountForm, ProfileForm, SignUpForm
from .sessions import end_sessions


def _safe_next(request: HttpRequest) -> str | None:
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return None


def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("tracker:child_list")
    form = SignUpForm(request.POST or None, initial={"email": request.GET.get("email", "")})
    if request.method == "POST" and form.is_valid():
        user = form.save()
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, "Welcome! Your account is ready.")
        return redirect(_safe_next(request) or "tracker:child_list")
    return render(request, "accounts/signup.html", {"form": form, "next": _safe_next(request)})


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            form.save()
            if "name" in form.changed_data:
                services.touch_children_of(request.user)
        messages.success(request, "Your profile is saved.")
        return redirect("accounts:profile")
    return render(request, "accounts/profile.html", {"form": form})


@login_required
def delete_account(request: HttpRequest) -> HttpResponse:
    """Delete one's own account, unless a child would be left with no guardian or therapist."""
    orphans = list(Child.objects.left_without_team_if(request.user).order_by("given_name"))
    form = DeleteAccountForm(request.POST or None, user=request.user)
    if request.method == "POST" and not orphans and form.is_valid():
        user = request.user
        logout(request)
        end_sessions(user)
        with transaction.atomic():
            services.touch_children_of(user)  # their teams' pages list them until now
            user.delete()
        messages.success(request, "Your account has been deleted.")
        return redirect("accounts:login")
    return render(request, "accounts/delete_account.html", {"form": form, "orphans": orphans})


class LogoutView(auth_views.LogoutView):
    """Log out here and on every other device: a shared computer forgotten elsewhere is closed too."""

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        user = request.user
        response = super().post(request, *args, **kwargs)
        if user.is_authenticated:
            end_sessions(user)
        return response


class PasswordChangeView(auth_views.PasswordChangeView):
    """Change the password; this session stays signed in, every other one ends."""

    def form_valid(self, form) -> HttpResponse:
        response = super().form_valid(form)  # keeps this session valid (update_session_auth_hash)
        end_sessions(form.user, keep=self.request.session.session_key)
        return response


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Set a new password from a reset link; every session of the account ends."""

    def form_valid(self, form) -> HttpResponse:
        response = super().form_valid(form)
        end_sessions(form.user)
        if self.request.user.pk == form.user.pk:
            # The browser was signed in as this person: its session row is gone, start afresh.
            logout(self.request)
        return response
