"""A child's profile: 'My children', adding, the overview's ages, editing, archiving and deleting."""

import html
import re
from datetime import UTC, date, datetime

import pytest
import time_machine
from django.urls import reverse
from pytest_django.asserts import assertContains, assertFormError, assertNotContains, assertRedirects

from tracker.models import AuditEvent, CareTeamMembership, Child, Goal, Observation, Skill

from ..factories import ChildFactory, UserFactory

pytestmark = pytest.mark.django_db

# 10 September 2025, midday in London: a child born on 10 March 2025 is exactly 6 months old.
TODAY = datetime(2025, 9, 10, 11, 0, tzinfo=UTC)


def _text(response) -> str:
    """The page as a person reads it: no tags, entities decoded, spaces collapsed."""
    text = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())
    return re.sub(r" ([,.])", r"\1", text)


def _url(name: str, child: Child) -> str:
    return reverse(f"tracker:{name}", args=[child.public_id])


def _child_data(**overrides) -> dict:
    return {"given_name": "Lily", "family_name": "Newborn", "date_of_birth": "2025-01-15"} | overrides


def _events(child: Child, action: str):
    return AuditEvent.objects.filter(child_public_id=child.public_id, action=action)


# --- My children --------------------------------------------------------------


def test_anonymous_is_sent_to_login(client):
    response = client.get(reverse("tracker:child_list"))
    assertRedirects(response, reverse("accounts:login") + "?next=" + reverse("tracker:child_list"))


def test_my_children_lists_the_users_child(login, guardian):
    assertContains(login(guardian).get(reverse("tracker:child_list")), "Maya Example")


def test_my_children_does_not_list_the_outsiders_child(login, guardian, outsider):
    assertNotContains(login(guardian).get(reverse("tracker:child_list")), "Otto")


def test_outsider_does_not_see_maya_in_their_list(login, guardian, outsider):
    assertNotContains(login(outsider).get(reverse("tracker:child_list")), "Maya")


def test_child_is_listed_once_however_big_the_team(login, team):
    response = login(team["pt"]).get(reverse("tracker:child_list"))
    assert _text(response).count("Maya Example") == 1


def test_list_shows_the_users_own_role_on_the_team(login, team):
    response = login(team["pt"]).get(reverse("tracker:child_list"))
    assert "Maya Example Therapist" in _text(response)


def test_archived_child_is_hidden_from_my_children(login, guardian, child):
    Child.objects.filter(pk=child.pk).update(archived=True)
    assertNotContains(login(guardian).get(reverse("tracker:child_list")), "Maya")


def test_archived_child_is_on_the_archived_list(login, guardian, child):
    Child.objects.filter(pk=child.pk).update(archived=True)
    assertContains(login(guardian).get(reverse("tracker:child_list_archived")), "Maya Example")


def test_active_child_is_not_on_the_archived_list(login, guardian):
    assertNotContains(login(guardian).get(reverse("tracker:child_list_archived")), "Maya")


# --- Adding a child -------------------------------------------------------------


def test_adding_a_child_saves_it(login, guardian):
    login(guardian).post(reverse("tracker:child_create"), _child_data())
    assert Child.objects.get(given_name="Lily").date_of_birth == date(2025, 1, 15)


def test_adding_a_child_opens_its_overview(login, guardian):
    response = login(guardian).post(reverse("tracker:child_create"), _child_data())
    assertRedirects(response, _url("child_detail", Child.objects.get(given_name="Lily")))


def test_parent_who_adds_a_child_becomes_its_guardian(login):
    parent = UserFactory(profession="parent")
    login(parent).post(reverse("tracker:child_create"), _child_data())
    membership = CareTeamMembership.objects.get(child__given_name="Lily")
    assert (membership.user, membership.role, membership.discipline) == (parent, "guardian", "")


def test_ot_who_adds_a_child_becomes_its_ot(login):
    ot = UserFactory(profession="ot")
    login(ot).post(reverse("tracker:child_create"), _child_data())
    membership = CareTeamMembership.objects.get(child__given_name="Lily")
    assert (membership.user, membership.role, membership.discipline) == (ot, "therapist", "OT")


