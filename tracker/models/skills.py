"""The skill catalogue (domains and skills) and what children did with each skill."""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format

from .. import status
from .children import Child, Discipline, Voice

# How long a tap on a checklist can be taken back with one more tap ("Undo").
UNDO_MINUTES = 15


class DomainManager(models.Manager):
    def get_by_natural_key(self, slug: str) -> "Domain":
        return self.get(slug=slug)


class Domain(models.Model):
    """An area of development (gross motor, fine motor, …) and the discipline that leads it."""

    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=60)
    discipline = models.CharField(max_length=5, choices=Discipline.choices)
    order = models.PositiveSmallIntegerField(default=0)
    colour = models.CharField(max_length=7, help_text="Chart colour, #RRGGBB (colour-blind-safe palette).")
    # Set by the staff admin; `load_catalogue` keeps such a row's values (services.keep_staff_changes).
    staff_changed_at = models.DateTimeField("changed in the staff admin", null=True, blank=True, editable=False)

    objects = DomainManager()

    class Meta:
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name

    def natural_key(self) -> tuple[str]:
        return (self.slug,)


class SourceManager(models.Manager):
    def get_by_natural_key(self, slug: str) -> "Source":
        return self.get(slug=slug)


class Source(models.Model):
    """A published source of age windows, cited so that a reader can find it and check the numbers."""

    slug = models.SlugField(unique=True)
    short_name = models.CharField(max_length=60, help_text="As shown beside a window, e.g. “CDC 2022”.")
    citation = models.TextField(help_text="Authors, year, title, journal or publisher, volume and pages.")
    url = models.URLField(blank=True)
    # Set by the staff admin; `load_catalogue` keeps such a row's values (services.keep_staff_changes).
    staff_changed_at = models.DateTimeField("changed in the staff admin", null=True, blank=True, editable=False)

    objects = SourceManager()

    class Meta:
        ordering = ["short_name"]

    def __str__(self) -> str:
        return self.short_name

    def natural_key(self) -> tuple[str]:
        return (self.slug,)


class WindowKind(models.TextChoices):
    """What a skill's age window is, which decides what its end may mean (DESIGN.md, "Clinical rules")."""

    WHO_PERCENTILES = "who_percentiles", "WHO 1st–99th percentile"
    CDC_CHECKPOINT = "cdc_checkpoint", "CDC 2022 checkpoint (3 in 4 children)"
    TYPICAL_AGE = "typical_age", "Typical age (when a skill is often seen)"
    SET_FOR_CHILD = "set_for_child", "Set by a therapist for this child"


class SkillQuerySet(models.QuerySet):
    def catalogue(self) -> "SkillQuerySet":
        return self.filter(child__isnull=True)

    def for_child(self, child: Child) -> "SkillQuerySet":
        """The catalogue plus the child's own custom skills."""
        return self.filter(Q(child__isnull=True) | Q(child=child))

    def with_current_observation(self, child: Child) -> "SkillQuerySet":
        """Attach each skill's current observation for `child` (read through `skill.current`).

        Each carries `last_achieved_id`, so a skill no longer seen is known without reading its history.
        """
        return self.prefetch_related(
            models.Prefetch(
                "observations",
                queryset=Observation.objects.current().filter(child=child).with_last_achieved(),
                to_attr="current_observations",
            )
        )


class SkillManager(models.Manager.from_queryset(SkillQuerySet)):
    def get_by_natural_key(self, slug: str) -> "Skill":
        return self.get(slug=slug)


