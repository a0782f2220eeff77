"""Reminders and digests by email, planned in batches and sent at most once each.

What goes to whom (each only to someone who chose email for that kind on their reminder settings page, and
never during their quiet hours: it waits for the next run after them):
- checkpoint: a guardian, when their child reaches a CDC checkpoint age (2, 4, 6, 9, 12, 15, 18, 24, 30, 36,
  48, 60 months; corrected age where it applies, `ages.day_at_effective_age`), with that checkpoint's skills
  nobody has recorded as achieved yet; still sent up to CATCH_UP_DAYS late if runs were missed;
- goal_review: GOAL_REVIEW_DAYS before an active goal's review (its next review, or else its target date), to
  the therapist who set it, or to every therapist on the team if they have left it;
- programme: each week from Monday DIGEST_HOUR, to a guardian, what the home programme plans that week;
- whats_new: each day from DIGEST_HOUR, to a therapist, how many notes and observations others added to their
  children since yesterday's digest.

Only the people on a child's team at the time of the run are asked: someone removed from the team gets
nothing more. An email carries no note text, no goal text and no observation note at all: a child's given
name, catalogue skill names, activity titles and counts, and links to the app, whose every page needs a
log-in. Each has an unsubscribe link, signed for that person and that kind only: it opens a page with the
button that stops them (a mail program's own one-click POST, RFC 8058, would need a CSRF exemption).

Exactly-once, by the database: every reminder has a key (person, kind, occasion) with a unique constraint.
A run inserts the keys of a batch with its own claim id (conflicts ignored), reads back which rows carry its
claim, sends only those, and marks them sent. Two workers at once both insert; the database keeps one row
per key, so each reminder has one owner. A send that fails releases its claim for the next run. A worker
that dies between the mail server accepting a message and marking it sent leaves it claimed and unsent: it
is not sent again (at most once), and every run of the day after reports and logs it as stuck (`stuck`),
for someone to check the mail server's log.

Queries: a fixed number per batch of BATCH children (or therapists), whatever the batch holds.
"""

import logging
import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.core import signing
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import EmailMessage, get_connection
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from .models import ReminderKind, SentReminder
from .models.reminders import is_quiet
from .reminder_plans import (  # noqa: F401 (the rules, re-exported: what the tests and the bench read)
    BATCH,
    CATCH_UP_DAYS,
    CHECKPOINT_MONTHS,
    DIGEST_HOUR,
    GOAL_REVIEW_DAYS,
    Planned,
    absolute,
    checkpoint_day,
    checkpoint_due,
    iso_week,
    plan_checkpoints,
    plan_goal_reviews,
    plan_programme,
    plan_whats_new,
)

logger = logging.getLogger(__name__)

UNSUBSCRIBE_SALT = "tracker.reminders.unsubscribe"
# A run takes seconds; a claim this old without a send belongs to a run that stopped. Reported for a day.
STUCK_AFTER = timedelta(hours=1)
STUCK_REPORTED_FOR = timedelta(days=1)


def unsubscribe_token(user_id: int, kind: str) -> str:
    """A link's token that turns off one kind of reminder for one person; no log-in needed, no expiry."""
    return signing.dumps([user_id, kind], salt=UNSUBSCRIBE_SALT)


def read_unsubscribe_token(token: str) -> tuple[int, str]:
    """(user id, kind) from a token; raises signing.BadSignature for anything not signed by us."""
    user_id, kind = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    if kind not in ReminderKind.values or not isinstance(user_id, int):
        raise signing.BadSignature("Not a reminder kind.")
    return user_id, kind


# --- Sending --------------------------------------------------------------------------------


@dataclass
class RunReport:
    planned: int = 0
    sent: int = 0
    already: int = 0  # recorded before (this run or an earlier one, another worker): not sent again
    quiet: int = 0  # waiting for the end of someone's quiet hours
    failed: int = 0  # the mail server refused: the claim is released for the next run
    stuck: int = 0  # claimed by a run that stopped before marking them sent: maybe sent, never sent again
    batches: int = 0
    by_kind: dict = field(default_factory=lambda: defaultdict(int))

    def as_dict(self) -> dict:
        return {
            "planned": self.planned,
            "sent": self.sent,
            "already": self.already,
            "quiet": self.quiet,
            "failed": self.failed,
            "stuck": self.stuck,
            "batches": self.batches,
            "by_kind": dict(self.by_kind),
        }


PLANNERS = {
    ReminderKind.CHECKPOINT: plan_checkpoints,
    ReminderKind.GOAL_REVIEW: plan_goal_reviews,
    ReminderKind.PROGRAMME: plan_programme,
    ReminderKind.WHATS_NEW: plan_whats_new,
}