def test_pt_who_adds_a_child_becomes_its_pt(login):
    pt = UserFactory(profession="pt")
    login(pt).post(reverse("tracker:child_create"), _child_data())
    membership = CareTeamMembership.objects.get(child__given_name="Lily")
    assert (membership.role, membership.discipline) == ("therapist", "PT")


def test_adding_a_child_is_audited_as_created(login, guardian):
    login(guardian).post(reverse("tracker:child_create"), _child_data())
    lily = Child.objects.get(given_name="Lily")
    assert list(_events(lily, "created").values_list("actor", flat=True)) == [guardian.pk]


def test_future_birth_date_is_refused_at_its_field(login, guardian):
    with time_machine.travel(TODAY, tick=False):
        response = login(guardian).post(reverse("tracker:child_create"), _child_data(date_of_birth="2025-09-11"))
    assertFormError(
        response.context["form"], "date_of_birth", "The date of birth cannot be in the future. Check the year."
    )


def test_future_birth_date_adds_no_child(login, guardian):
    with time_machine.travel(TODAY, tick=False):
        login(guardian).post(reverse("tracker:child_create"), _child_data(date_of_birth="2025-09-11"))
    assert not Child.objects.filter(given_name="Lily").exists()


def test_refused_birth_date_keeps_what_was_typed(login, guardian):
    with time_machine.travel(TODAY, tick=False):
        response = login(guardian).post(reverse("tracker:child_create"), _child_data(date_of_birth="2025-09-11"))
    assertContains(response, 'value="Lily"')
    assertContains(response, 'value="2025-09-11"')


@pytest.mark.parametrize("typed", ["23+6", "43+0", "43"])
def test_gestational_age_outside_24_to_42_weeks_is_refused_at_its_field(login, guardian, typed):
    response = login(guardian).post(reverse("tracker:child_create"), _child_data(gestational_age=typed))
    assertFormError(response.context["form"], "gestational_age", "Enter a gestational age from 24+0 to 42+6 weeks.")


@pytest.mark.parametrize("typed", ["36+7", "36.5", "thirty", "36-6"])
def test_gestational_age_not_in_weeks_and_days_is_refused_with_an_example(login, guardian, typed):
    response = login(guardian).post(reverse("tracker:child_create"), _child_data(gestational_age=typed))
    assertFormError(
        response.context["form"],
        "gestational_age",
        "Enter completed weeks and days as on the discharge letter, for example 36+6 (or 34 for 34+0).",
    )


@pytest.mark.parametrize("typed", ["23+6", "43"])
def test_refused_gestational_age_adds_no_child(login, guardian, typed):
    login(guardian).post(reverse("tracker:child_create"), _child_data(gestational_age=typed))
    assert not Child.objects.filter(given_name="Lily").exists()


def test_refused_gestational_age_keeps_what_was_typed(login, guardian):
    response = login(guardian).post(reverse("tracker:child_create"), _child_data(gestational_age="23+6"))
    assertContains(response, 'value="Lily"')
    assertContains(response, 'value="23+6"')


@pytest.mark.parametrize(("typed", "days"), [("36+6", 258), ("36 + 6", 258), ("34", 238), ("24+0", 168), ("", None)])
def test_gestational_age_is_kept_in_days(login, guardian, typed, days):
    login(guardian).post(reverse("tracker:child_create"), _child_data(gestational_age=typed))
    assert Child.objects.get(given_name="Lily").gestational_days == days


def test_the_form_asks_for_completed_weeks_and_days(login, guardian):
    response = login(guardian).get(reverse("tracker:child_create"))
    assertContains(response, "Completed weeks and days, as on the discharge letter")


def test_the_edit_form_shows_weeks_and_days(login, guardian, child):
    Child.objects.filter(pk=child.pk).update(gestational_days=258)
    assertContains(login(guardian).get(_url("child_edit", child)), 'value="36+6"')


