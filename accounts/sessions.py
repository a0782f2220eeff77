"""Sessions in the database, and ending a person's sessions on every device.

`SESSION_ENGINE = "accounts.sessions"`: Django's database sessions, except
that an existing session is saved with one UPDATE in autocommit (`SessionStore`).

The sessions of one account can be found by decoding each stored session and
reading its `_auth_user_id`. Django keeps no index from user to session; the
scan reads every stored session once, which is fine at the sizes this app runs
at (one row per signed-in browser; `manage.py clearsessions` removes expired
ones).
"""

from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends import db
from django.contrib.sessions.backends.base import UpdateError
from django.contrib.sessions.models import Session
from django.db import router, transaction


class SessionStore(db.SessionStore):
    """Django's database session, saved in one statement when it already exists.

    Why: every save, and every request that shows a message, writes the
    session. Django wraps that write in a transaction (BEGIN, UPDATE, COMMIT)
    so that a failed INSERT of a new session cannot break an outer one. An
    UPDATE of a row that exists is atomic by itself, so outside a transaction
    it goes alone: two round trips fewer per write (issue 7's profile).
    """

    def save(self, must_create: bool = False) -> None:
        using = router.db_for_write(self.model)
        if must_create or self.session_key is None or transaction.get_connection(using).in_atomic_block:
            return super().save(must_create=must_create)
        data = self._get_session(no_load=False)
        updated = (
            self.model.objects.using(using)
            .filter(session_key=self.session_key)
            .update(session_data=self.encode(data), expire_date=self.get_expiry_date())
        )
        if not updated:
            # Deleted meanwhile (a log-out elsewhere): SessionMiddleware turns this into SessionInterrupted.
            raise UpdateError
        return None


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
