"""Log-in lock-out: what a successful log-in clears, what it must leave alone, and what staff can see and undo.

django-axes counts failures per typed email and per client address
(`AXES_LOCKOUT_PARAMETERS`). Its own reset on success deletes every attempt
that matches the username *or* the address, so an attacker who guessed 4
times at a victim and then logged into their own account from the same
address wiped those 4 failures, and could guess for ever (issue 15, finding 1).

Here a success deletes only the failures recorded against the account that
signed in: the attempts against other accounts from the same address keep
counting towards both that account's and the address's lock. A staff member's
"unlock" (the staff admin, config/staff.py) deletes the same rows.
"""

from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import F, Func, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone


def failures_against(email: str) -> QuerySet:
    """The recorded failed log-ins typed with this email (any case, any address)."""
    return AccessAttempt.objects.filter(username__iexact=email)


def clear_own_failures(sender, request, user, **kwargs) -> None:
    """`user_logged_in` receiver: forget failed attempts at this account only."""
    unlock(user)


def unlock(user) -> int:
    """Forget the failed log-ins typed with `user`'s email, so they may try again now; returns how many rows went.

    A lock on the client address (failures there against several accounts) is left: it is not this account's.
    """
    deleted, _ = failures_against(user.email).delete()
    return deleted


def with_recent_failures(users: QuerySet) -> QuerySet:
    """Annotate each account with `recent_failures`: failures typed with its email in the cool-off (a subquery)."""
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    total = (
        AccessAttempt.objects.filter(username__iexact=OuterRef("email"), attempt_time__gte=since)
        .annotate(total=Func(F("failures_since_start"), function="SUM"))
        .values("total")
    )
    return users.annotate(recent_failures=Coalesce(Subquery(total, output_field=IntegerField()), 0))


def is_locked_out(recent_failures: int) -> bool:
    """Whether that many recent failures lock the account (django-axes' limit)."""
    return recent_failures >= settings.AXES_FAILURE_LIMIT
