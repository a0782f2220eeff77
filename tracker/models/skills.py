"""The skill catalogue (domains and skills) and what children did with each skill."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone

from .children import Child, Discipline, Voice


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

    objects = DomainManager()

    class Meta:
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name

    def natural_key(self) -> tuple[str]:
        return (self.slug,)


class SkillQuerySet(models.QuerySet):
    def catalogue(self) -> "SkillQuerySet":
        return self.filter(child__isnull=True)

    def for_child(self, child: Child) -> "SkillQuerySet":
        """The catalogue plus the child's own custom skills."""
        return self.filter(Q(child__isnull=True) | Q(child=child))

    def with_current_observation(self, child: Child) -> "SkillQuerySet":
        """Attach each skill's current observation for `child` (read through `skill.current`)."""
        return self.prefetch_related(
            models.Prefetch(
                "observations",
                queryset=Observation.objects.current().filter(child=child),
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
    window_start_months = models.DecimalField(
        "typical from (months)", max_digits=4, decimal_places=1, null=True, blank=True
    )
    window_end_months = models.DecimalField(
        "typical by (months)", max_digits=4, decimal_places=1, null=True, blank=True
    )
    source = models.CharField(max_length=200, blank=True)
    order = models.PositiveIntegerField(default=0)
    child = models.ForeignKey(Child, on_delete=models.CASCADE, null=True, blank=True, related_name="custom_skills")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

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
            born = f"{self.child.date_of_birth:%d %b %Y}"
            raise ValidationError({"observed_on": f"The date observed cannot be before the birth date ({born})."})

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None
