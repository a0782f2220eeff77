"""Writing a note: who writes which kind, what a note must hold, its links, and a double submit."""

import html
import re
import uuid
from datetime import UTC, date, datetime
from unittest import mock

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pytest_django.asserts import assertRedirects

from tracker.models import Goal, Note, Skill

pytestmark = pytest.mark.django_db

# Maya (born 10 March 2025) is almost eleven months old.
TODAY = datetime(2026, 2, 1, 11, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _frozen_today():
    with time_machine.travel(TODAY, tick=False):
        yield


def _url(child) -> str:
    return reverse("tracker:note_create", args=[child.public_id])


def _post(client, child, **data):
    fields = {"kind": "general", "visibility": "team", "session_date": "2026-01-30", "body": "Worked on stairs."}
    return client.post(_url(child), fields | data)


def _text(response) -> str:
    """The page as a person reads it: no tags, entities decoded, spaces collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


def _goal(child, description: str = "Walks ten steps unaided by June") -> Goal:
    return Goal.objects.create(
        child=child,
        skill=Skill.objects.get(slug="gm-walks-alone"),
        description=description,
        target_date=date(2026, 6, 1),
    )


# --- Access ---------------------------------------------------------------------


def test_anonymous_is_sent_to_log_in(client, child):
    response = client.get(_url(child))
    assert response["Location"].startswith(reverse("accounts:login"))


def test_outsider_gets_404(login, child, outsider):
    assert login(outsider).get(_url(child)).status_code == 404


def test_viewer_gets_403_on_the_form(login, child, viewer):
    assert login(viewer).get(_url(child)).status_code == 403


def test_viewer_gets_403_on_a_post(login, child, viewer):
    assert _post(login(viewer), child).status_code == 403


def test_viewers_post_saves_nothing(login, child, viewer):
    _post(login(viewer), child)
    assert not Note.objects.exists()


# --- Guardians write family updates -------------------------------------------------


def test_guardians_form_offers_only_family_updates(login, child, guardian):
    form = login(guardian).get(_url(child)).context["form"]
    assert [value for value, _ in form.fields["kind"].choices] == ["family_update"]


def test_guardian_writes_a_family_update_shared_with_family(login, child, guardian):
    _post(login(guardian), child, kind="family_update", visibility="", body="She climbed the sofa!")
    assert Note.objects.values_list("kind", "visibility").get() == ("family_update", "family")


def test_guardian_posting_a_session_note_is_refused(login, child, guardian):
    response = _post(login(guardian), child, kind="session", subjective="Pretending to be the OT.")
    assert "kind" in response.context["form"].errors


def test_guardian_posting_a_session_note_saves_nothing(login, child, guardian):
    _post(login(guardian), child, kind="session", subjective="Pretending to be the OT.")
    assert not Note.objects.exists()


def test_guardian_posting_a_team_only_family_update_shares_it_with_family(login, child, guardian):
    _post(login(guardian), child, kind="family_update", visibility="team", body="Slept well.")
    assert Note.objects.get().visibility == "family"


def test_guardian_posting_a_team_only_general_note_is_refused(login, child, guardian):
    _post(login(guardian), child, kind="general", visibility="team", body="Secret.")
    assert not Note.objects.exists()


# --- Therapists write any kind, with the visibility they choose ------------------------

THERAPIST_CHOICES = [
    ("session", "team"),
    ("session", "family"),
    ("general", "team"),
    ("general", "family"),
    ("family_update", "family"),
]


@pytest.mark.parametrize(("kind", "visibility"), THERAPIST_CHOICES)
def test_therapist_writes_each_kind_with_the_chosen_visibility(login, child, pt, kind, visibility):
    _post(login(pt), child, kind=kind, visibility=visibility, subjective="Reports tiredness.")
    assert Note.objects.values_list("kind", "visibility").get() == (kind, visibility)


def test_therapist_writing_a_family_update_as_team_only_shares_it_with_family(login, child, pt):
    _post(login(pt), child, kind="family_update", visibility="team")
    assert Note.objects.get().visibility == "family"


def test_saving_redirects_to_the_new_note(login, child, pt):
    response = _post(login(pt), child)
    assertRedirects(response, reverse("tracker:note_detail", args=[child.public_id, Note.objects.get().pk]))


def test_a_session_note_keeps_its_soap_sections(login, child, ot):
    soap = {"subjective": "S text", "objective": "O text", "assessment": "A text", "plan": "P text"}
    _post(login(ot), child, kind="session", body="", **soap)
    assert Note.objects.values("subjective", "objective", "assessment", "plan").get() == soap


@pytest.mark.parametrize(
    ("writer", "shown"),
    [("pt", "Paul PT (PT)"), ("ot", "Olga OT (OT)"), ("guardian", "Gina Guardian (Family)")],
)
def test_the_note_shows_its_authors_name_and_discipline(login, child, team, writer, shown):
    client = login(team[writer])
    response = _post(client, child, kind="family_update", body="News.")
    assert shown in _text(client.get(response["Location"]))


# --- What a note must hold ---------------------------------------------------------


def test_a_session_note_without_any_soap_section_is_refused_at_the_first_section(login, child, pt):
    response = _post(login(pt), child, kind="session", body="Only a body.")
    assert response.context["form"].errors["subjective"] == ["Write at least one of the SOAP sections."]


def test_the_missing_soap_message_is_shown_on_the_page(login, child, pt):
    response = _post(login(pt), child, kind="session", body="")
    assert "Write at least one of the SOAP sections." in _text(response)


def test_a_session_note_with_one_section_is_enough(login, child, pt):
    _post(login(pt), child, kind="session", body="", plan="Stairs next week.")
    assert Note.objects.get().plan == "Stairs next week."


def test_an_empty_general_note_is_refused_at_the_body(login, child, pt):
    response = _post(login(pt), child, body="   ")
    assert response.context["form"].errors["body"] == ["Write the note here."]


def test_20000_characters_are_accepted(login, child, pt):
    _post(login(pt), child, body="a" * 20_000)
    assert len(Note.objects.get().body) == 20_000


def test_20001_characters_are_refused_at_the_field(login, child, pt):
    response = _post(login(pt), child, body="a" * 20_001)
    [message] = response.context["form"].errors["body"]
    assert message.startswith("This section is too long: at most 20,000 characters")
    assert message.endswith("Split it into two notes; your text is still here.")


def test_20001_characters_are_kept_in_the_form(login, child, pt):
    response = _post(login(pt), child, body="b" * 20_001)
    assert re.search(r'<textarea name="body"[^>]*>\s*' + "b" * 20_001 + r"\s*</textarea>", response.content.decode())


def test_20001_characters_save_nothing(login, child, pt):
    _post(login(pt), child, body="a" * 20_001)
    assert not Note.objects.exists()


def test_an_overlong_soap_section_is_refused_at_that_section(login, child, pt):
    response = _post(login(pt), child, kind="session", body="", objective="o" * 20_001)
    assert "objective" in response.context["form"].errors


def test_a_future_session_date_is_refused(login, child, pt):
    response = _post(login(pt), child, session_date="2026-02-02")
    assert response.context["form"].errors["session_date"] == ["The date cannot be in the future."]


def test_a_session_date_before_birth_is_refused(login, child, pt):
    response = _post(login(pt), child, session_date="2025-03-09")
    assert response.context["form"].errors["session_date"] == ["The date cannot be before the child's birth."]


def test_the_day_of_birth_is_accepted(login, child, pt):
    _post(login(pt), child, session_date="2025-03-10")
    assert Note.objects.get().session_date == date(2025, 3, 10)


def test_the_date_defaults_to_today_in_the_format_a_date_input_shows(login, child, pt):
    """A date input shows only ISO dates: "01/02/2026" (the en-GB format) would leave it empty."""
    content = login(pt).get(_url(child)).content.decode()
    assert re.search(r'<input type="date" name="session_date" value="2026-02-01"', content)


def test_a_refused_form_keeps_what_was_typed(login, child, pt):
    response = _post(login(pt), child, session_date="2030-01-01", body="Everything I typed, kept.")
    assert "Everything I typed, kept." in response.content.decode()


# --- Links to the child's skills and goals ---------------------------------------------


def test_linking_catalogue_skills(login, child, pt):
    skills = Skill.objects.filter(slug__in=["gm-walks-alone", "gm-sits-without-support"])
    _post(login(pt), child, skills=[s.pk for s in skills])
    assert set(Note.objects.get().skills.all()) == set(skills)


def test_linking_the_childs_goal(login, child, pt):
    goal = _goal(child)
    _post(login(pt), child, goals=[goal.pk])
    assert list(Note.objects.get().goals.all()) == [goal]


def test_linked_skills_and_goals_are_shown_on_the_note(login, child, pt):
    goal = _goal(child)
    client = login(pt)
    response = _post(client, child, skills=[Skill.objects.get(slug="gm-walks-alone").pk], goals=[goal.pk])
    page = _text(client.get(response["Location"]))
    assert "Skills: Walks alone" in page
    assert "Goals: Walks ten steps unaided by June" in page


def test_another_childs_custom_skill_is_refused(login, child, outsider_child, outsider, pt):
    theirs = Skill.objects.create(
        child=outsider_child,
        domain=Skill.objects.get(slug="gm-walks-alone").domain,
        name="Otto's own skill",
        slug="custom-otto",
        order=100_000,
    )
    response = _post(login(pt), child, skills=[theirs.pk])
    assert "skills" in response.context["form"].errors


def test_another_childs_goal_is_refused(login, child, outsider_child, outsider, pt):
    theirs = _goal(outsider_child, "Otto's goal")
    response = _post(login(pt), child, goals=[theirs.pk])
    assert "goals" in response.context["form"].errors


def test_another_childs_goal_links_nothing(login, child, outsider_child, outsider, pt):
    _post(login(pt), child, goals=[_goal(outsider_child, "Otto's goal").pk])
    assert not Note.objects.exists()


def test_write_a_note_about_this_skill_preselects_it(login, child, ot):
    response = login(ot).get(_url(child), {"skill": "gm-walks-alone"})
    assert response.context["form"]["skills"].value() == [Skill.objects.get(slug="gm-walks-alone").pk]


# --- Double submit ----------------------------------------------------------------


def test_each_form_carries_its_own_submission_id(login, child, pt):
    client = login(pt)
    first, second = (client.get(_url(child)).context["form"]["submission_id"].value() for _ in range(2))
    assert uuid.UUID(str(first)) != uuid.UUID(str(second))


def test_the_same_submission_twice_creates_one_note(login, child, pt):
    client, submission = login(pt), str(uuid.uuid4())
    _post(client, child, submission_id=submission)
    _post(client, child, submission_id=submission)
    assert Note.objects.count() == 1


def test_both_responses_to_a_double_submit_redirect_to_the_one_note(login, child, pt):
    client, submission = login(pt), str(uuid.uuid4())
    first = _post(client, child, submission_id=submission)
    second = _post(client, child, submission_id=submission)
    expected = reverse("tracker:note_detail", args=[child.public_id, Note.objects.get().pk])
    assert (first["Location"], second["Location"]) == (expected, expected)


def test_a_double_submit_writes_one_created_audit_event(login, child, pt):
    client, submission = login(pt), str(uuid.uuid4())
    _post(client, child, submission_id=submission)
    _post(client, child, submission_id=submission)
    assert child.audit_events.filter(action="created", object_type="note").count() == 1


def test_two_different_submissions_create_two_notes(login, child, pt):
    client = login(pt)
    _post(client, child, submission_id=str(uuid.uuid4()))
    _post(client, child, submission_id=str(uuid.uuid4()))
    assert Note.objects.count() == 2


def test_the_same_submission_id_from_two_people_creates_two_notes(login, child, ot, pt):
    submission = str(uuid.uuid4())
    _post(login(pt), child, submission_id=submission)
    _post(login(ot), child, submission_id=submission)
    assert Note.objects.count() == 2


def test_a_double_submit_that_races_past_the_check_gets_the_first_note(login, child, pt):
    # Two requests both find no note for the submission, then both insert: the second one's INSERT
    # fails on the unique constraint. The check is made to miss once, as the racing request would.
    client, submission = login(pt), str(uuid.uuid4())
    _post(client, child, submission_id=submission)
    first = Note.objects.get()
    real_filter, calls = Note.objects.filter, []

    def misses_once(*args, **kwargs):
        calls.append(kwargs)
        found = real_filter(*args, **kwargs)
        return found.none() if len(calls) == 1 else found

    with mock.patch.object(Note.objects, "filter", side_effect=misses_once):
        response = _post(client, child, submission_id=submission)
    assert response["Location"] == reverse("tracker:note_detail", args=[child.public_id, first.pk])
    assert Note.objects.count() == 1
    assert child.audit_events.filter(action="created", object_type="note").count() == 1
    assert calls, "the check for an earlier note was made to miss"


# Outside a test transaction, so that a savepoint in the save would show as one.
@pytest.mark.django_db(transaction=True)
def test_a_note_save_checks_the_rules_without_extra_round_trips(login, child, pt):
    with CaptureQueriesContext(connection) as queries:
        response = _post(login(pt), child, kind="family_update", visibility="team")
    assert response.status_code == 302
    assert Note.objects.get().visibility == "family"
    statements = [query["sql"] for query in queries.captured_queries]
    assert not [sql for sql in statements if '"_check"' in sql or "SAVEPOINT" in sql]


def _note(child, **fields) -> Note:
    defaults = {"kind": "general", "visibility": "team", "session_date": date(2026, 1, 30), "body": "x"}
    return Note(child=child, **(defaults | fields))


def test_a_team_only_family_update_is_refused_by_the_model(child):
    with pytest.raises(ValidationError, match="A family update is always shared with the family."):
        _note(child, kind="family_update").validate_constraints()
    _note(child, kind="family_update", visibility="family").validate_constraints()
    _note(child).validate_constraints()
    # As with Django's own constraint checks, an excluded field's rule is not checked.
    _note(child, kind="family_update").validate_constraints(exclude={"kind"})


def test_the_family_update_rule_is_the_only_constraint_on_visibility():
    # Note.validate_constraints passes `visibility` on as excluded, which must skip this rule only.
    on_visibility = [c.name for c in Note._meta.constraints if "visibility" in str(c)]
    assert on_visibility == ["note_family_update_is_shared_with_family"]
