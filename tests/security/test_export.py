"""The family's data export: everything about one child, to those allowed, and nothing else.

The figure: child A and child B each get a complete record (tests/security/records.py) whose free text
carries a marker of its child and starts with a spreadsheet formula. A's guardian and A's therapist export
A as JSON and as a zip of CSV files; every row the exporter may read must be there (missing rows), no row
of B's or beyond the exporter's reading rights (foreign rows), and no CSV cell may start a formula.
"""

import csv
import io
import json
import zipfile
from datetime import date

import pytest
from django.urls import reverse

from tracker import export, services
from tracker.models import (
    Activity,
    AuditEvent,
    CareTeamMembership,
    Discipline,
    Goal,
    GoalReview,
    Invitation,
    Note,
    NoteRevision,
    Observation,
    PracticeLog,
    Skill,
    Visibility,
)

from ..factories import note, therapist
from .records import full_record

pytestmark = pytest.mark.django_db

FORMULAS = ('=HYPERLINK("http://evil.example","x")', "+1+1", "-2+3", "@SUM(A1)", "\tTab", "\rReturn")


def formula_text(tag: str):
    """Free text that starts with a formula and carries the child's marker."""
    counter = iter(range(10_000))

    def text(field: str) -> str:
        return f"{FORMULAS[next(counter) % len(FORMULAS)]} {tag} {field}"

    return text


@pytest.fixture
def world(child, guardian, pt, viewer, outsider, outsider_child):
    """A complete record for Maya (marker MARKER-A) and for Otto (MARKER-B), each with its own team."""
    full_record(child, guardian, pt, text=formula_text("MARKER-A"))
    otto_therapist = therapist(outsider_child, Discipline.OCCUPATIONAL_THERAPY, name="Tess Other")
    full_record(outsider_child, outsider, otto_therapist, text=formula_text("MARKER-B"))
    return child


def _url(name: str, child) -> str:
    return reverse(f"tracker:{name}", args=[child.public_id])


def _body(response) -> bytes:
    """The whole download: exports are streamed as they are read."""
    return b"".join(response.streaming_content) if response.streaming else response.content


def _json(client, child) -> dict:
    return json.loads(_body(client.get(_url("export_json", child))))


def _zip(client, child) -> dict[str, list[list[str]]]:
    """Every CSV file of the zip export, as rows of cells (header first)."""
    archive = zipfile.ZipFile(io.BytesIO(_body(client.get(_url("export_zip", child)))))
    return {
        name: list(csv.reader(io.StringIO(archive.read(name).decode("utf-8-sig"), newline="")))
        for name in archive.namelist()
        if name.endswith(".csv")
    }


# --- The pure parts ----------------------------------------------------------------


@pytest.mark.parametrize("cell", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"])
def test_neutralise_prefixes_formula_starts_with_an_apostrophe(cell):
    assert export.neutralise(cell) == "'" + cell


@pytest.mark.parametrize("cell", ["Walks alone", "", " =1", "1-1", "'=1", "a@b.org"])
def test_neutralise_leaves_other_text_alone(cell):
    assert export.neutralise(cell) == cell


@pytest.mark.parametrize("number", [-2, -1.5, 0, 3])
def test_neutralise_leaves_numbers_as_numbers(number):
    assert export.neutralise(number) == number


def test_csv_writes_a_negative_number_as_a_number_and_negative_text_as_text():
    data = export.to_csv([{"level": -2, "comment": "-2 this week"}], ["level", "comment"])
    assert data.decode("utf-8-sig").splitlines()[1] == "-2,'-2 this week"


def test_csv_keeps_unicode_and_starts_with_a_byte_order_mark():
    data = export.to_csv([{"name": "Zoë 🔐"}], ["name"])
    assert data.startswith(b"\xef\xbb\xbf") and "Zoë 🔐" in data.decode("utf-8-sig")


def test_file_name_does_not_name_the_child(child):
    name = export.filename(child, date(2026, 3, 1), "zip")
    assert name == f"skills-tracker-export-{child.public_id}-2026-03-01.zip"


# --- Access ------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["export_json", "export_zip"])
def test_anonymous_is_sent_to_login(client, child, name):
    response = client.get(_url(name, child))
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize("name", ["export_json", "export_zip"])
def test_outsider_gets_404(login, outsider, child, name):
    assert login(outsider).get(_url(name, child)).status_code == 404


@pytest.mark.parametrize("name", ["export_json", "export_zip"])
def test_viewer_gets_403(login, viewer, child, name):
    assert login(viewer).get(_url(name, child)).status_code == 403


@pytest.mark.parametrize("name", ["export_json", "export_zip"])
def test_post_is_not_allowed(login, guardian, child, name):
    assert login(guardian).post(_url(name, child)).status_code == 405


@pytest.mark.parametrize("name", ["export_json", "export_zip"])
def test_refused_export_is_not_audited(login, viewer, child, name):
    login(viewer).get(_url(name, child))
    assert not AuditEvent.objects.filter(action="exported").exists()


@pytest.mark.parametrize("user", ["guardian", "pt"])
def test_guardian_and_therapist_may_export(login, request, child, user):
    response = login(request.getfixturevalue(user)).get(_url("export_zip", child))
    assert response.status_code == 200


# --- The response ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content_type"), [("export_json", "application/json"), ("export_zip", "application/zip")]
)
def test_export_is_a_download(login, guardian, child, name, content_type):
    response = login(guardian).get(_url(name, child))
    assert (response["Content-Type"], response["Content-Disposition"].split(";")[0]) == (content_type, "attachment")


