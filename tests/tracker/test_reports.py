"""PDF progress reports: what the PDF says (read back with pypdf), who may make and read one, the history.

Rendering a real PDF takes a second or more, so the tests that read a report's text make one each and
the rest use stored stand-ins (tests.factories.report).
"""

import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from tracker import programme
from tracker.models import AuditEvent, Goal, GoalReview, Report
from tracker.reports import render, services
from tracker.reports.data import Spec, practice, progress_statement

from ..factories import activity, goal, note, observation, report

pytestmark = pytest.mark.django_db


def _text(pdf: bytes) -> list[str]:
    """Each page's text, as a screen reader or a search would get it."""
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def _spec(kind: str, by, **fields) -> Spec:
    today = timezone.localdate()
    values = {
        "kind": kind,
        "start": today - timedelta(days=120),
        "end": today,
        "author_name": by.name,
        "author_role": "Physiotherapy" if kind == "therapist" else "Parent or guardian",
        "made_on": today,
        "scope": "joint" if kind == "therapist" else "",
    }
    return Spec(**{**values, **fields})


@pytest.fixture
def preterm_baby(child):
    """Maya, born at 30+0 weeks about ten months ago: her ages are corrected until 24 months."""
    child.date_of_birth = timezone.localdate() - timedelta(days=300)
    child.gestational_days = 30 * 7
    child.save()
    return child


@pytest.fixture
def family_pdf(preterm_baby, guardian, pt):
    """A family report with a family note and, asked for by id, a team-only note it must leave out."""
    today = timezone.localdate()
    lifts = "gm-lifts-head-on-tummy"
    observation(preterm_baby, guardian, skill=lifts, status="achieved", on=today - timedelta(days=20))
    shared = note(preterm_baby, pt, visibility="family", body="Lovely rolling today FAMILYMARKER", on=today)
    secret = note(preterm_baby, pt, visibility="team", body="Team discussion TEAMMARKER", on=today)
    rolls = activity(preterm_baby, pt, title="Tummy time HOMEMARKER", skills=(lifts,), start=today - timedelta(days=10))
    programme.log_practice(activity=rolls, by=guardian, on=today - timedelta(days=1))
    spec = _spec("family", guardian, note_ids=(shared.pk, secret.pk))
    made, _ = services.make_report(child=preterm_baby, spec=spec, by=guardian)
    return made


def test_family_report_gives_the_corrected_age_line_of_a_preterm_baby(family_pdf):
    text = "\n".join(_text(family_pdf.pdf))
    assert "Corrected age" in text and "born at 30+0 weeks" in text


def test_family_report_names_the_child_and_birth_date_on_every_page(family_pdf, preterm_baby):
    born = f"born {preterm_baby.date_of_birth:%-d %B %Y}"
    pages = _text(family_pdf.pdf)
    assert all("Maya Example" in page and born in page for page in pages)


def test_family_report_numbers_its_pages(family_pdf):
    pages = _text(family_pdf.pdf)
    assert f"Page {len(pages)} of {len(pages)}" in pages[-1]


def test_family_report_prints_the_chosen_family_note(family_pdf):
    assert "FAMILYMARKER" in "\n".join(_text(family_pdf.pdf))


def test_family_report_never_prints_a_team_only_note_even_when_asked_by_id(family_pdf):
    assert "TEAMMARKER" not in "\n".join(_text(family_pdf.pdf))
    assert family_pdf.team_only is False


def test_family_report_lists_the_home_practice_without_the_chart(family_pdf):
    text = " ".join(" ".join(_text(family_pdf.pdf)).split())
    assert "Practice at home" in text and "A1 Tummy time HOMEMARKER" in text
    assert "Home practice over the last" not in text


def test_family_report_is_a4_unless_letter_is_chosen(family_pdf):
    box = PdfReader(io.BytesIO(family_pdf.pdf)).pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)


