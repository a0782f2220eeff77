"""PDF progress reports: the child's report history, making one, downloading one, and share links.

Who may do what (tracker/permissions.py): guardians and therapists read the report history (a report
holding a care-team-only note only therapists); therapists make either report, guardians the family
one; viewers none. Guardians share a report by link and decide whether the child's therapists may too.
The link itself (`shared_report`) needs no account: it serves one PDF, read-only, until it expires or
is revoked, and every open is kept and audited. An expired or revoked link never names the child.
"""

from collections import defaultdict

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from config import ratelimit

from .. import ages, audit
from ..models import AuditAction, AuditEvent, Note, ReportShare, ShareConsent
from ..permissions import Action, child_for, readable_notes, readable_reports, report_kinds_for
from ..reports import services
from ..reports.data import Spec
from ..reports.forms import PasscodeForm, ReportForm, ShareForm

NOTE_CHOICES = 100  # the newest notes offered on the report form


def _history(child) -> list:
    """The reports this member may read, newest first, their links, and each link's openings (three queries)."""
    shares = ReportShare.objects.order_by("-created_at")
    reports = list(readable_reports(child).without_pdf().prefetch_related(Prefetch("shares", queryset=shares)))
    opens = defaultdict(list)
    for event in AuditEvent.objects.share_opens(child).only("at", "object_id", "summary"):
        opens[event.object_id].append(event)
    for report in reports:
        for share in report.shares.all():
            share.openings = opens.get(str(share.pk), [])
    return reports


def _list_context(child, *, share_forms: dict | None = None) -> dict:
    reports = _history(child)
    consent = ShareConsent.therapists_allowed(child)
    for report in reports:
        report.may_share = services.may_share(child, report, consent=consent)
        report.share_form = (share_forms or {}).get(report.pk) or ShareForm(prefix=f"r{report.pk}")
    return {
        "child": child,
        "reports": reports,
        "kinds": report_kinds_for(child),
        "therapists_may_share": consent,
        "can_set_consent": Action.SHARE_REPORTS in child.allowed,
        "active_shares": sum(1 for report in reports for share in report.shares.all() if share.is_active),
    }


@login_required
@require_safe
def report_list(request: HttpRequest, child_id) -> HttpResponse:
    child = child_for(request.user, child_id, action=Action.READ_REPORTS)
    audit.record(request.user, AuditAction.VIEWED, child, summary="Viewed the reports")
    return render(request, "tracker/report_list.html", _list_context(child))


def _note_choices(child):
    return readable_notes(child, Note.objects.filter(withdrawn_at__isnull=True)).order_by("-session_date", "-id")


@login_required
def report_create(request: HttpRequest, child_id) -> HttpResponse:
    """The report form; a valid POST makes the PDF (or finds the unchanged one) and goes back to the history."""
    child = child_for(request.user, child_id, action=Action.MAKE_FAMILY_REPORT)
    membership = child.membership
    notes = _note_choices(child)
    choices = notes.filter(pk__in=list(notes.values_list("pk", flat=True)[:NOTE_CHOICES]))
    form = ReportForm(
        request.POST or None,
        child=child,
        kinds=report_kinds_for(child),
        notes=choices,
        discipline=membership.discipline,
    )
    if request.method == "POST" and form.is_valid():
        report, drawn = services.make_report(child=child, spec=_spec(request, form), by=request.user)
        done = "is ready" if drawn else "is unchanged since it was made: here it is again"
        period = f"{ages.date_in_words(report.period_start)} to {ages.date_in_words(report.period_end)}"
        messages.success(request, f"The report for {period} {done}.")
        return redirect(f"{reverse('tracker:report_list', args=[child.public_id])}#report-{report.pk}")
    audit.viewed_form(request, child, summary="Opened the report form")
    status = 400 if form.errors else 200
    return render(request, "tracker/report_form.html", {"child": child, "form": form}, status=status)


def _spec(request: HttpRequest, form: ReportForm) -> Spec:
    data = form.cleaned_data
    membership = form.child.membership
    # The signature names the discipline ("Physiotherapy"); a parent signs as "Parent or guardian".
    role = membership.get_discipline_display() if membership.discipline else membership.role_label
    return Spec(
        kind=data["kind"],
        scope=data.get("scope", "") if data["kind"] == "therapist" else "",
        start=data["start"],
        end=data["end"],
        paper=data["paper"],
        note_ids=tuple(sorted(note.pk for note in data.get("notes") or [])),
        recommendations=data.get("recommendations", "") if data["kind"] == "therapist" else "",
        author_name=request.user.name,
        author_role=role,
        made_on=timezone.localdate(),
    )


def pdf_response(pdf: bytes, name: str, *, inline: bool = False) -> HttpResponse:
    """A PDF that no shared cache keeps; an opaque file name that does not name the child."""
    response = HttpResponse(bytes(pdf), content_type="application/pdf")
    response["Content-Disposition"] = f'{"inline" if inline else "attachment"}; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_safe
def report_pdf(request: HttpRequest, child_id, report_id: int) -> HttpResponse:
    child = child_for(request.user, child_id, action=Action.READ_REPORTS)
    report = get_object_or_404(readable_reports(child), pk=report_id)
    audit.record(request.user, AuditAction.VIEWED, child, report, summary=f"Downloaded report {report.pk}")
    return pdf_response(report.pdf, f"progress-report-{report.period_end:%Y-%m-%d}-{report.pk}.pdf")


