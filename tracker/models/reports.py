"""PDF progress reports as they were generated, and the links that share one outside the care team.

A report's PDF is kept in the database with its metadata (docs/security.md, "Reports"): it is backed up,
restored and erased with the rest of the child's record, every app server reads the same copy, and no
file in a media folder can ever be served past the permission check.

A share link's token is stored only as a hash, like an invitation's; its optional passcode with Django's
password hashers. Every open of a link is an audit event (time and address), append-only like the rest of
the trail; the family's reports page lists them (`AuditEvent.objects.share_opens`).
"""

import hashlib
import secrets

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.db import models
from django.db.models import Q
from django.utils import timezone

from .children import Child


class ReportKind(models.TextChoices):
    FAMILY = "family", "For the doctor or family"
    THERAPIST = "therapist", "Therapist progress report"


class ReportScope(models.TextChoices):
    """Which discipline's goals and areas a therapist report covers."""

    OCCUPATIONAL_THERAPY = "OT", "Occupational therapy"
    PHYSIOTHERAPY = "PT", "Physiotherapy"
    JOINT = "joint", "Joint (OT and PT)"


class Paper(models.TextChoices):
    A4 = "a4", "A4"
    LETTER = "letter", "US Letter"


class ReportQuerySet(models.QuerySet):
    def for_child(self, child: Child) -> "ReportQuerySet":
        return self.filter(child=child)

    def without_pdf(self) -> "ReportQuerySet":
        """Lists show metadata; the PDF bytes are read only when one is downloaded."""
        return self.defer("pdf")


class Report(models.Model):
    """One generated PDF report, kept exactly as it was generated."""

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="reports")
    kind = models.CharField(max_length=10, choices=ReportKind.choices)
    scope = models.CharField(max_length=5, choices=ReportScope.choices, blank=True)
    paper = models.CharField(max_length=6, choices=Paper.choices, default=Paper.A4)
    period_start = models.DateField()
    period_end = models.DateField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    author_name = models.CharField(max_length=150)
    author_role = models.CharField(max_length=60, blank=True)  # "Physiotherapy", "Parent or guardian"
    recommendations = models.TextField(blank=True, max_length=5000)
    included_notes = models.JSONField(default=list, blank=True)  # ids of the notes printed in it
    # A report holding a care-team-only note is read by therapists only and is never shared by link.
    team_only = models.BooleanField(default=False)
    # Every input of the PDF (tracker/reports/services.py): the same fingerprint gives the same document.
    fingerprint = models.CharField(max_length=64, db_index=True)
    pdf = models.BinaryField()
    pdf_sha256 = models.CharField(max_length=64)
    pages = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ReportQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(period_start__lte=models.F("period_end")), name="report_period_order"),
            models.CheckConstraint(
                condition=Q(kind="family", scope="") | Q(kind="therapist") & ~Q(scope=""),
                name="report_scope_only_for_therapist_reports",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.period_start}–{self.period_end}"

    @property
    def title(self) -> str:
        if self.kind == ReportKind.THERAPIST:
            return f"Therapist progress report ({self.get_scope_display()})"
        return "Progress report for the doctor or family"

    @property
    def size_kb(self) -> int:
        return max(1, round(len(self.pdf) / 1024)) if "pdf" in self.__dict__ else 0


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class ShareQuerySet(models.QuerySet):
    def active(self) -> "ShareQuerySet":
        return self.filter(revoked_at__isnull=True, expires_at__gt=timezone.now())

    def with_token(self, token: str) -> "ShareQuerySet":
        return self.filter(token_hash=hash_token(token))


class ReportShare(models.Model):
    """A read-only link to one report's PDF for someone outside the care team: expiring, revocable, audited."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="shares")
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    passcode_hash = models.CharField(max_length=256, blank=True, editable=False)
    shared_with = models.CharField("who it is for", max_length=120, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_by_name = models.CharField(max_length=150)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by_name = models.CharField(max_length=150, blank=True)

    objects = ShareQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Share of report {self.report_id} until {self.expires_at:%Y-%m-%d}"

    def issue_token(self) -> str:
        """Set a fresh token; return it (only its hash is stored)."""
        token = secrets.token_urlsafe(32)
        self.token_hash = hash_token(token)
        return token

    def set_passcode(self, passcode: str) -> None:
        self.passcode_hash = make_password(passcode) if passcode else ""

    def passcode_matches(self, passcode: str) -> bool:
        return bool(self.passcode_hash) and check_password(passcode, self.passcode_hash)

    @property
    def has_passcode(self) -> bool:
        return bool(self.passcode_hash)

    @property
    def is_expired(self) -> bool:
        return timezone.now() >= self.expires_at

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def is_active(self) -> bool:
        return not self.is_revoked and not self.is_expired


class ShareConsent(models.Model):
    """The family's choice, per child: may the child's therapists share reports outside the team too?"""

    child = models.OneToOneField(Child, on_delete=models.CASCADE, related_name="share_consent")
    therapists_may_share = models.BooleanField(default=False)
    changed_by_name = models.CharField(max_length=150, blank=True)
    changed_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return "Therapists may share reports" if self.therapists_may_share else "Only the family shares reports"

    @classmethod
    def therapists_allowed(cls, child: Child) -> bool:
        return cls.objects.filter(child=child, therapists_may_share=True).exists()
