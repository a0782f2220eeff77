"""Where one-off messages ("Saved", "Invitation sent") wait for the next page: the session, newest few only.

Why the session, not Django's default cookie: a message can name a child, a
skill or an invitation's link, and belongs in the signed-in person's session
only. Why a limit: messages wait until a page shows them, and a client that
posts and never loads a page (a script, or a browser replaying a form) would
otherwise grow its session without bound. Every save then decoded and encoded
it again: in the benchmark, an observation save went from 9.9 to 13.5 ms after
1,000 unread messages.
"""

from django.contrib.messages.storage.session import SessionStorage

# More than any page produces between two page loads; older unread ones are not worth keeping.
MAX_WAITING = 10
# The message carrying a save's undo button (tracker/views/checklist.py, base.html).
UNDO_TAG = "undo-tap"


class RecentSessionStorage(SessionStorage):
    """Django's session message storage, keeping only the newest `MAX_WAITING` unread messages.

    Of the undo buttons only the newest is kept, beside them: only the last save is worth taking back
    from the next page, and a pile of buttons would not say which is which.
    """

    def _store(self, messages, response, *args, **kwargs):
        undos = [message for message in messages if UNDO_TAG in (message.extra_tags or "")]
        others = [message for message in messages if UNDO_TAG not in (message.extra_tags or "")]
        kept = {id(message) for message in others[-MAX_WAITING:] + undos[-1:]}
        return super()._store([m for m in messages if id(m) in kept], response, *args, **kwargs)
