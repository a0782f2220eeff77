"""Log-in lock-out: what a successful log-in clears, and what it must leave alone.

django-axes counts failures per typed email and per client address
(`AXES_LOCKOUT_PARAMETERS`). Its own reset on success deletes every attempt
that matches the username *or* the address, so an attacker who guessed 4
times at a victim and then logged into their own account from the same
address wiped those 4 failures, and could guess for ever (issue 15, finding 1).

Here a success deletes only the failures recorded against the account that
signed in: the attempts against other accounts from the same address keep
counting towards both that account's and the address's lock.
"""

from axes.models import AccessAttempt


def clear_own_failures(sender, request, user, **kwargs) -> None:
    """`user_logged_in` receiver: forget failed attempts at this account only."""
    AccessAttempt.objects.filter(username__iexact=user.email).delete()
