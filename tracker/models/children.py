"""Children, their care teams and the invitations that grow a team."""

import hashlib
import secrets
import uuid
from datetime import date

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import connections, models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from .. import ages


class Discipline(models.TextChoices):
    OCCUPATIONAL_THERAPY = "OT", "Occupational therapy"
    PHYSIOTHERAPY = "PT", "Physiotherapy"
    OTHER = "other", "Other"


class Voice(models.TextChoices):
    """Whose perspective a timeline entry comes from: a discipline, or the family."""

    OCCUPATIONAL_THERAPY = "OT", "OT"
    PHYSIOTHERAPY = "PT", "PT"
    OTHER = "other", "Other therapist"
    FAMILY = "family", "Family"


class Role(models.TextChoices):
    GUARDIAN = "guardian", "Parent or guardian"
    THERAPIST = "therapist", "Therapist"
    VIEWER = "viewer", "Viewer (read only)"


# --- Children -----------------------------------------------------------------


# The child's columns in the order of Child._meta.concrete_fields (a test keeps the two in step).
MEMBERSHIP_SQL = (
    "SELECT tracker_child.id, tracker_child.public_id, tracker_child.given_name, tracker_child.family_name,"
    " tracker_child.date_of_birth, tracker_child.gestational_days, tracker_child.archived,"
    " tracker_child.data_version, tracker_child.created_at, tracker_child.updated_at,"
    " tracker_careteammembership.id, tracker_careteammembership.role, tracker_careteammembership.discipline"
    " FROM tracker_child INNER JOIN tracker_careteammembership"
    " ON tracker_careteammembership.child_id = tracker_child.id"
    " WHERE tracker_careteammembership.user_id = %s AND tracker_child.public_id = %s"
)
_CONVERTERS: dict[tuple[str, str], list] = {}


def _child_converters(connection) -> list:
    """(position, converters, column) for each of a child's columns that the database returns raw.

    What Django's compiler applies to a query's rows (SQLite returns dates,
    times, booleans and UUIDs as text or numbers), found once per database.
    """
    key = (connection.alias, connection.vendor)
    if key not in _CONVERTERS:
        found = []
        for position, field in enumerate(Child._meta.concrete_fields):
            column = field.get_col(Child._meta.db_table)
            converters = connection.ops.get_db_converters(column) + column.get_db_converters(connection)
            if converters:
                found.append((position, converters, column))
        _CONVERTERS[key] = found
    return _CONVERTERS[key]


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

    def with_membership(self, user, public_id) -> "tuple[Child, CareTeamMembership] | None":
        """The child `public_id` and `user`'s place on its team, or None if they are not on it.

        Every child page and chart starts with this lookup, so it is written out
        as SQL and read with a plain cursor: the benchmark's profile showed the
        ORM spending about 0.5 ms to build and read it (ordering, joins, two
        models) against 0.02 ms for the database to answer, and a raw queryset
        still 0.05–0.1 ms more than this (issue 7).
        """
        connection = connections[self.db]
        public_id = Child._meta.get_field("public_id").get_db_prep_value(public_id, connection)
        with connection.cursor() as cursor:
            cursor.execute(MEMBERSHIP_SQL, [user.pk, public_id])
            row = cursor.fetchone()
        if row is None:
            return None
        fields = Child._meta.concrete_fields
        values = list(row[: len(fields)])
        for position, converters, column in _child_converters(connection):
            for converter in converters:
                values[position] = converter(values[position], column, connection)
        child = Child.from_db(self.db, [field.attname for field in fields], values)
        membership_id, role, discipline = row[len(fields) :]
        membership = CareTeamMembership(pk=membership_id, child=child, user=user, role=role, discipline=discipline)
        membership._state.adding, membership._state.db = False, self.db
        return child, membership

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
    # Completed weeks and days at birth ("36+6"), kept in days: correction is (280 - days) days.
    gestational_days = models.PositiveSmallIntegerField(
        "gestational age at birth (days)",
        null=True,
        blank=True,
        validators=[MinValueValidator(ages.GESTATION_MIN_DAYS), MaxValueValidator(ages.GESTATION_MAX_DAYS)],
        help_text="Leave empty for a baby born at term. Used for corrected age if born before 37+0 weeks.",
    )
    archived = models.BooleanField(default=False)
    # Bumped by every write to the child's profile, care team, observations, goals
    # or notes; charts and cached pages key their caches and ETags on it.
    data_version = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ChildQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "children"
        ordering = ["given_name", "family_name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(gestational_days__isnull=True)
                | Q(gestational_days__gte=ages.GESTATION_MIN_DAYS, gestational_days__lte=ages.GESTATION_MAX_DAYS),
                name="child_gestational_age_24_to_42_weeks",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name

    def save(self, *args, **kwargs) -> None:
        """Save; a change to an existing profile also moves the version cached pages and charts are keyed on."""
        if self._state.adding:
            super().save(*args, **kwargs)
            return
        # An F() expression, so that a concurrent write's bump is never lost by saving a stale count.
        self.data_version = models.F("data_version") + 1
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "data_version"}
        super().save(*args, **kwargs)
        self.refresh_from_db(fields=["data_version"])

    def get_absolute_url(self) -> str:
        return reverse("tracker:child_detail", args=[self.public_id])

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}".strip()

    def age_on(self, day: date) -> ages.Age:
        return ages.chronological_age(self.date_of_birth, day)

    def corrected_age_on(self, day: date) -> ages.Age | None:
        return ages.corrected_age(self.date_of_birth, self.gestational_days, day)

    def effective_age_in_months(self, day: date) -> float:
        """The age milestone windows are compared with (corrected where it applies)."""
        return ages.effective_age_in_months(self.date_of_birth, self.gestational_days, day)

    @property
    def is_preterm(self) -> bool:
        return ages.is_preterm(self.gestational_days)

    @property
    def gestational_age(self) -> str:
        """'36+6' (completed weeks and days), or '' for a baby born at term."""
        return ages.gestation_in_words(self.gestational_days) if self.gestational_days is not None else ""


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

    @property
    def voice(self) -> str:
        """The perspective this member writes from: their discipline, or the family's."""
        if self.role == Role.THERAPIST:
            return self.discipline
        return Voice.FAMILY


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
