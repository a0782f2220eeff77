"""Everything about a child: profile, care team, invitations, skills, observations, audit."""

import hashlib
import secrets
import uuid
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from . import ages


class Discipline(models.TextChoices):
    OCCUPATIONAL_THERAPY = "OT", "Occupational therapy"
    PHYSIOTHERAPY = "PT", "Physiotherapy"
    OTHER = "other", "Other"


class Role(models.TextChoices):
    GUARDIAN = "guardian", "Parent or guardian"
    THERAPIST = "therapist", "Therapist"
    VIEWER = "viewer", "Viewer (read only)"


# --- Children -----------------------------------------------------------------


class ChildQuerySet(models.QuerySet):
    def visible_to(self, user) -> "ChildQuerySet":
        """Children on whose care team `user` is; the only way lists find children."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(care_team__user=user)

    def active(self) -> "ChildQuerySet":
        return self.filter(archived=False)

    def archived_only(self) -> "ChildQuerySet":
        return self.filter(archived=True)

    def left_without_team_if(self, user) -> "ChildQuerySet":
        """Children that would have no guardian or therapist left if `user` left their team."""
        others = CareTeamMembership.objects.responsible().filter(child=models.OuterRef("pk")).exclude(user=user)
        return self.filter(care_team__user=user, care_team__role__in=[Role.GUARDIAN, Role.THERAPIST]).exclude(
            models.Exists(others)
        )


class Child(models.Model):
    """A child whose development is tracked. Public URLs use `public_id`."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    given_name = models.CharField(max_length=100)
    family_name = models.CharField(max_length=100, blank=True)
    date_of_birth = models.DateField()
    gestational_weeks = models.PositiveSmallIntegerField(
        "gestational age at birth (weeks)",
        null=True,
        blank=True,
        validators=[MinValueValidator(24), MaxValueValidator(42)],
        help_text="Leave empty for a baby born at term. Used for corrected age if born before 37 weeks.",
    )
    archived = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ChildQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "children"
        ordering = ["given_name", "family_name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(gestational_weeks__isnull=True) | Q(gestational_weeks__gte=24, gestational_weeks__lte=42),
                name="child_gestational_weeks_24_to_42",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name

    def get_absolute_url(self) -> str:
        return reverse("tracker:child_detail", args=[self.public_id])

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}".strip()

    def age_on(self, day: date) -> ages.Age:
        return ages.chronological_age(self.date_of_birth, day)

    def corrected_age_on(self, day: date) -> ages.Age | None:
        return ages.corrected_age(self.date_of_birth, self.gestational_weeks, day)

    def effective_age_in_months(self, day: date) -> float:
        """The age milestone windows are compared with (corrected where it applies)."""
        return ages.effective_age_in_months(self.date_of_birth, self.gestational_weeks, day)

    @property
    def is_preterm(self) -> bool:
        return self.gestational_weeks is not None and self.gestational_weeks < ages.PRETERM_BELOW_WEEKS


# --- Care team ----------------------------------------------------------------


class MembershipQuerySet(models.QuerySet):
    def responsible(self) -> "MembershipQuerySet":
        """Guardians and therapists: the people a child must always have one of."""
        return self.filter(role__in=[Role.GUARDIAN, Role.THERAPIST])


