"""Making a report, and sharing one outside the care team: the writes, each audited.

A report is kept exactly as generated (the PDF in `Report.pdf`). Its `fingerprint` names every input
of the document: the child's `data_version` (bumped by every write to their records, so a changed
record gives a new fingerprint), the page cache's generation (a deployment or a restore,
tracker/page_cache.py), today's date (ages move), and everything the author chose. A repeat of an
unchanged report finds the stored one by its fingerprint and serves it: nothing is drawn again and the
history does not fill with copies, yet it can never be stale.
"""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from .. import audit
from ..models import AuditAction, CareTeamMembership, Child, Report, ReportKind, ReportShare, Role, ShareConsent
from ..page_cache import generation
from ..permissions import Action
from . import data, render

# Bump when a template or what a report says changes, so an unchanged record is drawn again.
REPORT_VERSION = 4
TEMPLATES = {ReportKind.FAMILY: "tracker/reports/family.html", ReportKind.THERAPIST: "tracker/reports/therapist.html"}
PASSCODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I/L to misread over the phone
PASSCODE_LENGTH = 10


def previous_report_end(child: Child, spec: data.Spec):
    """The last day of this child's latest earlier report of the same kind: "what changed since" starts there."""
    earlier = Report.objects.for_child(child).filter(kind=spec.kind, period_end__lt=spec.end)
    if spec.kind == ReportKind.THERAPIST:
        earlier = earlier.filter(scope=spec.scope)
    found = earlier.order_by("-period_end").values_list("period_end", flat=True).first()
    return found if found is not None and found >= spec.start else None


def fingerprint(child: Child, spec: data.Spec, since) -> str:
    """Every input of the document, hashed: the same fingerprint gives the same report."""
    parts = (
        REPORT_VERSION,
        generation(),
        child.public_id,
        child.data_version,
        child.date_of_birth,
        child.gestational_days,
        since,
        spec.kind,
        spec.scope,
        spec.paper,
        spec.start,
        spec.end,
        sorted(spec.note_ids),
        spec.recommendations,
        spec.author_name,
        spec.author_role,
        spec.made_on,
        settings.REPORT_CLINIC_NAME,
        settings.REPORT_CLINIC_LOGO,
    )
    return hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()


def draw(child: Child, spec: data.Spec, *, since=None, timings: data.Timings | None = None) -> tuple[bytes, int, list]:
    """The PDF of `spec` (bytes, pages, the notes printed). Pure of writes: nothing is stored."""
    timings = timings if timings is not None else data.Timings()
    context = data.gather(child, spec, timings, since=since)
    context["clinic_name"] = settings.REPORT_CLINIC_NAME if spec.kind == ReportKind.THERAPIST else ""
    context["scope_label"] = dict(Report._meta.get_field("scope").choices).get(spec.scope, "")
    pdf, pages = render.to_pdf(TEMPLATES[spec.kind], context, paper=spec.paper, timings=timings)
    return pdf, pages, context["notes"]


@transaction.atomic
def make_report(*, child: Child, spec: data.Spec, by, timings: data.Timings | None = None) -> tuple[Report, bool]:
    """Generate (or find unchanged) the report `spec` describes; audit it. Returns (report, drawn now)."""
    if spec.start > spec.end:
        raise ValidationError("The period must start before it ends.")
    since = previous_report_end(child, spec)
    key = fingerprint(child, spec, since)
    period = f"{spec.start.isoformat()} to {spec.end.isoformat()}"
    kept = Report.objects.for_child(child).without_pdf().filter(fingerprint=key).first()
    if kept is not None:
        summary = f"Made a {spec.kind} report for {period} (unchanged)"
        audit.record(by, AuditAction.CREATED, child, kept, summary=summary)
        return kept, False
    pdf, pages, notes = draw(child, spec, since=since, timings=timings)
    report = Report(
        child=child,
        kind=spec.kind,
        scope=spec.scope if spec.kind == ReportKind.THERAPIST else "",
        paper=spec.paper,
        period_start=spec.start,
        period_end=spec.end,
        author=by,
        author_name=spec.author_name,
        author_role=spec.author_role,
        recommendations=spec.recommendations if spec.kind == ReportKind.THERAPIST else "",
        included_notes=[note.pk for note in notes],
        team_only=any(note.visibility != "family" for note in notes),
        fingerprint=key,
        pdf=pdf,
        pdf_sha256=hashlib.sha256(pdf).hexdigest(),
        pages=pages,
    )
    report.full_clean(exclude=["pdf"])
    report.save()
    audit.record(by, AuditAction.CREATED, child, report, summary=f"Made a {spec.kind} report for {period}")
    return report, True


