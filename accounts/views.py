"""Sign-up, profile, email addresses and account deletion. Log-in, log-out and passwords use Django's views.

Log-out, a password change and a password reset also end the person's other
sessions (other browsers and devices): see `sessions.end_sessions`. Email
addresses are confirmed by a mailed link (`accounts/email.py`); two-factor
authentication is in `accounts/two_factor.py`, kept forms in `accounts/kept.py`.
"""

import secrets

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.hashers import make_password
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.http import require_POST

from config import ratelimit
from tracker import services
from tracker.models import Child

from . import email as addresses
from . import kept
from .forms import DeleteAccountForm, EmailChangeForm, ProfileForm, SignUpForm, VerifiedPasswordResetForm
from .models import User
from .sessions import end_sessions


def _safe_next(request: HttpRequest) -> str | None:
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return None


def signup(request: HttpRequest) -> HttpResponse:
    """Create an account, unverified until the link mailed to its address is followed.

    The answer is the same page whether the address is new or already has an account (whose owner is
    mailed instead), so sign-up does not tell anyone who has an account here.
    """
    if request.user.is_authenticated:
        return redirect("tracker:child_list")
    form = SignUpForm(request.POST or None, initial={"email": request.GET.get("email", "")})
    next_path = _safe_next(request) or ""
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        retry = ratelimit.hit("signup", person=email, address=ratelimit.client_address(request))
        if retry is not None:
            form.add_error(None, ratelimit.message(retry))
            response = render(request, "accounts/signup.html", {"form": form, "next": next_path})
            return ratelimit.limited(response, retry)
        _sign_up(request, form, next_path)
        return render(request, "accounts/signup_sent.html", {"email": email})
    return render(request, "accounts/signup.html", {"form": form, "next": next_path})


def _sign_up(request: HttpRequest, form: SignUpForm, next_path: str) -> None:
    email = form.cleaned_data["email"]
    if User.objects.filter(email__iexact=email).exists():
        make_password(form.cleaned_data["password1"])  # the same work as a new account: no timing tell
        addresses.send_already_registered(request, email)
        return
    try:
        with transaction.atomic():
            user = form.save()
            addresses.send_verification(request, user, email, next_path=next_path)
    except IntegrityError:  # signed up twice at once: the first one won
        addresses.send_already_registered(request, email)


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


def _limited(request: HttpRequest, scope: str, person) -> int | None:
    return ratelimit.hit(scope, person=str(person), address=ratelimit.client_address(request))


@login_required
def email_change(request: HttpRequest) -> HttpResponse:
    """Ask for a new address: the current password, then a link to the new address; the old one is told."""
    form = EmailChangeForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        retry = _limited(request, "email_change", request.user.pk)
        if retry is not None:
            form.add_error(None, ratelimit.message(retry))
            return ratelimit.limited(render(request, "accounts/email_change.html", {"form": form}), retry)
        new = form.cleaned_data["new_email"]
        with transaction.atomic():
            if User.objects.filter(email__iexact=new).exists():
                addresses.send_already_registered(request, new)
            else:
                addresses.send_verification(request, request.user, new)
        messages.success(request, f"We sent a link to {new}. Your address changes when you open it (within 2 days).")
        return redirect("accounts:profile")
    return render(request, "accounts/email_change.html", {"form": form})


@login_required
@require_POST
def verify_resend(request: HttpRequest) -> HttpResponse:
    """Send the confirmation link for one's own address again."""
    if request.user.email_verified:
        messages.info(request, "Your email address is already confirmed.")
        return redirect("accounts:profile")
    retry = _limited(request, "verify_email", request.user.pk)
    if retry is not None:
        messages.error(request, ratelimit.message(retry))
        return ratelimit.limited(
            render(request, "accounts/profile.html", {"form": ProfileForm(instance=request.user)}), retry
        )
    with transaction.atomic():
        addresses.send_verification(request, request.user, request.user.email, next_path=_safe_next(request) or "")
    messages.success(request, f"We sent a new link to {request.user.email}.")
    return redirect(_safe_next(request) or "accounts:profile")