class CareTeamMembership(models.Model):
    """A person's place on one child's care team."""

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="care_team")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=10, choices=Role.choices)
    discipline = models.CharField(max_length=5, choices=Discipline.choices, blank=True)
    joined_at = models.DateTimeField(auto_now_add=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["role", "joined_at"]
        constraints = [
            models.UniqueConstraint(fields=["child", "user"], name="membership_one_per_person_per_child"),
            models.CheckConstraint(
                condition=~Q(role="therapist") | ~Q(discipline=""),
                name="membership_therapist_has_discipline",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.role_label}"

    @property
    def role_label(self) -> str:
        if self.role == Role.THERAPIST:
            return f"Therapist ({self.get_discipline_display()})"
        return self.get_role_display()

    @property
    def is_responsible(self) -> bool:
        return self.role in (Role.GUARDIAN, Role.THERAPIST)


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class InvitationQuerySet(models.QuerySet):
    def pending(self) -> "InvitationQuerySet":
        return self.filter(accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now())

    def with_token(self, token: str) -> "InvitationQuerySet":
        return self.filter(token_hash=_hash_token(token))


class Invitation(models.Model):
    """A single-use, expiring link that adds one person to one child's team.

    Only a hash of the token is stored: the link itself is shown once to the
    inviter and mailed to the invitee, so a copy of the database cannot be used
    to join a child's team.
    """

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    role = models.CharField(max_length=10, choices=Role.choices)
    discipline = models.CharField(max_length=5, choices=Discipline.choices, blank=True)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(role="therapist") | ~Q(discipline=""),
                name="invitation_therapist_has_discipline",
            ),
        ]

    def __str__(self) -> str:
        return f"Invitation for {self.email} as {self.role_label}"

    @property
    def role_label(self) -> str:
        if self.role == Role.THERAPIST:
            return f"Therapist ({self.get_discipline_display()})"
        return self.get_role_display()

    def issue_token(self) -> str:
        """Set a fresh token and expiry; return the token (not stored in clear)."""
        token = secrets.token_urlsafe(32)
        self.token_hash = _hash_token(token)
        self.expires_at = timezone.now() + settings.INVITATION_VALID_FOR
        return token

    @property
    def is_expired(self) -> bool:
        return timezone.now() >= self.expires_at

    @property
    def is_usable(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None and not self.is_expired


# --- Skill catalogue and observations -------------------------------------------


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
    skill = models.ForeignKey(Skill, on_delete=models.PROTECT, related_name="observations")
    observed_on = models.DateField("date observed")
    status = models.CharField(max_length=10, choices=Status.choices)
    assistance = models.CharField("level of assistance", max_length=24, choices=Assistance.choices, blank=True)
    note = models.TextField(blank=True, max_length=2000)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="observations"
    )
    recorded_by_name = models.CharField(max_length=150, blank=True)
    recorded_at = models.DateTimeField(default=timezone.now)
    corrects = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="corrected_by"
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    withdrawal_reason = models.CharField(max_length=200, blank=True)
    # The skill's current status is its latest observation in force. Kept as a
    # flag (maintained only by services.refresh_current_status) so lists and
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


# --- Audit ----------------------------------------------------------------------


class AuditAction(models.TextChoices):
    VIEWED = "viewed", "viewed"
    CREATED = "created", "created"
    CHANGED = "changed", "changed"
    WITHDREW = "withdrew", "withdrew"
    DELETED = "deleted", "deleted"
    ARCHIVED = "archived", "archived"
    RESTORED = "restored", "restored"
    EXPORTED = "exported", "exported"
    INVITED = "invited", "invited"
    JOINED = "joined", "joined"
    REMOVED = "removed", "removed"
    LEFT = "left", "left"


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        # The one rewrite allowed is unlinking a deleted child or account
        # (on_delete=SET_NULL); the copied ids and names stay.
        if set(kwargs) <= {"child", "actor"} and all(value is None for value in kwargs.values()):
            return super().update(**kwargs)
        raise TypeError("Audit events are append-only.")

    def delete(self):
        raise TypeError("Audit events are append-only.")


class AuditEvent(models.Model):
    """Who did what to which child's record, and when. Append-only.

    The child's opaque id is copied so the record of a deletion survives the
    child; summaries never hold a child's name (see docs on retention).
    """

    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    actor_name = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=10, choices=AuditAction.choices)
    child = models.ForeignKey(Child, on_delete=models.SET_NULL, null=True, related_name="audit_events")
    child_public_id = models.UUIDField(null=True, db_index=True)
    object_type = models.CharField(max_length=40)
    object_id = models.CharField(max_length=64, blank=True)
    summary = models.CharField(max_length=200, blank=True)
    at = models.DateTimeField(default=timezone.now, db_index=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.actor_name} {self.action} {self.object_type} at {self.at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs) -> None:
        # Append-only is an integrity guarantee, not domain logic: refuse rewrites.
        if self.pk is not None:
            raise TypeError("Audit events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("Audit events are append-only.")