@pytest.fixture
def therapist_pdf(child, pt, guardian):
    today = timezone.localdate()
    first = goal(child, pt, description="Walks 3 metres alone GOALONE", baseline=-2)
    second = goal(child, pt, domain="fine-motor", description="Stacks four blocks GOALTWO", baseline=-1, weight=2)
    for made, level in ((first, 1), (second, -1)):
        GoalReview.objects.create(goal=made, reviewed_on=today - timedelta(days=10), level=level, reviewed_by=pt)
    note(child, pt, kind="session", body="Session one", on=today - timedelta(days=30))
    note(child, pt, kind="session", body="Session two", on=today - timedelta(days=3))
    stairs = activity(child, pt, title="Stairs PRACTICEMARKER", goal=first, start=today - timedelta(days=20))
    for days_ago in (2, 9):
        programme.log_practice(activity=stairs, by=guardian, how="hard", on=today - timedelta(days=days_ago))
    spec = _spec("therapist", pt, paper="letter", recommendations="Practise stairs daily RECOMMENDMARKER")
    made, _ = services.make_report(child=child, spec=spec, by=pt)
    return made


@pytest.mark.parametrize("logo", ["a file", "missing"])
def test_the_therapist_report_carries_the_clinics_name_and_logo(child, pt, guardian, settings, tmp_path, logo):
    """REPORT_CLINIC_NAME and REPORT_CLINIC_LOGO (a local file; one that is not there is left out quietly)."""
    from PIL import Image

    path = tmp_path / "logo.png"
    if logo == "a file":
        Image.new("RGB", (40, 20), "navy").save(path)
    settings.REPORT_CLINIC_NAME = "Riverside Children's Therapy CLINICMARKER"
    settings.REPORT_CLINIC_LOGO = str(path)
    ours, _ = services.make_report(child=child, spec=_spec("therapist", pt), by=pt)
    family, _ = services.make_report(child=child, spec=_spec("family", guardian), by=guardian)
    first_page = PdfReader(io.BytesIO(ours.pdf)).pages[0]
    assert "CLINICMARKER" in first_page.extract_text() and "CLINICMARKER" not in " ".join(_text(family.pdf))
    assert len(first_page.images) == (1 if logo == "a file" else 0)


def test_therapist_report_gives_every_goals_t_score(therapist_pdf):
    text = " ".join(" ".join(_text(therapist_pdf.pdf)).split())
    assert "T 60.0" in text and "T 40.0" in text  # +1 and -1: T = 50 + 10 × level for one goal


def test_therapist_report_says_whether_each_goal_progressed(therapist_pdf):
    text = " ".join(" ".join(_text(therapist_pdf.pdf)).split())
    assert "met" in text and "not progressing" in text


def test_therapist_report_is_signed_by_its_author(therapist_pdf, pt):
    text = " ".join(" ".join(_text(therapist_pdf.pdf)).split())
    assert f"Signed: Paul PT, Physiotherapy, {timezone.localdate():%-d %B %Y}" in text


def test_therapist_report_counts_the_sessions_and_carries_the_recommendations(therapist_pdf):
    text = " ".join(" ".join(_text(therapist_pdf.pdf)).split())
    assert "2 therapy sessions recorded in the period" in text and "RECOMMENDMARKER" in text


def test_therapist_report_gives_each_home_activitys_practice_against_plan(therapist_pdf, child, pt):
    spec = _spec("therapist", pt)
    [line] = practice(child, spec, list(child.goals.order_by("pk")), {"OT", "PT"})[1]
    text = " ".join(" ".join(_text(therapist_pdf.pdf)).split())
    assert "A1 Stairs PRACTICEMARKER (for goal G1)" in text
    assert f"3 {line.planned} 2 {line.percent} 2 0" in text  # times a week, planned, logged, share, hard, didn't


def test_therapist_report_draws_the_practice_chart(therapist_pdf):
    text = " ".join(" ".join(_text(therapist_pdf.pdf)).split())
    assert "Home practice over the last 8 weeks: A1 Stairs PRACTICEMARKER: 2 of" in text


def test_therapist_report_on_letter_paper(therapist_pdf):
    box = PdfReader(io.BytesIO(therapist_pdf.pdf)).pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (612, 792)


def test_an_unchanged_report_is_served_again_not_drawn_again(therapist_pdf, child, pt):
    spec = _spec("therapist", pt, paper="letter", recommendations="Practise stairs daily RECOMMENDMARKER")
    again, drawn = services.make_report(child=child, spec=spec, by=pt)
    assert (again.pk, drawn, Report.objects.count()) == (therapist_pdf.pk, False, 1)


