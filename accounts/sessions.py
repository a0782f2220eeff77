"""Sessions in the database, indexed by the account they are signed in as.

`SESSION_ENGINE = "accounts.sessions"`: Django's database sessions, stored in
`accounts.Session` (Django's `AbstractBaseSession` plus a `user` column), so
that ending one person's sessions on every device is one indexed DELETE
(`end_sessions`) instead of decoding every stored session. An existing session
is saved with one UPDATE in autocommit.
"""

from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends import db
from django.contrib.sessions.backends.base import UpdateError
from django.db import router, transaction


def user_id_of(data: dict) -> int | None:
    """The account a session's data is signed in as, or None."""
    value = data.get(SESSION_KEY)
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None


class SessionStore(db.SessionStore):
    """Django's database session in `accounts.Session`, saved in one statement when it already exists.

    Why one statement: every save, and every request that shows a message,
    writes the session. Django wraps that write in a transaction (BEGIN,
    UPDATE, COMMIT) so that a failed INSERT of a new session cannot break an
    outer one. An UPDATE of a row that exists is atomic by itself, so outside a
    transaction it goes alone: two round trips fewer per write (issue 7's
    profile).
    """

    @classmethod
    def get_model_class(cls):
        from .models import Session

        return Session

    def create_model_instance(self, data):
        instance = super().create_model_instance(data)
        instance.user_id = user_id_of(data)
        return instance

    def save(self, must_create: bool = False) -> None:
        using = router.db_for_write(self.model)
        if must_create or self.session_key is None or transaction.get_connection(using).in_atomic_block:
            return super().save(must_create=must_create)
        data = dict(self.items())
        updated = (
            self.model.objects.using(using)
            .filter(session_key=self.session_key)
            .update(session_data=self.encode(data), expire_date=self.get_expiry_date(), user_id=user_id_of(data))
        )
        if not updated:
            # Deleted meanwhile (a log-out elsewhere): SessionMiddleware turns this into SessionInterrupted.
            raise UpdateError
        return None


def end_sessions(user, *, keep: str | None = None) -> int:
    """Delete every stored session signed in as `user`, except the one whose key is `keep`.

    Returns how many were deleted. Expired sessions are deleted too: nothing should outlive an
    account or a password. One DELETE on the indexed `user` column.
    """
    from .models import Session

    deleted, _ = Session.objects.filter(user_id=user.pk).exclude(session_key=keep or "").delete()
    return deleted