@pytest.mark.parametrize("name", ["export_json", "export_zip"])
def test_export_is_never_cached(login, guardian, child, name):
    assert login(guardian).get(_url(name, child))["Cache-Control"] == "no-store"


@pytest.mark.parametrize("name", ["export_json", "export_zip"])
def test_export_is_audited_once(login, guardian, child, name):
    login(guardian).get(_url(name, child))
    events = AuditEvent.objects.filter(child=child, action="exported")
    assert list(events.values_list("actor", flat=True)) == [guardian.pk]


def test_audit_summary_says_which_format(login, guardian, child):
    login(guardian).get(_url("export_zip", child))
    assert AuditEvent.objects.get(action="exported").summary == "Exported all the child's data (CSV files in a zip)"


def test_overview_offers_the_export_to_a_guardian(login, guardian, child):
    assert _url("export_zip", child) in login(guardian).get(_url("child_detail", child)).content.decode()


def test_overview_does_not_offer_the_export_to_a_viewer(login, viewer, child):
    assert _url("export_zip", child) not in login(viewer).get(_url("child_detail", child)).content.decode()


# --- The content -------------------------------------------------------------------


def test_json_holds_the_profile(login, guardian, child):
    assert _json(login(guardian), child)["child"]["given_name"] == "Maya"


def test_json_names_the_team_with_emails_and_roles(login, team, child):
    members = _json(login(team["guardian"]), child)["care_team"]
    assert {(m["email"], m["role"]) for m in members} == {
        ("guardian@example.org", "guardian"),
        ("ot@example.org", "therapist"),
        ("pt@example.org", "therapist"),
        ("viewer@example.org", "viewer"),
    }


def test_json_holds_withdrawn_and_corrected_observations(login, guardian, world):
    observations = _json(login(guardian), world)["observations"]
    assert sum(1 for o in observations if o["withdrawn_at"]) == 2 and any(o["corrects"] for o in observations)


def test_guardian_export_leaves_team_only_notes_out(login, guardian, world):
    notes = _json(login(guardian), world)["notes"]
    assert {n["visibility"] for n in notes} == {"family"}


def test_therapist_export_includes_team_only_notes(login, pt, world):
    notes = _json(login(pt), world)["notes"]
    assert {n["visibility"] for n in notes} == {"family", "team"}


def test_note_revisions_come_with_the_note(login, pt, world):
    revisions = _json(login(pt), world)["note_revisions"]
    assert sorted(r["body"].split(" ", 1)[1] for r in revisions) == ["MARKER-A family note", "MARKER-A team note"]


def test_earlier_team_only_version_of_a_now_shared_note_stays_out_of_a_guardians_export(login, guardian, pt, child):
    shared = note(child, pt, visibility="team", body="For the team only: UNSHARED-TEXT")
    changes = {name: getattr(shared, name) for name in ("kind", "session_date", "subjective", "objective")}
    changes.update(visibility="family", body="Shared now.", assessment="", plan="")
    services.edit_note(note_id=shared.pk, changes=changes, skills=[], goals=[], expected_version=1, by=pt)
    assert b"UNSHARED-TEXT" not in _body(login(guardian).get(_url("export_json", child)))


def test_json_holds_goals_reviews_and_custom_skills(login, guardian, world):
    document = _json(login(guardian), world)
    assert (len(document["goals"]), len(document["goal_reviews"]), len(document["custom_skills"])) == (1, 1, 1)


def test_a_goals_next_review_is_in_the_json(login, guardian, world):
    Goal.objects.filter(child=world).update(review_on=date(2026, 9, 14))
    assert _json(login(guardian), world)["goals"][0]["review_on"] == "2026-09-14"


def test_json_holds_the_childs_audit_events_including_this_export(login, guardian, world):
    events = _json(login(guardian), world)["audit_events"]
    assert len(events) == AuditEvent.objects.filter(child=world).count() and events[-1]["action"] == "exported"


def test_json_keeps_text_exactly_as_written(login, guardian, world):
    notes = _json(login(guardian), world)["notes"]
    assert all(not n["body"].startswith("'") for n in notes)


def test_zip_has_a_file_per_section_and_a_readme(login, guardian, child):
    response = login(guardian).get(_url("export_zip", child))
    names = set(zipfile.ZipFile(io.BytesIO(_body(response))).namelist())
    assert names == {"README.txt", "child.csv", *(f"{section}.csv" for section in export.SECTIONS)}


def test_zip_csv_cells_starting_a_formula_are_neutralised(login, guardian, world):
    files = _zip(login(guardian), world)
    bodies = [row[files["notes.csv"][0].index("body")] for row in files["notes.csv"][1:]]
    assert bodies and all(body.startswith("'") for body in bodies)