def test_a_report_is_drawn_again_after_the_record_changes(monkeypatch, child, guardian):
    monkeypatch.setattr(render, "to_pdf", lambda *args, **kwargs: (b"%PDF-1.4 stand-in", 1))
    spec = _spec("family", guardian)
    first, _ = services.make_report(child=child, spec=spec, by=guardian)
    observation(child, guardian, status="achieved", on=timezone.localdate())
    child.refresh_from_db()
    second, drawn = services.make_report(child=child, spec=spec, by=guardian)
    assert drawn and second.pk != first.pk


# --- The fetcher: nothing from outside the app ---------------------------------------------


@pytest.mark.parametrize("url", ["http://example.org/x.png", "https://example.org/f.ttf", "file:///etc/passwd"])
def test_the_renderer_refuses_anything_not_local(url):
    with pytest.raises(render.RefusedURL):
        render.LocalFetcher(set()).fetch(url)


def test_the_renderer_reads_its_own_font():
    font = render.FONT_DIR / "DejaVuSans.ttf"
    response = render.LocalFetcher({font}).fetch(font.as_uri())
    assert response.read(4) == b"\x00\x01\x00\x00"


# --- The pages --------------------------------------------------------------------------


@pytest.fixture
def stand_in_pdf(monkeypatch):
    """Views tests do not need a real PDF: a fast stand-in renderer."""
    monkeypatch.setattr(render, "to_pdf", lambda *args, **kwargs: (b"%PDF-1.4 stand-in", 1))


def _form(kind: str) -> dict:
    today = timezone.localdate()
    return {"kind": kind, "start": (today - timedelta(days=60)).isoformat(), "end": today.isoformat(), "paper": "a4"}


def test_guardian_makes_a_family_report(stand_in_pdf, login, guardian, child):
    response = login(guardian).post(reverse("tracker:report_create", args=[child.public_id]), _form("family"))
    assert response.status_code == 302 and Report.objects.get().kind == "family"


def test_making_a_report_is_audited_with_who_and_the_period(stand_in_pdf, login, guardian, child):
    login(guardian).post(reverse("tracker:report_create", args=[child.public_id]), _form("family"))
    event = AuditEvent.objects.filter(object_type="report").get()
    today = timezone.localdate()
    assert event.actor_name == guardian.email
    assert event.summary == f"Made a family report for {today - timedelta(days=60)} to {today}"


def test_guardian_cannot_make_a_therapist_report(stand_in_pdf, login, guardian, child):
    response = login(guardian).post(reverse("tracker:report_create", args=[child.public_id]), _form("therapist"))
    assert response.status_code == 400 and not Report.objects.exists()


def test_therapist_makes_a_therapist_report(stand_in_pdf, login, pt, child):
    data = {**_form("therapist"), "scope": "PT", "recommendations": "Keep going"}
    response = login(pt).post(reverse("tracker:report_create", args=[child.public_id]), data)
    assert response.status_code == 302 and Report.objects.get().scope == "PT"


def test_the_form_refuses_a_team_only_note_in_a_family_report(stand_in_pdf, login, pt, child):
    secret = note(child, pt, visibility="team", on=timezone.localdate())
    data = {**_form("family"), "notes": [secret.pk]}
    response = login(pt).post(reverse("tracker:report_create", args=[child.public_id]), data)
    assert response.status_code == 400
    assert "cannot include a care-team-only note" in response.content.decode()


def test_a_period_ending_after_today_is_refused_next_to_the_field(stand_in_pdf, login, guardian, child):
    data = {**_form("family"), "end": (timezone.localdate() + timedelta(days=3)).isoformat()}
    response = login(guardian).post(reverse("tracker:report_create", args=[child.public_id]), data)
    assert response.status_code == 400 and "cannot end after today" in response.content.decode()


def test_the_pdf_downloads_with_a_name_that_does_not_name_the_child(login, guardian, child):
    kept = report(child, guardian)
    response = login(guardian).get(reverse("tracker:report_pdf", args=[child.public_id, kept.pk]))
    assert response["Content-Type"] == "application/pdf" and "Maya" not in response["Content-Disposition"]
    assert response.content == bytes(kept.pdf)


def test_a_report_with_team_only_notes_is_hidden_from_the_guardian(login, guardian, pt, child):
    kept = report(child, pt, kind="therapist", team_only=True)
    assert login(guardian).get(reverse("tracker:report_pdf", args=[child.public_id, kept.pk])).status_code == 404