@login_required
@require_POST
def share_create(request: HttpRequest, child_id, report_id: int) -> HttpResponse:
    """A new link for one report, shown once with its passcode (only their hashes are stored)."""
    child = child_for(request.user, child_id, action=Action.READ_REPORTS)
    report = get_object_or_404(readable_reports(child).without_pdf(), pk=report_id)
    if not services.may_share(child, report):
        raise PermissionDenied("You may not share this report outside the team.")
    form = ShareForm(request.POST, prefix=f"r{report.pk}")
    if not form.is_valid():
        context = _list_context(child, share_forms={report.pk: form})
        return render(request, "tracker/report_list.html", context, status=400)
    share, token, passcode = services.share_report(
        report=report,
        by=request.user,
        days=form.cleaned_data["days"],
        with_passcode=form.cleaned_data["passcode"],
        shared_with=form.cleaned_data["shared_with"],
    )
    # Shown once, on the next page, as an invitation link is: the session keeps it until then, never the database.
    messages.success(request, request.build_absolute_uri(reverse("tracker:shared_report", args=[token])), "share-link")
    if passcode:
        messages.info(request, passcode, "share-passcode")
    return redirect(f"{reverse('tracker:report_list', args=[child.public_id])}#report-{report.pk}")


@login_required
@require_POST
def share_revoke(request: HttpRequest, child_id, share_id: int) -> HttpResponse:
    """Guardians revoke any link to the child's reports; a therapist the links they made."""
    child = child_for(request.user, child_id, action=Action.READ_REPORTS)
    share = get_object_or_404(ReportShare.objects.select_related("report"), pk=share_id, report__child=child)
    if Action.SHARE_REPORTS not in child.allowed and share.created_by_id != request.user.pk:
        raise PermissionDenied("Only the family, or whoever made the link, can revoke it.")
    services.revoke_share(share=share, by=request.user)
    messages.success(request, "The link is revoked: it no longer opens the report.")
    return redirect("tracker:report_list", child_id=child.public_id)


@login_required
@require_POST
def share_consent(request: HttpRequest, child_id) -> HttpResponse:
    """The family allows (or stops) the child's therapists sharing reports by link."""
    child = child_for(request.user, child_id, action=Action.SHARE_REPORTS)
    allowed = request.POST.get("therapists_may_share") == "on"
    revoked = services.set_share_consent(child=child, allowed=allowed, by=request.user)
    if allowed:
        said = "Therapists on the team may now share reports by link."
    else:
        said = "Only the family shares reports by link now."
        if revoked:
            said += f" {revoked} link{pluralize(revoked)} therapists had made {pluralize(revoked, 'is,are')} revoked."
    messages.success(request, said)
    return redirect("tracker:report_list", child_id=child.public_id)


# --- The link, for whoever holds it --------------------------------------------------------


def _link_page(request: HttpRequest, context: dict, status: int = 200) -> HttpResponse:
    response = render(request, "tracker/shared_report.html", context, status=status)
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def shared_report(request: HttpRequest, share_token: str) -> HttpResponse:
    """One report's PDF for the holder of a valid link (and its passcode); no account needed.

    An unknown token is a 404; an expired or revoked link a 410 that says which, and nothing about
    whose report it was. Wrong passcodes are limited per link and per address (config/ratelimit.py).
    """
    if request.method not in ("GET", "HEAD", "POST"):
        return HttpResponse(status=405, headers={"Allow": "GET, HEAD, POST"})
    share = ReportShare.objects.with_token(share_token).select_related("report__child").first()
    if share is None:
        return _link_page(request, {"state": "unknown"}, status=404)
    if share.is_revoked or share.is_expired:
        return _link_page(request, {"state": "revoked" if share.is_revoked else "expired"}, status=410)
    if share.has_passcode:
        form = PasscodeForm(request.POST if request.method == "POST" else None)
        if request.method != "POST":
            return _link_page(request, {"state": "passcode", "form": form})
        address = ratelimit.client_address(request)
        retry = ratelimit.hit("share_passcode", person=f"share-{share.pk}", address=address)
        if retry:
            form.add_error(None, ratelimit.message(retry))
            return ratelimit.limited(_link_page(request, {"state": "passcode", "form": form}), retry)
        if not form.is_valid() or not share.passcode_matches(form.cleaned_data["passcode"]):
            form.errors.pop("passcode", None)
            form.add_error("passcode", "That passcode is not right. Check it with whoever sent you the link.")
            return _link_page(request, {"state": "passcode", "form": form}, status=403)
    elif request.method == "POST":
        return HttpResponse(status=405, headers={"Allow": "GET, HEAD"})
    if request.method == "HEAD":
        # A link checker or a mail scanner asking whether the link works: not an opening, and no PDF.
        return HttpResponse(content_type="application/pdf", headers={"X-Robots-Tag": "noindex, nofollow"})
    services.record_open(share=share, address=ratelimit.client_address(request))
    report = share.report
    response = pdf_response(report.pdf, f"progress-report-{report.period_end:%Y-%m-%d}.pdf", inline=True)
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response
