"""Two-factor authentication: a code from an authenticator app (TOTP), or a one-time recovery code.

Library: django-otp (TOTP devices, static recovery-code devices, per-device throttling, and a TOTP
device refuses a code from a time step it has already accepted, so a code seen over a shoulder cannot
be replayed). Any person may turn it on from their profile. With REQUIRE_2FA_FOR_THERAPISTS (on in
production settings) a therapist must set it up before any page but these few: a therapist by
profession from the first page after log-in (`TwoFactorMiddleware`), and anyone who holds a
therapist's place on a child's team at that child's URLs (`tracker.permissions.child_for`). A staff
account (`is_staff`, the staff admin at /staff/) must always have it, whatever the setting: it can
unlock and deactivate every account.

Once a person has a confirmed device, every session must pass the second step before anything but
these pages: log-in puts a mark in the session (`PENDING`, set from one query at log-in, so a page
costs nothing for people without two-factor), and `TwoFactorMiddleware` sends the session to the
verify page until a code is accepted.

Losing the device: a recovery code (ten, each usable once, shown when two-factor is set up and when
they are renewed) signs in instead, and the person can then set up the new phone. With neither, the
clinic's administrator runs `manage.py reset_two_factor EMAIL` after checking who is asking
(docs/security.md, "Two-factor authentication").
"""

import base64
import io
from collections.abc import Callable

import django_otp
import qrcode
import qrcode.image.svg
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_safe
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex

from config import ratelimit

from .forms import CurrentPasswordMixin

SETUP_KEY = "_two_factor_setup_key"  # in the session: the key of the device being set up
PENDING = "_two_factor_pending"  # in the session: this person has a device and has not passed the second step
RECOVERY_CODES = 10
# Pages a session that has not passed (or not set up) the second step may still open.
OPEN_URL_NAMES = {
    "accounts:logout",
    "accounts:login",
    "accounts:two_factor_verify",
    "accounts:two_factor_setup",
    "accounts:verify_email",
    "accounts:email_undo",
    "accounts:password_reset",
    "accounts:password_reset_done",
    "accounts:password_reset_confirm",
    "accounts:password_reset_complete",
}


# --- Who must do what ------------------------------------------------------------------


def has_device(user) -> bool:
    return django_otp.user_has_device(user, confirmed=True)


def required_for(user) -> bool:
    """Whether this person must sign in with a second step: staff always, therapists when the setting says."""
    return user.is_staff or (settings.REQUIRE_2FA_FOR_THERAPISTS and user.is_therapist)


def must_set_up(user) -> bool:
    """Someone who must use two-factor (`required_for`) and has no confirmed device yet."""
    return required_for(user) and not has_device(user)


def passed(request: HttpRequest) -> bool:
    """Whether this session has passed the second step (or needs none)."""
    return not request.session.get(PENDING) or request.user.is_verified()


def on_user_logged_in(sender, request, user, **kwargs) -> None:
    """`user_logged_in` receiver: a person with a device must pass the second step in this session."""
    if request is not None and hasattr(request, "session"):
        request.session[PENDING] = has_device(user)