def verify_email(request: HttpRequest, token: str) -> HttpResponse:
    """A link from a confirmation email: a page with a button (POST), so a mail scanner cannot use it up."""
    try:
        user, values = addresses.read_token(token, "verify", addresses.VERIFY_FOR)
    except addresses.BadLink as error:
        return render(request, "accounts/link_problem.html", {"problem": str(error)}, status=410)
    email = values["e"]
    if request.method != "POST":
        return render(request, "accounts/verify_email.html", {"email": email})
    old = user.email
    with transaction.atomic():
        if email.casefold() != old.casefold():
            if User.objects.filter(email__iexact=email).exclude(pk=user.pk).exists():
                problem = f"{email} is now used by another account, so this account keeps {old}."
                return render(request, "accounts/link_problem.html", {"problem": problem}, status=409)
            user.email = email
            addresses.send_change_notice(request, user, old=old, new=email)
        user.email_verified = True
        user.save(update_fields=["email", "email_verified"])
    messages.success(request, f"Thank you: {email} is confirmed.")
    if request.user.is_authenticated and request.user.pk == user.pk:
        return redirect(values.get("n") or "accounts:profile")
    login_url = reverse("accounts:login")
    return redirect(f"{login_url}?{urlencode({'next': values['n']})}" if values.get("n") else login_url)


def email_undo(request: HttpRequest, token: str) -> HttpResponse:
    """From the old address: put it back, sign the account out everywhere, and make a new password necessary."""
    try:
        user, values = addresses.read_token(token, "undo", addresses.UNDO_FOR)
    except addresses.BadLink as error:
        return render(request, "accounts/link_problem.html", {"problem": str(error)}, status=410)
    if request.method != "POST":
        return render(request, "accounts/email_undo.html", {"old": values["old"], "new": values["new"]})
    with transaction.atomic():
        if User.objects.filter(email__iexact=values["old"]).exclude(pk=user.pk).exists():
            problem = f"{values['old']} now belongs to another account; ask the clinic's administrator for help."
            return render(request, "accounts/link_problem.html", {"problem": problem}, status=409)
        user.email = values["old"]
        user.email_verified = True
        # Whoever changed the address knew the password: replace it with one nobody knows (a usable one,
        # so that Django's reset form sends the link below).
        user.set_password(secrets.token_urlsafe(32))
        user.save(update_fields=["email", "email_verified", "password"])
        end_sessions(user)
    if request.user.is_authenticated and request.user.pk == user.pk:
        logout(request)
    form = VerifiedPasswordResetForm({"email": user.email})
    if form.is_valid():
        form.save(
            request=request,
            use_https=request.is_secure(),
            email_template_name="accounts/email/password_reset.txt",
            subject_template_name="accounts/email/password_reset_subject.txt",
        )
    return render(request, "accounts/email_undone.html", {"email": user.email})


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


class LoginView(auth_views.LoginView):
    """Django's log-in; someone whose session expired with a form on its way gets their text back first."""

    def get_success_url(self) -> str:
        target = super().get_success_url()
        if kept.waiting(self.request.user).exists():
            return f"{reverse('accounts:kept_forms')}?{urlencode({'next': target})}"
        return target


class PasswordResetView(auth_views.PasswordResetView):
    """Django's reset request, sent only to a confirmed address, and rate-limited per address typed and per client."""

    form_class = VerifiedPasswordResetForm

    def form_valid(self, form) -> HttpResponse:
        retry = ratelimit.hit(
            "password_reset", person=form.cleaned_data["email"], address=ratelimit.client_address(self.request)
        )
        if retry is not None:
            form.add_error(None, ratelimit.message(retry))
            return ratelimit.limited(self.form_invalid(form), retry)
        return super().form_valid(form)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Set a new password from a reset link; every session of the account ends."""

    def form_valid(self, form) -> HttpResponse:
        response = super().form_valid(form)
        end_sessions(form.user)
        if self.request.user.pk == form.user.pk:
            # The browser was signed in as this person: its session row is gone, start afresh.
            logout(self.request)
        return response
