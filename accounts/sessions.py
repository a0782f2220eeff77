"""Ending a person's sessions on every device.

Sessions live in the database (`SESSION_ENGINE = ...sessions.backends.db`), so
the sessions of one account can be found by decoding each stored session and
reading its `_auth_user_id`. Django keeps no index from user to session; the
scan reads every stored session once, which is fine at the sizes this app runs
at (one row per signed-in browser; `manage.py clearsessions` removes expired
ones).
"""

from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session


def end_sessions(user, *, keep: str | None = None) -> int:
    """Delete every stored session signed in as `user`, except the one whose key is `keep`.

    Returns how many were deleted. Expired sessions are deleted too: they still
    name the user, and nothing should outlive an account or a password.
    """
    user_id = str(user.pk)
    doomed = [
        session.session_key
        for session in Session.objects.exclude(session_key=keep or "").iterator()
        if str(session.get_decoded().get(SESSION_KEY)) == user_id
    ]
    if not doomed:
        return 0
    deleted, _ = Session.objects.filter(session_key__in=doomed).delete()
    return deleted