# --- Sharing -----------------------------------------------------------------------------


def may_share(child: Child, report: Report, *, consent: bool | None = None) -> bool:
    """Guardians share any report the family may read; therapists too when the family allows it.

    A report holding a care-team-only note never leaves the team by link, whoever asks. `consent` is
    the family's choice when the caller has read it already (a list of reports reads it once).
    """
    if report.team_only:
        return False
    if Action.SHARE_REPORTS in child.allowed:
        return True
    if Action.SHARE_REPORTS_IF_ALLOWED not in child.allowed:
        return False
    return ShareConsent.therapists_allowed(child) if consent is None else consent


def new_passcode() -> str:
    return "".join(secrets.choice(PASSCODE_ALPHABET) for _ in range(PASSCODE_LENGTH))


@transaction.atomic
def share_report(*, report: Report, by, days: int, with_passcode: bool, shared_with: str = "") -> tuple:
    """A new link to `report`'s PDF, valid `days` days. Returns (share, token, passcode or "") to show once."""
    if not 1 <= days <= settings.REPORT_SHARE_MAX_DAYS:
        raise ValidationError(f"A link is valid for 1 to {settings.REPORT_SHARE_MAX_DAYS} days.")
    if report.team_only:
        raise ValidationError("This report holds care-team-only notes: it cannot be shared outside the team.")
    share = ReportShare(
        report=report,
        shared_with=shared_with,
        created_by=by,
        created_by_name=by.name,
        expires_at=timezone.now() + timedelta(days=days),
    )
    token = share.issue_token()
    passcode = new_passcode() if with_passcode else ""
    share.set_passcode(passcode)
    share.full_clean(exclude=["token_hash", "passcode_hash"])
    share.save()
    until = timezone.localtime(share.expires_at).date().isoformat()
    audit.record(
        by,
        AuditAction.CREATED,
        report.child,
        share,
        summary=f"Shared report {report.pk} by link until {until}" + (" with a passcode" if passcode else ""),
    )
    return share, token, passcode


@transaction.atomic
def revoke_share(*, share: ReportShare, by) -> ReportShare:
    """Stop a link working at once; its history of opens stays for the family to see."""
    if share.revoked_at is None:
        share.revoked_at = timezone.now()
        share.revoked_by_name = by.name
        share.save(update_fields=["revoked_at", "revoked_by_name"])
        # CHANGED, not REMOVED: REMOVED is a team change, which the team timeline shows (models/audit.py).
        audit.record(by, AuditAction.CHANGED, share.report.child, share, summary="Revoked a report share link")
    return share


def record_open(*, share: ReportShare, address: str) -> None:
    """One opening of a link by whoever holds it: an audit event (append-only), which the family's page lists."""
    summary = f"Opened report {share.report_id} by link from {address[:64] or 'an unknown address'}"
    audit.record(None, AuditAction.VIEWED, share.report.child, share, summary=summary)


@transaction.atomic
def set_share_consent(*, child: Child, allowed: bool, by) -> int:
    """Record the family's choice; stopping it revokes the links therapists made. Returns how many it revoked.

    A family who stops therapists sharing means the links already out there too: a link made under the
    old choice would otherwise go on opening the report until it expires, up to 90 days later.
    """
    consent, _ = ShareConsent.objects.get_or_create(child=child)
    consent.therapists_may_share = allowed
    consent.changed_by_name = by.name
    consent.save()
    summary = "Allowed therapists to share reports" if allowed else "Stopped therapists sharing reports"
    audit.record(by, AuditAction.CHANGED, child, consent, summary=summary)
    if allowed:
        return 0
    guardians = CareTeamMembership.objects.filter(child=child, role=Role.GUARDIAN).values("user")
    made_by_therapists = (
        ReportShare.objects.active()
        .filter(report__child=child)
        .exclude(created_by__in=guardians)
        .select_related("report")
    )
    revoked = [revoke_share(share=share, by=by) for share in made_by_therapists]
    return len(revoked)