def test_the_overview_shows_gestational_age_in_weeks_and_days(login, guardian, child):
    Child.objects.filter(pk=child.pk).update(gestational_days=30 * 7 + 2)
    assert "Born at 30+2 weeks" in _overview_on(login, guardian, child)


# --- Overview: ages -------------------------------------------------------------


def _overview_on(login, user, child) -> str:
    with time_machine.travel(TODAY, tick=False):
        response = login(user).get(_url("child_detail", child))
    assert response.status_code == 200
    return _text(response)


def test_overview_shows_chronological_age_in_words(login, guardian, child):
    assert "Age: 6 months" in _overview_on(login, guardian, child)


def test_overview_shows_corrected_age_for_a_baby_born_at_30_weeks(login, guardian, child):
    Child.objects.filter(pk=child.pk).update(gestational_days=30 * 7)
    # Due date 19 May 2025 (10 weeks late): 3 months 22 days corrected.
    assert "Age: 6 months, corrected: 3 months" in _overview_on(login, guardian, child)


def test_overview_shows_no_corrected_age_for_a_term_baby(login, guardian, child):
    assert "corrected" not in _overview_on(login, guardian, child)


def test_overview_shows_no_corrected_age_for_a_baby_born_at_37_weeks(login, guardian, child):
    Child.objects.filter(pk=child.pk).update(gestational_days=37 * 7)
    assert "corrected" not in _overview_on(login, guardian, child)


def test_overview_shows_no_corrected_age_after_24_months(login, guardian, child):
    Child.objects.filter(pk=child.pk).update(gestational_days=30 * 7, date_of_birth=date(2023, 9, 10))
    page = _overview_on(login, guardian, child)
    assert "Age: 2 years" in page
    assert "corrected:" not in page


def test_outsider_gets_404_on_the_overview(login, guardian, outsider, child):
    assert login(outsider).get(_url("child_detail", child)).status_code == 404


# --- Editing the profile --------------------------------------------------------


def test_edit_saves_the_profile(login, guardian, child):
    login(guardian).post(_url("child_edit", child), _child_data(given_name="Maia", date_of_birth="2025-03-10"))
    child.refresh_from_db()
    assert child.given_name == "Maia"


def test_edit_is_audited_with_the_fields_changed(login, guardian, child):
    login(guardian).post(_url("child_edit", child), _child_data(given_name="Maia", date_of_birth="2025-03-10"))
    event = _events(child, "changed").get()
    assert (event.actor, event.summary) == (guardian, "Edited the profile (given_name, family_name)")


def test_refused_edit_keeps_the_profile_unchanged(login, guardian, child):
    login(guardian).post(_url("child_edit", child), _child_data(given_name="Maia", gestational_age="50"))
    child.refresh_from_db()
    assert child.given_name == "Maya"


def test_viewer_cannot_edit(login, guardian, viewer, child):
    login(viewer).post(_url("child_edit", child), _child_data(given_name="Maia", date_of_birth="2025-03-10"))
    child.refresh_from_db()
    assert child.given_name == "Maya"


# --- Archive and restore --------------------------------------------------------


def test_archive_marks_the_child_archived(login, guardian, child):
    login(guardian).post(_url("child_archive", child))
    child.refresh_from_db()
    assert child.archived


def test_archive_is_audited(login, guardian, child):
    login(guardian).post(_url("child_archive", child))
    assert _events(child, "archived").count() == 1


def test_archived_child_overview_says_so(login, guardian, child):
    client = login(guardian)
    client.post(_url("child_archive", child))
    assertContains(client.get(_url("child_detail", child)), "This child is archived")


def test_restore_brings_the_child_back_to_my_children(login, guardian, child):
    client = login(guardian)
    client.post(_url("child_archive", child))
    client.post(_url("child_restore", child))
    assertContains(client.get(reverse("tracker:child_list")), "Maya Example")


def test_restore_is_audited(login, guardian, child):
    client = login(guardian)
    client.post(_url("child_archive", child))
    client.post(_url("child_restore", child))
    assert _events(child, "restored").count() == 1


def test_therapist_cannot_archive(login, guardian, pt, child):
    login(pt).post(_url("child_archive", child))
    child.refresh_from_db()
    assert not child.archived