class Skill(models.Model):
    """A developmental skill with its typical age window and where that window comes from.

    Catalogue skills (child is empty) come from fixtures keyed by `slug`; a
    therapist may add a custom skill that belongs to one child.
    """

    domain = models.ForeignKey(Domain, on_delete=models.PROTECT, related_name="skills")
    slug = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    # What the ends mean depends on window_kind (a WHO 1st-99th percentile, a CDC checkpoint where 3 in 4
    # children do it, a typical age): not "typical" for all of them, as the staff admin's columns once said.
    window_start_months = models.DecimalField(
        "window starts (months)", max_digits=4, decimal_places=1, null=True, blank=True
    )
    window_end_months = models.DecimalField(
        "window ends (months)", max_digits=4, decimal_places=1, null=True, blank=True
    )
    # The median age of achievement, where the source gives one (WHO): "expected now" starts there.
    median_months = models.DecimalField("median (months)", max_digits=4, decimal_places=1, null=True, blank=True)
    window_kind = models.CharField(max_length=20, choices=WindowKind.choices, blank=True)
    source = models.ForeignKey(Source, on_delete=models.PROTECT, null=True, blank=True, related_name="skills")
    # Where in the source: a table, checklist item or page; for a custom skill, the therapist's own reference.
    source_detail = models.CharField("where in the source", max_length=300, blank=True)
    # Many healthy children skip an optional skill (hands-and-knees crawling): never overdue by itself, and
    # not needed once a later skill of the same `sequence` is achieved.
    optional = models.BooleanField(default=False)
    sequence = models.SlugField(max_length=40, blank=True)
    order = models.PositiveIntegerField(default=0)
    child = models.ForeignKey(Child, on_delete=models.CASCADE, null=True, blank=True, related_name="custom_skills")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Set by the staff admin; `load_catalogue` keeps such a row's values (services.keep_staff_changes).
    staff_changed_at = models.DateTimeField("changed in the staff admin", null=True, blank=True, editable=False)

    objects = SkillManager()

    class Meta:
        ordering = ["domain__order", "order", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(window_start_months__isnull=True)
                | Q(window_end_months__isnull=True)
                | Q(window_start_months__lt=models.F("window_end_months")),
                name="skill_window_starts_before_it_ends",
            ),
            models.CheckConstraint(
                condition=Q(window_end_months__isnull=True, window_kind="")
                | Q(window_end_months__isnull=False) & ~Q(window_kind=""),
                name="skill_window_has_a_kind",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def natural_key(self) -> tuple[str]:
        return (self.slug,)

    @property
    def is_custom(self) -> bool:
        return self.child_id is not None

    @property
    def current(self) -> "Observation | None":
        """The current observation, once fetched by `with_current_observation`."""
        found = getattr(self, "current_observations", None)
        return found[0] if found else None

    @property
    def has_window(self) -> bool:
        return self.window_start_months is not None and self.window_end_months is not None

    @property
    def norm(self) -> "status.Norm":
        """What the catalogue says about this skill's age, as the status model reads it."""
        return status.Norm.of(self)

    @property
    def window_in_words(self) -> str:
        """The window as its source means it: "3 in 4 children by 12 months."."""
        return status.window_in_words(self.norm)

    @property
    def citation(self) -> str:
        """Where the window comes from, short: "CDC 2022 — 12 months, movement: pulls up to stand"."""
        if self.source_id is None:
            return self.source_detail
        return f"{self.source.short_name} — {self.source_detail}" if self.source_detail else self.source.short_name

    @property
    def full_citation(self) -> str:
        """The short citation, then the source's full reference: "CDC 2022 — … by 2 mo. Zubler JM, …"."""
        if self.source_id is None:
            return self.citation
        short = self.citation.rstrip()
        return f"{short}{'' if short.endswith(('.', '?', '!')) else '.'} {self.source.citation}"


class Status(models.TextChoices):
    NOT_YET = "not_yet", "Not yet"
    EMERGING = "emerging", "Emerging"
    ACHIEVED = "achieved", "Achieved"


class Assistance(models.TextChoices):
    """Level of assistance, from most help to none (reference/README.md §6)."""

    DEPENDENT = "dependent", "Dependent (under 25% effort)"
    MAXIMAL = "maximal", "Maximal assistance (25–49%)"
    MODERATE = "moderate", "Moderate assistance (50–74%)"
    MINIMAL = "minimal", "Minimal assistance (75%+)"
    CONTACT_GUARD = "contact_guard", "Contact guard"
    SUPERVISION = "supervision", "Supervision / stand-by"
    MODIFIED_INDEPENDENT = "modified_independent", "Modified independent"
    INDEPENDENT = "independent", "Independent"


class ObservationQuerySet(models.QuerySet):
    def for_child(self, child: Child) -> "ObservationQuerySet":
        return self.filter(child=child)

    def in_force(self) -> "ObservationQuerySet":
        """Observations not withdrawn or replaced by a correction."""
        return self.filter(withdrawn_at__isnull=True)

    def newest_first(self) -> "ObservationQuerySet":
        """Latest by observed date, then by the time it was recorded."""
        return self.order_by("-observed_on", "-recorded_at", "-id")

    def current(self) -> "ObservationQuerySet":
        """Each skill's current status: its latest observation in force."""
        return self.filter(is_current=True)

    def undoable_by(self, user) -> "ObservationQuerySet":
        """What `user` may still undo with one tap: their own observations in force, recorded minutes ago.

        Older ones, or someone else's, are withdrawn from the skill's history with a reason.
        """
        since = timezone.now() - timedelta(minutes=UNDO_MINUTES)
        return self.in_force().filter(recorded_by=user, recorded_at__gte=since)

    def with_last_achieved(self) -> "ObservationQuerySet":
        """Annotate `last_achieved_id`: the skill's latest observation in force that said "achieved".

        On a current observation that is not "achieved", a value means the
        skill was seen and is no longer (a correction withdraws what it
        corrects, so a corrected mistake is never a loss). One indexed
        subquery per row (obs_child_skill_date).
        """
        achieved = (
            Observation.objects.in_force()
            .filter(child=models.OuterRef("child"), skill=models.OuterRef("skill"), status=Status.ACHIEVED)
            .newest_first()
            .values("pk")[:1]
        )
        return self.annotate(last_achieved_id=models.Subquery(achieved))

    def no_longer_seen(self, *, unreviewed: bool = False) -> "ObservationQuerySet":
        """Current observations of skills seen achieved before and not now; `unreviewed`: no therapist review yet."""
        lost = (
            self.current().exclude(status=Status.ACHIEVED).with_last_achieved().filter(last_achieved_id__isnull=False)
        )
        if unreviewed:
            lost = lost.exclude(
                models.Exists(LossReview.objects.filter(last_achieved_id=models.OuterRef("last_achieved_id")))
            )
        return lost


class Observation(models.Model):
    """What a child did with a skill on a day. Never deleted: corrections withdraw and replace."""

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="observations")
    # RESTRICT: a skill with history cannot be deleted on its own, but deleting
    # the child takes its custom skills and their history together.
    skill = models.ForeignKey(Skill, on_delete=models.RESTRICT, related_name="observations")
    observed_on = models.DateField("date observed")
    status = models.CharField(max_length=10, choices=Status.choices)
    assistance = models.CharField("level of assistance", max_length=24, choices=Assistance.choices, blank=True)
    note = models.TextField(blank=True, max_length=2000)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="observations"
    )
    recorded_by_name = models.CharField(max_length=150, blank=True)
    recorded_as = models.CharField(max_length=6, choices=Voice.choices, blank=True)
    recorded_at = models.DateTimeField(default=timezone.now)
    # Confirmed by the family when they joined: the skill was there already, the date is an estimate
    # (when the child reached the end of its window), never a day someone saw it.
    before_joining = models.BooleanField("achieved before joining (date estimated)", default=False)
    corrects = models.OneToOneField(
        "self", on_delete=models.RESTRICT, null=True, blank=True, related_name="corrected_by"
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    withdrawal_reason = models.CharField(max_length=200, blank=True)
    # The skill's current status is its latest observation in force. Kept as a
    # flag (maintained only by services: refresh_current_status, mark_current_if_latest) so lists and
    # counts read one indexed row per skill instead of ranking the history.
    is_current = models.BooleanField(default=False, editable=False)

    objects = ObservationQuerySet.as_manager()

    class Meta:
        ordering = ["-observed_on", "-recorded_at", "-id"]
        indexes = [
            models.Index(fields=["child", "skill", "observed_on", "recorded_at"], name="obs_child_skill_date"),
            models.Index(fields=["child", "recorded_at"], name="obs_child_recorded"),
            models.Index(fields=["child", "status"], condition=Q(is_current=True), name="obs_current_by_child_status"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["child", "skill"], condition=Q(is_current=True), name="observation_one_current_per_skill"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.skill} — {self.get_status_display()} on {self.observed_on}"

    def clean(self) -> None:
        """An observation happens between the child's birth and today."""
        if self.observed_on is None or self.child_id is None:
            return
        if self.observed_on > timezone.localdate():
            raise ValidationError({"observed_on": "The date observed cannot be in the future."})
        if self.observed_on < self.child.date_of_birth:
            born = date_format(self.child.date_of_birth, "j M Y")
            raise ValidationError({"observed_on": f"The date observed cannot be before the birth date ({born})."})

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None


class LossReviewQuerySet(models.QuerySet):
    def for_child(self, child: Child) -> "LossReviewQuerySet":
        return self.filter(child=child)


class LossReview(models.Model):
    """A therapist has looked at a skill that is no longer seen.

    CDC advises acting at once on any loss of skills, so a loss is shown to
    the whole team and the family until a therapist marks it reviewed. The
    review belongs to one loss: the last "achieved" observation before it. If
    the skill comes back and is lost again, that is a new loss to review.
    """

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="loss_reviews")
    last_achieved = models.OneToOneField(Observation, on_delete=models.CASCADE, related_name="loss_review")
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    reviewed_by_name = models.CharField(max_length=150, blank=True)
    reviewed_at = models.DateTimeField(default=timezone.now)
    note = models.TextField("what was decided (optional)", blank=True, max_length=2000)

    objects = LossReviewQuerySet.as_manager()

    class Meta:
        ordering = ["-reviewed_at"]

    def __str__(self) -> str:
        return f"Loss of {self.last_achieved.skill} reviewed by {self.reviewed_by_name}"
