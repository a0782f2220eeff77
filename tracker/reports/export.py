"""The reports' part of the family's data export (tracker/export.py): each report's metadata and its share
links, and in the zip the PDFs themselves, exactly as generated (`reports/report-<id>.pdf`).

What is included follows what the exporter may read: a report holding care-team-only notes leaves only with
a therapist (`readable_reports`). A link's token and passcode are never exported (only their hashes are
kept, and those are of no use to anyone); its openings are in the audit events section.
"""

from collections.abc import Iterator

from ..models import Child, ReportShare
from ..permissions import readable_reports

PDF_CHUNK = 20  # PDFs read from the database at a time (50-100 kB each, `make bench`)

COLUMNS: dict[str, tuple[str, ...]] = {
    "reports": (
        "id",
        "kind",
        "scope",
        "paper",
        "period_start",
        "period_end",
        "author",
        "author_role",
        "recommendations",
        "included_notes",
        "team_only",
        "pages",
        "pdf_sha256",
        "created_at",
        "file",
    ),
    "report_links": (
        "id",
        "report",
        "shared_with",
        "created_by",
        "created_at",
        "expires_at",
        "revoked_at",
        "revoked_by",
        "passcode",
    ),
}


def pdf_name(report_id: int) -> str:
    return f"reports/report-{report_id}.pdf"


def sections(child: Child) -> dict[str, list[dict]]:
    """The rows of both sections (two queries; the PDFs are not read here)."""
    reports = readable_reports(child).without_pdf().order_by("id")
    links = ReportShare.objects.filter(report__in=reports).order_by("id")
    return {
        "reports": [
            {
                "id": report.pk,
                "kind": report.kind,
                "scope": report.scope,
                "paper": report.paper,
                "period_start": report.period_start,
                "period_end": report.period_end,
                "author": report.author_name,
                "author_role": report.author_role,
                "recommendations": report.recommendations,
                "included_notes": ";".join(str(pk) for pk in report.included_notes),
                "team_only": report.team_only,
                "pages": report.pages,
                "pdf_sha256": report.pdf_sha256,
                "created_at": report.created_at,
                "file": pdf_name(report.pk) + " (in the zip export)",
            }
            for report in reports
        ],
        "report_links": [
            {
                "id": link.pk,
                "report": link.report_id,
                "shared_with": link.shared_with,
                "created_by": link.created_by_name,
                "created_at": link.created_at,
                "expires_at": link.expires_at,
                "revoked_at": link.revoked_at,
                "revoked_by": link.revoked_by_name,
                "passcode": link.has_passcode,
            }
            for link in links
        ],
    }


def pdfs(child: Child) -> Iterator[tuple[str, bytes]]:
    """(file name in the zip, PDF bytes) of every report the exporter may read, a few at a time."""
    rows = readable_reports(child).order_by("id").values_list("pk", "pdf")
    for report_id, pdf in rows.iterator(chunk_size=PDF_CHUNK):
        yield pdf_name(report_id), bytes(pdf)