def test_a_report_with_team_only_notes_is_read_by_therapists(login, pt, child):
    kept = report(child, pt, kind="therapist", team_only=True)
    assert login(pt).get(reverse("tracker:report_pdf", args=[child.public_id, kept.pk])).status_code == 200


def test_the_history_lists_the_reports(login, guardian, child):
    report(child, guardian)
    response = login(guardian).get(reverse("tracker:report_list", args=[child.public_id]))
    assert "Progress report for the doctor or family" in response.content.decode()


def test_the_childs_navigation_leads_to_reports(login, guardian, child):
    page = login(guardian).get(reverse("tracker:child_detail", args=[child.public_id])).content.decode()
    assert reverse("tracker:report_list", args=[child.public_id]) in page


def test_viewers_get_no_reports(login, viewer, child):
    assert login(viewer).get(reverse("tracker:report_list", args=[child.public_id])).status_code == 403


def test_outsiders_get_404(login, outsider, child):
    assert login(outsider).get(reverse("tracker:report_list", args=[child.public_id])).status_code == 404


@pytest.mark.parametrize("reports", [1, 6])
def test_the_history_makes_a_fixed_number_of_queries(login, guardian, child, reports, django_assert_max_num_queries):
    for n in range(reports):
        kept = report(child, guardian, start=timezone.localdate() - timedelta(days=200 + n))
        share, _, _ = services.share_report(report=kept, by=guardian, days=14, with_passcode=False)
        services.record_open(share=share, address=f"192.0.2.{n}")
    browser = login(guardian)
    with django_assert_max_num_queries(14):
        assert browser.get(reverse("tracker:report_list", args=[child.public_id])).status_code == 200


# --- The progress statement per goal (the IEP shape) ------------------------------------------


@pytest.mark.parametrize(
    ("status", "at_start", "latest", "reviewed", "said"),
    [
        ("active", -2, 0, 1, "met"),
        ("active", -2, -1, 1, "progressing"),
        ("active", -1, -1, 2, "not progressing"),
        ("active", -1, -1, 0, "not reviewed in this period"),
        ("achieved", -2, 1, 1, "met"),
        # The team's "achieved" and a level below the expected outcome are both told, not a bare "met".
        ("achieved", -2, -1, 1, "marked achieved; last level −1"),
        ("achieved", None, None, 0, "marked achieved; not scored"),
        ("discontinued", -2, -2, 1, "discontinued"),
        ("discontinued", -2, 0, 1, "met"),
    ],
)
def test_a_goal_is_met_only_at_its_expected_outcome_or_above(status, at_start, latest, reviewed, said):
    assert progress_statement(Goal(status=status), at_start, at_start, latest, reviewed) == said


def test_the_report_gives_an_active_goals_next_review(child, pt):
    walking = goal(child, pt, description="Walks 3 metres alone")
    Goal.objects.filter(pk=walking.pk).update(review_on=timezone.localdate() + timedelta(days=20))
    made, _ = services.make_report(child=child, spec=_spec("therapist", pt), by=pt)
    text = " ".join(" ".join(_text(made.pdf)).split())
    assert f"next review {timezone.localdate() + timedelta(days=20):%-d %b %Y}" in text


# --- What changed: since the last report, or within a first report's period --------------------


def test_a_first_report_counts_new_skills_since_its_start_not_since_a_report_that_was_never_made(child, guardian):
    today = timezone.localdate()
    observation(child, guardian, skill="gm-lifts-head-on-tummy", status="achieved", on=today - timedelta(days=20))
    spec = _spec("family", guardian)
    made, _ = services.make_report(child=child, spec=spec, by=guardian)
    text = " ".join(" ".join(_text(made.pdf)).split())
    assert f"1 newly achieved since {spec.start:%-d %b %Y}." in text
    assert "since the last report" not in text


def test_a_later_report_counts_new_skills_since_the_last_report(child, guardian):
    today = timezone.localdate()
    observation(child, guardian, skill="gm-lifts-head-on-tummy", status="achieved", on=today - timedelta(days=20))
    services.make_report(child=child, spec=_spec("family", guardian, end=today - timedelta(days=5)), by=guardian)
    observation(child, guardian, skill="gm-rolls-tummy-to-back", status="achieved", on=today - timedelta(days=2))
    made, _ = services.make_report(child=child, spec=_spec("family", guardian), by=guardian)
    text = " ".join(" ".join(_text(made.pdf)).split())
    assert "1 newly achieved since the last report." in text
