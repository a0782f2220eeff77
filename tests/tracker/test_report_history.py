"""Report history: every report kept as generated goes out with the family's export and goes with erasure.

Backup and restore keep them too: the PDF is a column of the database (tests/reliability/test_backup_restore.py
compares every table, reports included, through tests/security/records.py).
"""

import io
import json
import zipfile

import pytest
from django.urls import reverse

from tracker.models import Report, ReportShare
from tracker.reports import services

from ..factories import STUB_PDF, report

pytestmark = pytest.mark.django_db


def _export(client, child, fmt: str) -> bytes:
    response = client.get(reverse(f"tracker:export_{fmt}", args=[child.public_id]))
    return b"".join(response.streaming_content)


def test_the_zip_export_holds_each_pdf_exactly_as_generated(login, guardian, child):
    kept = report(child, guardian)
    archive = zipfile.ZipFile(io.BytesIO(_export(login(guardian), child, "zip")))
    assert archive.read(f"reports/report-{kept.pk}.pdf") == STUB_PDF


def test_the_json_export_lists_each_report_and_link(login, guardian, child):
    kept = report(child, guardian)
    services.share_report(report=kept, by=guardian, days=14, with_passcode=True, shared_with="Dr Okafor")
    document = json.loads(_export(login(guardian), child, "json"))
    assert [row["id"] for row in document["reports"]] == [kept.pk]
    assert document["report_links"][0]["shared_with"] == "Dr Okafor" and document["report_links"][0]["passcode"]


def test_no_token_or_passcode_hash_leaves_in_the_export(login, guardian, child):
    kept = report(child, guardian)
    share, _, _ = services.share_report(report=kept, by=guardian, days=14, with_passcode=True)
    body = _export(login(guardian), child, "json").decode()
    assert share.token_hash not in body and share.passcode_hash not in body


def test_a_guardians_export_leaves_out_reports_holding_team_only_notes(login, guardian, pt, child):
    hidden = report(child, pt, kind="therapist", team_only=True)
    archive = zipfile.ZipFile(io.BytesIO(_export(login(guardian), child, "zip")))
    assert f"reports/report-{hidden.pk}.pdf" not in archive.namelist()


def test_a_therapists_export_includes_them(login, pt, child):
    kept = report(child, pt, kind="therapist", team_only=True)
    archive = zipfile.ZipFile(io.BytesIO(_export(login(pt), child, "zip")))
    assert f"reports/report-{kept.pk}.pdf" in archive.namelist()


def test_deleting_the_child_removes_its_reports_and_links(login, guardian, child):
    kept = report(child, guardian)
    services.share_report(report=kept, by=guardian, days=14, with_passcode=False)
    login(guardian).post(reverse("tracker:child_delete", args=[child.public_id]), {"name": child.given_name})
    assert (Report.objects.count(), ReportShare.objects.count()) == (0, 0)
