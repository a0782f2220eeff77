"""The home programme: activities a therapist gives the family, the library they come from, and practice logs."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, URLValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from .children import Child, Voice
from .goals import Goal
from .skills import Domain, Skill

# 1× a week to twice a day: what a family can fit around daily life.
TIMES_PER_WEEK_MAX = 14


def times_per_week_in_words(times: int) -> str:
    """'once a week', '3× a week', 'every day', 'twice a day'."""
    if times == 7:
        return "every day"
    if times == 14:
        return "twice a day"
    if times == 1:
        return "once a week"
    return f"{times}× a week"


class ActivityTemplateManager(models.Manager):
    def get_by_natural_key(self, slug: str) -> "ActivityTemplate":
        return self.get(slug=slug)


class ActivityTemplateQuerySet(models.QuerySet):
    def library(self) -> "ActivityTemplateQuerySet":
        """The built-in templates, written by us and loaded from fixtures/activities.json."""
        return self.filter(owner__isnull=True)

    def usable_by(self, user) -> "ActivityTemplateQuerySet":
        """The library and `user`'s own templates, not retired."""
        return self.filter(Q(owner__isnull=True) | Q(owner=user), retired=False)


class ActivityTemplate(models.Model):
    """A home activity to copy and adapt: ours (no owner, keyed by slug) or a therapist's own, across a caseload."""

    slug = models.SlugField(max_length=80, unique=True)
    domain = models.ForeignKey(Domain, on_delete=models.PROTECT, related_name="activity_templates")
    title = models.CharField(max_length=120)
    instructions = models.TextField(max_length=4000)
    times_per_week = models.PositiveSmallIntegerField(
        default=3, validators=[MinValueValidator(1), MaxValueValidator(TIMES_PER_WEEK_MAX)]
    )
    skills = models.ManyToManyField(Skill, blank=True, related_name="activity_templates")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="activity_templates"
    )
    # A library template we withdraw stays (activities copied from it point at it) and is no longer offered:
    # set in fixtures/activities.json, reloaded by slug.
    retired = models.BooleanField(default=False)
    # A default rather than auto_now_add, which fixtures (raw saves) do not fill.
    created_at = models.DateTimeField(default=timezone.now)

    objects = ActivityTemplateManager.from_queryset(ActivityTemplateQuerySet)()

    class Meta:
        ordering = ["domain__order", "title", "id"]

    def __str__(self) -> str:
        return self.title

    def natural_key(self) -> tuple[str]:
        return (self.slug,)

    @property
    def frequency(self) -> str:
        return times_per_week_in_words(self.times_per_week)


class ActivityQuerySet(models.QuerySet):
    def for_child(self, child: Child) -> "ActivityQuerySet":
        return self.filter(child=child)

    def running_between(self, first, last) -> "ActivityQuerySet":
        """Activities planned for some day from `first` to `last` (inclusive)."""
        return self.filter(start_on__lte=last).filter(Q(end_on__isnull=True) | Q(end_on__gte=first))


class Activity(models.Model):
    """One activity of a child's home programme: what to do, how often, for which goal and skills, and when."""

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="activities")
    template = models.ForeignKey(
        ActivityTemplate, on_delete=models.SET_NULL, null=True, blank=True, related_name="activities"
    )
    title = models.CharField(max_length=120)
    instructions = models.TextField("instructions (plain words for the family)", max_length=4000)
    times_per_week = models.PositiveSmallIntegerField(
        "how often (times a week)",
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(TIMES_PER_WEEK_MAX)],
        help_text="7 is every day, 14 twice a day.",
    )
    # Shown as a plain link, never embedded: the pages load nothing from another site (the CSP allows
    # only our own), and the referrer policy keeps the child's page address from the site it opens.
    link = models.URLField(
        "link to a picture or video (optional)",
        blank=True,
        max_length=500,
        validators=[URLValidator(schemes=["https"])],
        help_text="An https link. It opens on its own; the app never loads pictures or videos from other sites.",
    )
    goal = models.ForeignKey(Goal, on_delete=models.SET_NULL, null=True, blank=True, related_name="activities")
    skills = models.ManyToManyField(Skill, blank=True, related_name="activities")
    start_on = models.DateField("start")
    end_on = models.DateField("end (optional)", null=True, blank=True)
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    set_by_name = models.CharField(max_length=150, blank=True)
    set_as = models.CharField(max_length=6, choices=Voice.choices, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ActivityQuerySet.as_manager()

    class Meta:
        ordering = ["start_on", "id"]
        verbose_name_plural = "activities"
        constraints = [
            models.CheckConstraint(
                condition=Q(end_on__isnull=True) | Q(end_on__gte=models.F("start_on")),
                name="activity_ends_after_it_starts",
            ),
            models.CheckConstraint(
                condition=Q(times_per_week__gte=1, times_per_week__lte=TIMES_PER_WEEK_MAX),
                name="activity_times_per_week_1_to_14",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        if self.start_on and self.end_on and self.end_on < self.start_on:
            raise ValidationError({"end_on": "The end date is before the start date."})
        if self.goal_id is not None and self.child_id is not None and self.goal.child_id != self.child_id:
            raise ValidationError({"goal": "Choose one of this child's goals."})

    @property
    def frequency(self) -> str:
        return times_per_week_in_words(self.times_per_week)

    def is_running_on(self, day) -> bool:
        return self.start_on <= day and (self.end_on is None or self.end_on >= day)


class HowItWent(models.TextChoices):
    EASY = "easy", "Easy"
    HARD = "hard", "Hard"
    DIDNT_MANAGE = "didnt_manage", "Didn't manage"


class PracticeLogQuerySet(models.QuerySet):
    def for_child(self, child: Child) -> "PracticeLogQuerySet":
        return self.filter(child=child)

    def in_force(self) -> "PracticeLogQuerySet":
        """Logs not undone: an undone tap stays in the history, marked, and counts nowhere."""
        return self.filter(withdrawn_at__isnull=True)


class PracticeLog(models.Model):
    """One practice of one activity on a day, logged with one tap; undoing withdraws it, never deletes it."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="practice_logs")
    # Copied from the activity: the week view and adherence read a child's logs without a join.
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="practice_logs")
    practised_on = models.DateField()
    how = models.CharField("how did it go", max_length=12, choices=HowItWent.choices, blank=True)
    comment = models.TextField(blank=True, max_length=1000)
    logged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    logged_by_name = models.CharField(max_length=150, blank=True)
    logged_as = models.CharField(max_length=6, choices=Voice.choices, blank=True)
    logged_at = models.DateTimeField()
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = PracticeLogQuerySet.as_manager()

    class Meta:
        ordering = ["-practised_on", "-logged_at", "-id"]
        indexes = [models.Index(fields=["child", "practised_on"], name="practice_child_day")]

    def __str__(self) -> str:
        return f"{self.activity} practised on {self.practised_on}"

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None