# --- Deleting -------------------------------------------------------------------


def test_delete_with_the_wrong_name_is_refused_at_the_name_field(login, guardian, child):
    response = login(guardian).post(_url("child_delete", child), {"name": "Mia"})
    assertFormError(response.context["form"], "name", "That does not match. Type “Maya” exactly to delete.")


def test_delete_with_the_wrong_name_deletes_nothing(login, guardian, child):
    login(guardian).post(_url("child_delete", child), {"name": "Mia"})
    assert Child.objects.filter(pk=child.pk).exists()


def test_delete_with_the_given_name_deletes_the_child(login, guardian, child):
    login(guardian).post(_url("child_delete", child), {"name": "Maya"})
    assert not Child.objects.filter(pk=child.pk).exists()


def test_delete_goes_back_to_my_children(login, guardian, child):
    response = login(guardian).post(_url("child_delete", child), {"name": "Maya"})
    assertRedirects(response, reverse("tracker:child_list"))


@pytest.fixture
def history(child):
    """Maya's record with a correction, and a custom skill with an observation and a goal: all PROTECT."""
    catalogue_skill = Skill.objects.catalogue().first()
    custom = Skill.objects.create(domain=catalogue_skill.domain, slug="maya-own", name="Own skill", child=child)
    wrong = Observation.objects.create(
        child=child, skill=catalogue_skill, observed_on=date(2025, 6, 1), status="emerging"
    )
    Observation.objects.create(
        child=child, skill=catalogue_skill, observed_on=date(2025, 6, 1), status="achieved", corrects=wrong
    )
    Observation.objects.create(child=child, skill=custom, observed_on=date(2025, 6, 2), status="not_yet")
    Goal.objects.create(child=child, skill=custom, description="Own skill by December", target_date=date(2025, 12, 1))


def test_delete_takes_the_whole_history_with_it(login, guardian, child, history):
    login(guardian).post(_url("child_delete", child), {"name": "Maya"})
    assert not Child.objects.filter(pk=child.pk).exists()


def test_delete_keeps_the_catalogue(login, guardian, child, history):
    catalogue_size = Skill.objects.catalogue().count()
    login(guardian).post(_url("child_delete", child), {"name": "Maya"})
    assert Skill.objects.catalogue().count() == catalogue_size


def test_delete_removes_every_membership(login, team, child):
    login(team["guardian"]).post(_url("child_delete", child), {"name": "Maya"})
    assert not CareTeamMembership.objects.filter(child_id=child.pk).exists()


def test_delete_leaves_other_children_alone(login, guardian, outsider, outsider_child, child):
    login(guardian).post(_url("child_delete", child), {"name": "Maya"})
    assert Child.objects.filter(pk=outsider_child.pk).exists()


def test_delete_keeps_a_deleted_audit_event_with_the_public_id(login, guardian, child):
    login(guardian).post(_url("child_delete", child), {"name": "Maya"})
    event = AuditEvent.objects.get(action="deleted")
    assert (event.child, event.child_public_id, event.actor) == (None, child.public_id, guardian)


def test_deleted_audit_event_does_not_name_the_child(login, guardian, child):
    login(guardian).post(_url("child_delete", child), {"name": "Maya"})
    summary = AuditEvent.objects.get(action="deleted").summary
    assert summary
    assert "Maya" not in summary and "Example" not in summary


def test_therapist_cannot_delete(login, guardian, pt, child):
    login(pt).post(_url("child_delete", child), {"name": "Maya"})
    assert Child.objects.filter(pk=child.pk).exists()


def test_a_new_child_added_elsewhere_is_not_in_my_list(login, guardian):
    ChildFactory(given_name="Stranger")
    assertNotContains(login(guardian).get(reverse("tracker:child_list")), "Stranger")


def test_edit_form_shows_the_birth_date_in_the_format_date_pickers_read(login, guardian, child):
    response = login(guardian).get(reverse("tracker:child_edit", args=[child.public_id]))
    assert 'value="2025-03-10"' in response.content.decode()