def due_kinds(now: datetime) -> list[str]:
    """Digests wait for DIGEST_HOUR (the programme digest from Monday's); the rest go at any run."""
    local = timezone.localtime(now)
    kinds = [ReminderKind.CHECKPOINT, ReminderKind.GOAL_REVIEW]
    if local.time() >= DIGEST_HOUR:
        kinds.append(ReminderKind.WHATS_NEW)
    if local.weekday() > 0 or local.time() >= DIGEST_HOUR:
        kinds.append(ReminderKind.PROGRAMME)
    return kinds


def run(now: datetime | None = None, *, on_batch: Callable[[], None] | None = None) -> RunReport:
    """Plan every reminder due at `now` and send each one not sent before. Safe to run anywhere, any time, at once.

    `on_batch` is called after each batch is sent (`manage.py send_reminders` shows progress with it).
    """
    if not settings.SITE_URL:
        raise ImproperlyConfigured(
            "Set SITE_URL (the app's address, e.g. https://tracker.example.org) for reminder links."
        )
    now = now or timezone.now()
    today = timezone.localdate(now)
    moment = timezone.localtime(now).time()
    claim = uuid.uuid4()
    report = RunReport()
    with get_connection() as mail:
        for kind in due_kinds(now):
            for batch in PLANNERS[kind](today):
                report.batches += 1
                ready = [p for p in batch if not is_quiet(p.to.quiet_from, p.to.quiet_until, moment)]
                report.quiet += len(batch) - len(ready)
                _send(ready, claim=claim, now=now, mail=mail, report=report)
                if on_batch is not None:
                    on_batch()
    report.stuck = stuck_claims(now)
    if report.stuck:
        logger.warning(
            "%s reminders were claimed by a run that stopped before marking them sent: not sent again; "
            "the mail server's log tells whether they went.",
            report.stuck,
        )
    return report


def stuck_claims(now: datetime) -> int:
    """How many reminders a run claimed between a day and an hour ago and never marked sent."""
    since = now - STUCK_AFTER - STUCK_REPORTED_FOR
    return SentReminder.objects.filter(sent_at__isnull=True, claimed_at__range=(since, now - STUCK_AFTER)).count()


def _send(batch: list[Planned], *, claim: uuid.UUID, now: datetime, mail, report: RunReport) -> None:
    """Claim the batch's keys, send the ones this run owns, mark them sent (three queries, four on a failure)."""
    report.planned += len(batch)
    if not batch:
        return
    SentReminder.objects.bulk_create(
        [
            SentReminder(
                user_id=p.to.user_id, kind=p.kind, occasion=p.occasion, child_id=p.child_id, claim=claim, claimed_at=now
            )
            for p in batch
        ],
        ignore_conflicts=True,
        batch_size=BATCH,
    )
    owned = {
        (user_id, kind, occasion): pk
        for pk, user_id, kind, occasion in SentReminder.objects.claimed_by(claim)
        .filter(
            sent_at__isnull=True, user_id__in={p.to.user_id for p in batch}, occasion__in={p.occasion for p in batch}
        )
        .values_list("pk", "user_id", "kind", "occasion")
    }
    sent, failed = [], []
    for planned in batch:
        pk = owned.pop(planned.key, None)
        if pk is None:
            report.already += 1
            continue
        try:
            mail.send_messages([message(planned)])
        except Exception:  # noqa: BLE001 - one refused message must not stop the others; logged, retried next run
            logger.exception(
                "Reminder %s to user %s was not sent; it will be tried again.", planned.occasion, planned.to.user_id
            )
            failed.append(pk)
        else:
            sent.append(pk)
            report.by_kind[str(planned.kind)] += 1
    if sent:
        SentReminder.objects.filter(pk__in=sent).update(sent_at=timezone.now())
    if failed:
        SentReminder.objects.filter(pk__in=failed, sent_at__isnull=True).delete()
    report.sent += len(sent)
    report.failed += len(failed)


def message(planned: Planned) -> EmailMessage:
    """The email: plain text, links only to the app, an unsubscribe link for this kind."""
    unsubscribe = absolute(reverse("tracker:unsubscribe", args=[unsubscribe_token(planned.to.user_id, planned.kind)]))
    context = {
        **planned.context,
        "name": planned.to.name,
        "kind_label": ReminderKind(planned.kind).label.split(":")[0],
        "settings_link": absolute(reverse("tracker:reminder_settings")),
        "unsubscribe": unsubscribe,
    }
    return EmailMessage(
        subject=planned.subject,
        body=render_to_string(planned.template, context),
        to=[planned.to.email],
        headers={"List-Unsubscribe": f"<{unsubscribe}>", "Auto-Submitted": "auto-generated"},
    )
