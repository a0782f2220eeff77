"""Reminders by email: each person's choices, and a record of every reminder sent (so none goes twice)."""

from datetime import time

from django.conf import settings
from django.db import models
from django.db.models import Q

from .children import Child


class ReminderKind(models.TextChoices):
    CHECKPOINT = "checkpoint", "Checkpoints: when a child reaches a CDC checkpoint age, the skills to check"
    GOAL_REVIEW = "goal_review", "Goal reviews: a week before a goal's review date (therapists)"
    PROGRAMME = "programme", "Home programme: each Monday, what is planned for the week"
    WHATS_NEW = "whats_new", "What's new: each morning, new notes and observations on your children (therapists)"


class Channel(models.TextChoices):
    OFF = "off", "Off"
    EMAIL = "email", "Email"


class ReminderSettings(models.Model):
    """One person's reminder choices: per kind off or email (off until they opt in), and quiet hours."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminder_settings")
    checkpoint = models.CharField(max_length=5, choices=Channel.choices, default=Channel.OFF)
    goal_review = models.CharField(max_length=5, choices=Channel.choices, default=Channel.OFF)
    programme = models.CharField(max_length=5, choices=Channel.choices, default=Channel.OFF)
    whats_new = models.CharField(max_length=5, choices=Channel.choices, default=Channel.OFF)
    # Nothing is sent from `quiet_from` until `quiet_until` (local time; may span midnight): it waits.
    quiet_from = models.TimeField("quiet from", null=True, blank=True)
    quiet_until = models.TimeField("quiet until", null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "reminder settings"
        constraints = [
            models.CheckConstraint(
                condition=Q(quiet_from__isnull=True, quiet_until__isnull=True)
                | Q(quiet_from__isnull=False, quiet_until__isnull=False),
                name="reminder_quiet_hours_both_or_neither",
            ),
        ]

    def __str__(self) -> str:
        return f"Reminder settings of {self.user}"

    def channel(self, kind: str) -> str:
        return getattr(self, kind)

    def is_quiet_at(self, moment: time) -> bool:
        return is_quiet(self.quiet_from, self.quiet_until, moment)


def is_quiet(quiet_from: time | None, quiet_until: time | None, moment: time) -> bool:
    """Whether `moment` (a local time) falls in quiet hours from `quiet_from` to `quiet_until` (may span midnight)."""
    if quiet_from is None or quiet_until is None or quiet_from == quiet_until:
        return False
    if quiet_from < quiet_until:
        return quiet_from <= moment < quiet_until
    return moment >= quiet_from or moment < quiet_until


class SentReminderQuerySet(models.QuerySet):
    def claimed_by(self, claim) -> "SentReminderQuerySet":
        return self.filter(claim=claim)


class SentReminder(models.Model):
    """A reminder to one person about one thing on one occasion: claimed, then sent.

    The unique key (person, kind, occasion) is what keeps a reminder from going
    twice, whatever runs at once: a worker inserts the row before it sends, and a
    second worker's insert of the same key is refused by the database. The
    occasion names the thing and the moment ("checkpoint:<child>:9",
    "goal_review:<goal>:2026-03-01", "programme:<child>:2026-W10",
    "whats_new:2026-03-02"), so a new occasion is a new reminder.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sent_reminders")
    kind = models.CharField(max_length=12, choices=ReminderKind.choices)
    occasion = models.CharField(max_length=120)
    # The child it is about (none for a therapist's digest across a caseload): erased with the child.
    child = models.ForeignKey(Child, on_delete=models.CASCADE, null=True, blank=True, related_name="sent_reminders")
    claim = models.UUIDField(help_text="The run that claimed it.")
    claimed_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)

    objects = SentReminderQuerySet.as_manager()

    class Meta:
        ordering = ["-claimed_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "kind", "occasion"], name="reminder_once_per_person_and_occasion"),
        ]
        indexes = [
            models.Index(fields=["claim"], name="reminder_claim"),
            # Every run counts claims never marked sent (reminders.stuck_claims): few rows, in a growing table.
            models.Index(fields=["claimed_at"], condition=models.Q(sent_at__isnull=True), name="reminder_unsent"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} to {self.user} ({self.occasion})"


class ScheduledRun(models.Model):
    """One run of a scheduled job for one time slot: the scheduler that inserts it first enqueues it.

    Several schedulers (one per machine) may tick at once; the unique key lets
    exactly one of them enqueue each slot.
    """

    job = models.CharField(max_length=40)
    slot = models.DateTimeField()
    enqueued_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-slot"]
        constraints = [models.UniqueConstraint(fields=["job", "slot"], name="scheduled_run_once_per_slot")]

    def __str__(self) -> str:
        return f"{self.job} at {self.slot:%Y-%m-%d %H:%M}"
