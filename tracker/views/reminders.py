"""Each person's reminder settings, and the unsubscribe link that works without logging in."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from ..models import Channel, ReminderKind, ReminderSettings
from ..programme_forms import ReminderSettingsForm
from ..reminders import read_unsubscribe_token


@login_required
def reminder_settings(request: HttpRequest) -> HttpResponse:
    """Per kind of reminder: off or email; and quiet hours."""
    # Not created on a GET: opening the page changes nothing (an unsaved row holds the defaults, all off).
    current = ReminderSettings.objects.filter(user=request.user).first() or ReminderSettings(user=request.user)
    form = ReminderSettingsForm(request.POST or None, instance=current)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Reminder settings saved.")
        return redirect("tracker:reminder_settings")
    return render(request, "tracker/reminder_settings.html", {"form": form})


def unsubscribe(request: HttpRequest, signed: str) -> HttpResponse:
    """The link in every reminder: one button turns that kind off for that person, no log-in needed.

    A GET only shows the button: mail scanners open links, and must not unsubscribe anyone. The token names
    one person and one kind, signed with the site's key: it can change nothing else.
    """
    try:
        user_id, kind = read_unsubscribe_token(signed)
    except signing.BadSignature:
        return render(request, "tracker/unsubscribe.html", {"invalid": True}, status=404)
    person = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if person is None:
        return render(request, "tracker/unsubscribe.html", {"invalid": True}, status=404)
    done = False
    if request.method == "POST":
        ReminderSettings.objects.update_or_create(user=person, defaults={kind: Channel.OFF})
        done = True
    context = {"kind": ReminderKind(kind), "done": done, "email": _masked(person.email)}
    return render(request, "tracker/unsubscribe.html", context)


def _masked(email: str) -> str:
    """Enough of the address to recognise it, not enough to learn it from a forwarded link: 'sa…@example.org'."""
    local, _, domain = email.partition("@")
    return f"{local[:2]}…@{domain}"