# Session and user 2, membership 1, audit event 1 (+2 for its savepoint in a test), then one query per
# section: team, invitations, custom skills, observations, reviews of skills no longer seen, goals, goal
# reviews, notes (+ their skills, goals and revisions), audit events.
EXPORT_QUERIES = 21  # 18, and the home programme: activities, their skills, practice logs


def test_export_queries_do_not_grow_with_the_record(login, pt, child, guardian, django_assert_max_num_queries):
    client = login(pt)
    full_record(child, guardian, pt, text=formula_text("ONE"))
    with django_assert_max_num_queries(EXPORT_QUERIES):
        client.get(_url("export_json", child))
    full_record(child, guardian, pt, text=formula_text("MORE"))
    full_record(child, guardian, pt, text=formula_text("EVEN MORE"))
    with django_assert_max_num_queries(EXPORT_QUERIES):
        client.get(_url("export_json", child))


# --- The figure --------------------------------------------------------------------


def _expected(child, member) -> dict[str, set]:
    """What `member`'s export of `child` must hold, per section, read straight from the tables."""
    therapist_view = member.role == "therapist"
    notes = Note.objects.filter(child=child)
    revisions = NoteRevision.objects.filter(note__child=child)
    if not therapist_view:
        notes = notes.filter(visibility=Visibility.FAMILY)
        revisions = revisions.filter(note__visibility=Visibility.FAMILY, visibility=Visibility.FAMILY)
    return {
        "care_team": set(CareTeamMembership.objects.filter(child=child).values_list("user__email", flat=True)),
        "invitations": set(Invitation.objects.filter(child=child).values_list("pk", flat=True)),
        "custom_skills": set(Skill.objects.filter(child=child).values_list("slug", flat=True)),
        "observations": set(Observation.objects.filter(child=child).values_list("pk", flat=True)),
        "goals": set(Goal.objects.filter(child=child).values_list("pk", flat=True)),
        "goal_reviews": set(GoalReview.objects.filter(goal__child=child).values_list("pk", flat=True)),
        "notes": set(notes.values_list("pk", flat=True)),
        "note_revisions": set(revisions.values_list("note", "version")),
        "activities": set(Activity.objects.filter(child=child).values_list("pk", flat=True)),
        "practice_logs": set(PracticeLog.objects.filter(child=child).values_list("pk", flat=True)),
    }


KEYS = {
    "care_team": lambda row: row["email"],
    "invitations": lambda row: int(row["id"]),
    "custom_skills": lambda row: row["slug"],
    "observations": lambda row: int(row["id"]),
    "goals": lambda row: int(row["id"]),
    "goal_reviews": lambda row: int(row["id"]),
    "notes": lambda row: int(row["id"]),
    "note_revisions": lambda row: (int(row["note"]), int(row["version"])),
    "activities": lambda row: int(row["id"]),
    "practice_logs": lambda row: int(row["id"]),
}


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def _unneutralised(files: dict[str, list[list[str]]]) -> list[str]:
    return [
        f"{name}: {cell!r}"
        for name, rows in files.items()
        for row in rows
        for cell in row
        if cell.startswith(export.FORMULA_TRIGGERS) and not _is_number(cell)
    ]


def test_export_figure(client, world, guardian, pt, outsider_child, figure):
    missing, foreign, unneutralised, tries = [], [], [], 0
    for user in (guardian, pt):
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        member = CareTeamMembership.objects.get(child=world, user=user)
        json_response = client.get(_url("export_json", world))
        zip_files = _zip(client, world)
        expected = _expected(world, member)
        expected["audit_events"] = AuditEvent.objects.filter(child=world).count()
        json_body = _body(json_response)
        as_json = json.loads(json_body)
        as_csv = {
            name.removesuffix(".csv"): [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]
            for name, rows in zip_files.items()
        }
        for label, document in (("json", as_json), ("csv", as_csv)):
            tries += 1
            for section, key in KEYS.items():
                got = [key(row) for row in document[section]]
                missing += [f"{user.email} {label} {section} {k}" for k in expected[section] - set(got)]
                foreign += [f"{user.email} {label} {section} {k}" for k in set(got) - expected[section]]
                foreign += [f"{user.email} {label} {section}: duplicate rows"] if len(got) != len(set(got)) else []
            # Audit events are append-only: the count now is the count at the export (the zip one came after).
            if len(document["audit_events"]) not in (expected["audit_events"] - 1, expected["audit_events"]):
                missing.append(f"{user.email} {label} audit_events")
        for body in (json_body, b"".join(str(files).encode() for files in zip_files.values())):
            if b"MARKER-B" in body:
                foreign.append(f"{user.email}: a marker of the other child")
        unneutralised += _unneutralised(zip_files)
    line = (
        f"EXPORT: {len(missing)} missing rows, {len(foreign)} foreign rows, "
        f"{len(unneutralised)} unneutralised cells ({tries} exports by guardian and therapist, JSON and CSV)"
    )
    figure(line)
    assert (missing, foreign, unneutralised) == ([], [], []), line