class TwoFactorMiddleware:
    """Send a signed-in session that owes a second step to it; a therapist or staff without a device to set one up.

    After AuthenticationMiddleware, django-otp's OTPMiddleware and the session timeout.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated:
            if not passed(request):
                owed = "accounts:two_factor_verify"
            elif required_for(user) and not user.is_verified():
                # A session from before the device was set up elsewhere owes the second step too.
                owed = "accounts:two_factor_verify" if has_device(user) else "accounts:two_factor_setup"
            else:
                owed = None
            if owed is not None and not self._open(request):
                return _send_to(request, owed)
        return self.get_response(request)

    @staticmethod
    def _open(request: HttpRequest) -> bool:
        match = request.resolver_match or _resolve(request.path_info)
        return match is not None and match.view_name in OPEN_URL_NAMES or request.path.startswith(settings.STATIC_URL)


def _resolve(path: str):
    from django.urls import Resolver404, resolve

    try:
        return resolve(path)
    except Resolver404:
        return None


def _send_to(request: HttpRequest, url_name: str) -> HttpResponse:
    url = resolve_url(url_name)
    if request.headers.get("HX-Request") == "true":
        response = HttpResponse("A second step of log-in is needed.", status=401, content_type="text/plain")
        response["HX-Redirect"] = url
        return response
    back = request.get_full_path() if request.method in ("GET", "HEAD") else request.headers.get("Referer", "")
    return redirect_to_login(back, url) if back else redirect(url)


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return resolve_url(settings.LOGIN_REDIRECT_URL)


# --- Forms ---------------------------------------------------------------------------------


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Code",
        max_length=16,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
        help_text="The 6-digit code your authenticator app shows now, or one of your recovery codes.",
    )

    def clean_code(self) -> str:
        return "".join(self.cleaned_data["code"].split()).lower()


class PasswordForm(CurrentPasswordMixin, forms.Form):
    password = CurrentPasswordMixin.password_field

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user


class PasswordAndCodeForm(PasswordForm):
    code = CodeForm.base_fields["code"]

    def clean_code(self) -> str:
        return CodeForm.clean_code(self)


# --- Devices ---------------------------------------------------------------------------------


def verify(user, code: str):
    """The device of `user` that accepts `code` (and then never accepts it again), or None.

    A 6-digit code is tried on the app only, anything else on the recovery codes only: a mistyped code
    then counts (django-otp's throttling) against the kind of device it was meant for.
    """
    kind = TOTPDevice if code.isdigit() and len(code) == 6 else StaticDevice
    for device in django_otp.devices_for_user(user, confirmed=True):
        if not isinstance(device, kind):
            continue
        accepted = django_otp.verify_token(user, device.persistent_id, code)
        if accepted is not None:
            return accepted
    return None


def qr_data_uri(text: str) -> str:
    """A QR code of `text`, drawn here as SVG (no network, no script): an <img> source."""
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    buffer = io.BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


def new_recovery_codes(user) -> list[str]:
    """Replace the person's recovery codes with RECOVERY_CODES new ones; the codes, to show once."""
    device, _ = StaticDevice.objects.get_or_create(user=user, name="Recovery codes", defaults={"confirmed": True})
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


def _pending_totp(request: HttpRequest) -> TOTPDevice:
    """The device being set up: its key waits in the session (a GET writes nothing else), stored once confirmed.

    A wrong code is counted against the device (django-otp's throttling), which stores it unconfirmed.
    """
    key = request.session.get(SETUP_KEY)
    if key is None:
        key = request.session[SETUP_KEY] = random_hex(20)
    device = TOTPDevice.objects.filter(user=request.user, confirmed=False, key=key).first()
    return device or TOTPDevice(user=request.user, name="Authenticator app", key=key, confirmed=False)


def _limited(request: HttpRequest) -> int | None:
    return ratelimit.hit("two_factor", person=str(request.user.pk), address=ratelimit.client_address(request))


# --- Views -------------------------------------------------------------------------------------


@login_required
def setup(request: HttpRequest) -> HttpResponse:
    """Set up an authenticator app: scan the code (or type the key), then type a code it shows.

    Replacing the phone of someone who has two-factor on also asks for the current password: a session
    alone must not be able to move the second factor to another phone.
    """
    device = _pending_totp(request)
    replacing = has_device(request.user)
    form = PasswordAndCodeForm(request.POST or None, user=request.user) if replacing else CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        retry = _limited(request)
        if retry is not None:
            form.add_error("code", ratelimit.message(retry))
            return ratelimit.limited(_setup_page(request, device, form), retry)
        allowed, _ = device.verify_is_allowed()
        if not allowed:
            # django-otp makes each wrong code wait longer before the next is checked (1 s, 2 s, 4 s, …).
            form.add_error("code", "Too many wrong codes in a row: wait a few seconds, then type the code shown now.")
        elif device.verify_token(form.cleaned_data["code"]):
            with transaction.atomic():
                device.confirmed = True
                device.save()
                TOTPDevice.objects.filter(user=request.user).exclude(pk=device.pk).delete()  # an old phone
                codes = new_recovery_codes(request.user)
            del request.session[SETUP_KEY]
            django_otp.login(request, device)
            request.session[PENDING] = False
            return render(request, "accounts/two_factor_codes.html", {"codes": codes, "first_time": True})
        else:
            form.add_error(
                "code", "That code is not right. Type the 6 digits the app shows now (they change every 30 seconds)."
            )
    return _setup_page(request, device, form)


def _setup_page(request: HttpRequest, device: TOTPDevice, form: forms.Form) -> HttpResponse:
    key = base64.b32encode(device.bin_key).decode().rstrip("=")
    context = {
        "form": form,
        "qr": qr_data_uri(device.config_url),
        "key": " ".join(key[i : i + 4] for i in range(0, len(key), 4)),
        "required": must_set_up(request.user),
        "replacing": has_device(request.user),
    }
    return render(request, "accounts/two_factor_setup.html", context)


@login_required
def verify_view(request: HttpRequest) -> HttpResponse:
    """The second step of log-in: a code from the app, or a recovery code."""
    if passed(request) and request.method == "GET":
        return redirect(_next(request))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        retry = _limited(request)
        if retry is not None:
            form.add_error("code", ratelimit.message(retry))
            return ratelimit.limited(render(request, "accounts/two_factor_verify.html", {"form": form}), retry)
        device = verify(request.user, form.cleaned_data["code"])
        if device is not None:
            django_otp.login(request, device)
            request.session[PENDING] = False
            if isinstance(device, StaticDevice):
                left = device.token_set.count()
                messages.warning(
                    request,
                    f"You signed in with a recovery code; {left} left. If you lost your phone, set up the new one "
                    "on your profile page (Two-factor authentication).",
                )
            return redirect(_next(request))
        form.add_error("code", "That code is not right, or it was already used. Type the code the app shows now.")
    return render(request, "accounts/two_factor_verify.html", {"form": form})


@login_required
@require_safe
def manage(request: HttpRequest) -> HttpResponse:
    """Two-factor on one's profile: whether it is on, new recovery codes, turning it off."""
    context = {
        "enabled": has_device(request.user),
        "codes_left": StaticToken.objects.filter(device__user=request.user).count(),
        "renew_form": PasswordForm(user=request.user),
        "disable_form": PasswordAndCodeForm(user=request.user),
        "required": required_for(request.user),
    }
    return render(request, "accounts/two_factor.html", context)


@login_required
def renew_codes(request: HttpRequest) -> HttpResponse:
    """New recovery codes (the old ones stop working): the current password first."""
    if not has_device(request.user):
        return redirect("accounts:two_factor_setup")
    form = PasswordForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        codes = new_recovery_codes(request.user)
        return render(request, "accounts/two_factor_codes.html", {"codes": codes, "first_time": False})
    return render(request, "accounts/two_factor_renew.html", {"form": form})


@login_required
def disable(request: HttpRequest) -> HttpResponse:
    """Turn two-factor off: the current password and a current code, so neither a session nor a password alone can."""
    form = PasswordAndCodeForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        if verify(request.user, form.cleaned_data["code"]) is None:
            form.add_error("code", "That code is not right, or it was already used.")
        else:
            with transaction.atomic():
                for device in django_otp.devices_for_user(request.user, confirmed=None):
                    device.delete()
            request.session[PENDING] = False
            messages.success(request, "Two-factor authentication is off.")
            return redirect("accounts:two_factor")
    return render(request, "accounts/two_factor_disable.html", {"form": form})
