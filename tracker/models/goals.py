"""Therapy goals with Goal Attainment Scaling (GAS) levels, and their reviews over time."""

from datetime import date

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from .children import Child, Voice
from .skills import Domain, Skill


class GoalStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    ACHIEVED = "achieved", "Achieved"
    DISCONTINUED = "discontinued", "Discontinued"


class GasLevel(models.IntegerChoices):
    """Goal Attainment Scaling levels (Kiresuk & Sherman 1968)."""

    MUCH_LESS = -2, "−2 much less than expected"
    LESS = -1, "−1 less than expected"
    EXPECTED = 0, "0 expected outcome"
    MORE = 1, "+1 more than expected"
    MUCH_MORE = 2, "+2 much more than expected"


# A goal's review reminder goes out this many days before its review date.
REVIEW_NOTICE_DAYS = 7


class GoalQuerySet(models.QuerySet):
    def for_child(self, child: Child) -> "GoalQuerySet":
        return self.filter(child=child)


class Goal(models.Model):
    """A SMART therapy goal for one child, about a domain or one skill."""

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="goals")
    domain = models.ForeignKey(Domain, on_delete=models.PROTECT, null=True, blank=True, related_name="goals")
    skill = models.ForeignKey(Skill, on_delete=models.RESTRICT, null=True, blank=True, related_name="goals")
    description = models.TextField("goal (specific, measurable, timed)", max_length=2000)
    target_date = models.DateField()
    # Teams often score a goal between setting it and its target date (a mid-block or termly review);
    # without one, the review is at the target date.
    review_on = models.DateField("next review", null=True, blank=True)
    status = models.CharField(max_length=12, choices=GoalStatus.choices, default=GoalStatus.ACTIVE)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    owner_name = models.CharField(max_length=150, blank=True)
    weight = models.PositiveSmallIntegerField(
        "weight in the GAS T-score", default=1, validators=[MinValueValidator(1), MaxValueValidator(10)]
    )
    baseline_level = models.SmallIntegerField(choices=GasLevel.choices, null=True, blank=True)
    level_minus_2 = models.CharField("−2: much less than expected", max_length=500, blank=True)
    level_minus_1 = models.CharField("−1: less than expected", max_length=500, blank=True)
    level_0 = models.CharField("0: expected outcome", max_length=500, blank=True)
    level_plus_1 = models.CharField("+1: more than expected", max_length=500, blank=True)
    level_plus_2 = models.CharField("+2: much more than expected", max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = GoalQuerySet.as_manager()

    class Meta:
        ordering = ["status", "target_date", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(domain__isnull=False) | Q(skill__isnull=False), name="goal_about_domain_or_skill"
            ),
            models.CheckConstraint(
                condition=Q(baseline_level__isnull=True) | Q(baseline_level__gte=-2, baseline_level__lte=2),
                name="goal_baseline_is_a_gas_level",
            ),
        ]

    def __str__(self) -> str:
        return self.description[:80]

    @property
    def review_due(self) -> date:
        """The day the goal is next due to be scored: its next review if one is set, else its target date."""
        return self.review_on or self.target_date


class GoalReview(models.Model):
    """The GAS level a goal had reached on a date."""

    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="reviews")
    reviewed_on = models.DateField()
    level = models.SmallIntegerField(choices=GasLevel.choices)
    comment = models.TextField(blank=True, max_length=2000)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    reviewed_by_name = models.CharField(max_length=150, blank=True)
    reviewer_voice = models.CharField(max_length=6, choices=Voice.choices, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["reviewed_on", "created_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(level__gte=-2, level__lte=2), name="goal_review_level_is_a_gas_level"),
        ]

    def __str__(self) -> str:
        return f"{self.goal}: {self.level:+d} on {self.reviewed_on}"
