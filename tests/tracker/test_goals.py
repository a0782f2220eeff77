"""Goals with GAS: everyone on the team reads them; therapists set, edit and review them."""

import html
import re
from datetime import UTC, date, datetime

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.urls import reverse
from pytest_django.asserts import assertContains, assertFormError, assertNotContains

from tracker import services
from tracker.models import AuditEvent, Child, Goal, GoalReview

from ..factories import ChildFactory, goal, therapist

pytestmark = pytest.mark.django_db

TODAY = datetime(2026, 3, 1, 11, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _frozen_today():
    with time_machine.travel(TODAY, tick=False):
        yield


def _url(name: str, child: Child, *args) -> str:
    return reverse(f"tracker:{name}", args=[child.public_id, *args])


def _text(response) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


def _goal_data(**overrides) -> dict:
    return {
        "domain": "",
        "skill": "",
        "description": "Maya will walk 3 metres alone, 3 times out of 4, by May.",
        "target_date": "2026-05-31",
        "weight": "1",
        "baseline_level": "-2",
        "level_minus_2": "Steps only with a hand held",
        "level_minus_1": "",
        "level_0": "Walks 3 m alone 3 of 4 times",
        "level_plus_1": "",
        "level_plus_2": "",
    } | overrides


@pytest.fixture
def gross_motor():
    from tracker.models import Domain

    return Domain.objects.get(slug="gross-motor")


# --- Who may do what ---------------------------------------------------------------


def test_anonymous_is_sent_to_login(client, child):
    response = client.get(_url("goal_list", child))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize("role", ["guardian", "viewer", "ot", "pt"])
def test_everyone_on_the_team_reads_the_goals(login, team, child, role):
    walking = goal(child, team["pt"])
    response = login(team[role]).get(_url("goal_detail", child, walking.pk))
    assertContains(response, "Walks 3 metres alone, 3 times out of 4")


def test_outsider_gets_404_for_the_goals(login, outsider, pt, child):
    walking = goal(child, pt)
    assert login(outsider).get(_url("goal_detail", child, walking.pk)).status_code == 404


def test_another_childs_goal_is_404_under_this_child(login, pt, child):
    other = ChildFactory()
    therapist(other)
    elsewhere = goal(other, other.care_team.get().user)
    assert login(pt).get(_url("goal_detail", child, elsewhere.pk)).status_code == 404


@pytest.mark.parametrize("role", ["guardian", "viewer"])
@pytest.mark.parametrize("name", ["goal_create", "goal_edit", "goal_review"])
def test_parents_and_viewers_may_not_write_goals(login, team, child, role, name):
    args = [] if name == "goal_create" else [goal(child, team["pt"]).pk]
    client = login(team[role])
    assert client.get(_url(name, child, *args)).status_code == 403
    assert client.post(_url(name, child, *args), _goal_data()).status_code == 403


def test_parents_see_no_write_buttons(login, guardian, pt, child):
    walking = goal(child, pt)
    assertNotContains(login(guardian).get(_url("goal_list", child)), "Set a goal")
    assertNotContains(login(guardian).get(_url("goal_detail", child, walking.pk)), "Record a review")


def test_therapists_see_the_write_buttons(login, ot, child):
    assertContains(login(ot).get(_url("goal_list", child)), "Set a goal")


# --- Setting a goal ------------------------------------------------------------------


def test_therapist_sets_a_goal_about_an_area(login, pt, child, gross_motor):
    response = login(pt).post(_url("goal_create", child), _goal_data(domain=gross_motor.pk))
    saved = Goal.objects.get(child=child)
    assert response.status_code == 302
    assert response["Location"] == _url("goal_detail", child, saved.pk)
    assert (saved.domain, saved.owner, saved.baseline_level, saved.status) == (gross_motor, pt, -2, "active")


def test_a_goal_about_a_skill_takes_the_skills_area(login, pt, child, gross_motor):
    from tracker.models import Skill

    walks = Skill.objects.get(slug="gm-walks-alone")
    login(pt).post(_url("goal_create", child), _goal_data(skill=walks.pk))
    assert Goal.objects.get(child=child).domain == gross_motor


def test_setting_a_goal_bumps_the_data_version_and_is_audited(login, pt, child, gross_motor):
    login(pt).post(_url("goal_create", child), _goal_data(domain=gross_motor.pk))
    child.refresh_from_db()
    assert child.data_version == 1
    event = AuditEvent.objects.get(child=child, action="created", object_type="goal")
    assert "Maya" not in event.summary


def test_a_goal_needs_an_area_or_a_skill(login, pt, child):
    response = login(pt).post(_url("goal_create", child), _goal_data())
    assertFormError(response.context["form"], "domain", "Choose the area or the skill this goal is about.")


def test_a_skill_from_another_area_is_refused(login, pt, child):
    from tracker.models import Domain, Skill

    fine_motor = Domain.objects.get(slug="fine-motor")
    walks = Skill.objects.get(slug="gm-walks-alone")
    response = login(pt).post(_url("goal_create", child), _goal_data(domain=fine_motor.pk, skill=walks.pk))
    assertFormError(
        response.context["form"], "skill", "This skill is in Gross motor: choose that area, or leave the area empty."
    )


def test_a_new_goal_cannot_target_the_past(login, pt, child, gross_motor):
    response = login(pt).post(_url("goal_create", child), _goal_data(domain=gross_motor.pk, target_date="2026-02-01"))
    assertFormError(response.context["form"], "target_date", "The target date of a new goal cannot be in the past.")


def test_missing_fields_are_named_and_the_typed_text_is_kept(login, pt, child, gross_motor):
    response = login(pt).post(
        _url("goal_create", child), _goal_data(domain=gross_motor.pk, description="", target_date="")
    )
    form = response.context["form"]
    assertFormError(form, "description", "Write the goal: what, how well, by when.")
    assertFormError(form, "target_date", "Give the date the goal should be met by.")
    assertContains(response, "Steps only with a hand held")
    assert not Goal.objects.exists()


def test_a_weight_outside_one_to_ten_is_refused(login, pt, child, gross_motor):
    response = login(pt).post(_url("goal_create", child), _goal_data(domain=gross_motor.pk, weight="11"))
    assert response.context["form"].has_error("weight")


# --- Editing ---------------------------------------------------------------------------


def _edit_data(walking: Goal, **overrides) -> dict:
    fields = {"domain": walking.domain_id, "status": "active", "version": services.goal_version(walking)}
    return _goal_data(**(fields | overrides))


def test_therapist_edits_a_goal(login, pt, child):
    walking = goal(child, pt)
    response = login(pt).post(_url("goal_edit", child, walking.pk), _edit_data(walking, status="achieved"))
    assert response.status_code == 302
    walking.refresh_from_db()
    assert walking.status == "achieved"
    assert AuditEvent.objects.filter(action="changed", object_type="goal", summary__contains="status").exists()


def test_an_edited_goal_may_keep_a_past_target_date(login, pt, child):
    walking = goal(child, pt, target=date(2026, 6, 1))
    Goal.objects.filter(pk=walking.pk).update(target_date=date(2026, 2, 1))
    walking.refresh_from_db()
    response = login(pt).post(_url("goal_edit", child, walking.pk), _edit_data(walking, target_date="2026-02-01"))
    assert response.status_code == 302


def test_an_edit_over_a_newer_version_is_refused_and_loses_nothing(login, pt, ot, child):
    walking = goal(child, pt)
    stale = _edit_data(walking, description="My version of the goal.")
    login(ot).post(_url("goal_edit", child, walking.pk), _edit_data(walking, description="Olga's version."))
    response = login(pt).post(_url("goal_edit", child, walking.pk), stale)
    assert response.status_code == 409
    assertContains(response, "My version of the goal.", status_code=409)  # still in the form
    assertContains(response, "Olga&#x27;s version.", status_code=409)  # the saved version, shown
    walking.refresh_from_db()
    assert walking.description == "Olga's version."


def test_after_a_conflict_saving_again_replaces_the_newer_version(login, pt, ot, child):
    walking = goal(child, pt)
    stale = _edit_data(walking, description="My version of the goal.")
    login(ot).post(_url("goal_edit", child, walking.pk), _edit_data(walking, description="Olga's version."))
    client = login(pt)
    form = client.post(_url("goal_edit", child, walking.pk), stale).context["form"]
    assert client.post(_url("goal_edit", child, walking.pk), form.data).status_code == 302
    walking.refresh_from_db()
    assert walking.description == "My version of the goal."


# --- Reviews ---------------------------------------------------------------------------------


def test_therapist_records_a_review(login, pt, child):
    walking = goal(child, pt)
    response = login(pt).post(
        _url("goal_review", child, walking.pk), {"reviewed_on": "2026-03-01", "level": "-1", "comment": "Steps alone."}
    )
    assert response.status_code == 302
    review = GoalReview.objects.get(goal=walking)
    assert (review.level, review.reviewed_by, review.reviewer_voice, review.comment) == (-1, pt, "PT", "Steps alone.")
    child.refresh_from_db()
    assert child.data_version == 2  # the goal, then the review


def test_review_form_shows_the_goals_own_level_descriptions(login, pt, child):
    walking = goal(child, pt)
    Goal.objects.filter(pk=walking.pk).update(level_plus_1="Walks 5 m and turns")
    assertContains(login(pt).get(_url("goal_review", child, walking.pk)), "+1 more than expected: Walks 5 m and turns")


def test_a_review_cannot_be_in_the_future(login, pt, child):
    walking = goal(child, pt)
    response = login(pt).post(
        _url("goal_review", child, walking.pk), {"reviewed_on": "2026-03-02", "level": "0", "comment": "Keep me."}
    )
    assertFormError(response.context["form"], "reviewed_on", "The review date cannot be in the future.")
    assertContains(response, "Keep me.")


def test_a_review_cannot_be_before_the_goal_was_set(login, pt, child):
    walking = goal(child, pt)
    response = login(pt).post(_url("goal_review", child, walking.pk), {"reviewed_on": "2026-02-01", "level": "0"})
    assertFormError(
        response.context["form"], "reviewed_on", "The review date cannot be before the goal was set (1 Mar 2026)."
    )


@pytest.mark.parametrize("level", ["", "3"])
def test_a_review_needs_one_of_the_five_levels(login, pt, child, level):
    walking = goal(child, pt)
    response = login(pt).post(_url("goal_review", child, walking.pk), {"reviewed_on": "2026-03-01", "level": level})
    assert response.context["form"].has_error("level")
    assert not GoalReview.objects.exists()


# --- The next review ------------------------------------------------------------------------
# A goal is reviewed at its target date unless the team plans a review before it (TODAY is 1 Mar 2026).


def test_a_goal_set_with_a_next_review_keeps_it_and_shows_it(login, pt, guardian, child, gross_motor):
    data = _goal_data(domain=gross_motor.pk, review_on="2026-04-12")
    login(pt).post(_url("goal_create", child), data)
    saved = Goal.objects.get(child=child)
    assert (saved.review_on, saved.review_due) == (date(2026, 4, 12), date(2026, 4, 12))
    assert "Next review 12 April 2026" in _text(login(guardian).get(_url("goal_detail", child, saved.pk)))
    assert "Target date Next review Status" in _text(login(guardian).get(_url("goal_list", child)))
    assert "31 May 2026 12 Apr 2026 Active" in _text(login(guardian).get(_url("goal_list", child)))


def test_without_a_next_review_the_goal_is_reviewed_at_its_target_date(login, pt, child, gross_motor):
    login(pt).post(_url("goal_create", child), _goal_data(domain=gross_motor.pk))
    saved = Goal.objects.get(child=child)
    assert (saved.review_on, saved.review_due) == (None, date(2026, 5, 31))
    assert "Next review at the target date" in _text(login(pt).get(_url("goal_detail", child, saved.pk)))


def test_a_next_review_in_the_past_is_refused_and_nothing_typed_is_lost(login, pt, child, gross_motor):
    data = _goal_data(domain=gross_motor.pk, review_on="2026-02-27", description="Walks to the door by May.")
    response = login(pt).post(_url("goal_create", child), data)
    assertFormError(response.context["form"], "review_on", "The next review cannot be in the past.")
    assertContains(response, "Walks to the door by May.")
    assert not Goal.objects.exists()


def test_an_edit_may_keep_a_passed_next_review_but_not_move_one_into_the_past(login, pt, child):
    walking = goal(child, pt)
    Goal.objects.filter(pk=walking.pk).update(review_on=date(2026, 2, 20))
    walking.refresh_from_db()
    client = login(pt)
    moved = client.post(_url("goal_edit", child, walking.pk), _edit_data(walking, review_on="2026-02-21"))
    assertFormError(moved.context["form"], "review_on", "The next review cannot be in the past.")
    kept = client.post(_url("goal_edit", child, walking.pk), _edit_data(walking, review_on="2026-02-20"))
    assert kept.status_code == 302


def test_moving_the_next_review_is_an_edit_another_editor_is_told_of(login, pt, ot, child):
    walking = goal(child, pt)
    stale = _edit_data(walking, description="My version of the goal.")
    login(ot).post(_url("goal_edit", child, walking.pk), _edit_data(walking, review_on="2026-04-01"))
    response = login(pt).post(_url("goal_edit", child, walking.pk), stale)
    assert response.status_code == 409
    assert "next review 1 Apr 2026" in _text(response)
    walking.refresh_from_db()
    assert walking.review_on == date(2026, 4, 1)


def test_a_review_sets_the_next_one(login, pt, child):
    walking = goal(child, pt)
    data = {"reviewed_on": "2026-03-01", "level": "-1", "next_review": "2026-04-26"}
    response = login(pt).post(_url("goal_review", child, walking.pk), data)
    walking.refresh_from_db()
    assert walking.review_on == date(2026, 4, 26)
    messages = [str(m) for m in get_messages(response.wsgi_request)]
    assert messages == ["Review saved: level −1 on 1 Mar 2026. Next review 26 Apr 2026."]


def test_a_review_left_without_a_next_one_falls_back_to_the_target_date(login, pt, child):
    walking = goal(child, pt, target=date(2026, 6, 1))
    Goal.objects.filter(pk=walking.pk).update(review_on=date(2026, 3, 4))
    client = login(pt)
    form = client.get(_url("goal_review", child, walking.pk)).context["form"]
    assert form["next_review"].value() is None  # due this week: this review answers it
    client.post(_url("goal_review", child, walking.pk), {"reviewed_on": "2026-03-01", "level": "0"})
    walking.refresh_from_db()
    assert (walking.review_on, walking.review_due) == (None, date(2026, 6, 1))


def test_an_early_review_offers_the_planned_one_again(login, pt, child):
    walking = goal(child, pt, target=date(2026, 6, 1))
    Goal.objects.filter(pk=walking.pk).update(review_on=date(2026, 4, 15))
    response = login(pt).get(_url("goal_review", child, walking.pk))
    assert response.context["form"]["next_review"].value() == date(2026, 4, 15)
    assert "review planned for 15 Apr 2026" in _text(response)
    assert "Left empty, the goal is next reviewed at its target date (1 Jun 2026)." in _text(response)


@pytest.mark.parametrize("day", ["2026-03-01", "2026-02-01"])
def test_the_next_review_must_come_after_today(login, pt, child, day):
    walking = goal(child, pt)
    data = {"reviewed_on": "2026-03-01", "level": "0", "comment": "Keep me.", "next_review": day}
    response = login(pt).post(_url("goal_review", child, walking.pk), data)
    assertFormError(response.context["form"], "next_review", "The next review must be after today.")
    assertContains(response, "Keep me.")
    assert not GoalReview.objects.exists()


# --- The goal pages -------------------------------------------------------------------------


def test_goal_page_shows_reviews_chart_and_t_score(login, guardian, pt, child):
    walking = goal(child, pt, baseline=-2)
    login(pt).post(_url("goal_review", child, walking.pk), {"reviewed_on": "2026-03-01", "level": "1", "comment": ""})
    response = login(guardian).get(_url("goal_detail", child, walking.pk))
    text = _text(response)
    assert "+1 more than expected on 1 Mar 2026" in text
    assert "Overall GAS T-score now: 60.0" in text
    assertContains(response, _url("chart_goals", child, "png"))


def test_goal_list_numbers_goals_as_the_chart_does(login, viewer, pt, child):
    goal(child, pt, description="First goal")
    goal(child, pt, description="Second goal")
    text = _text(login(viewer).get(_url("goal_list", child)))
    assert "G1 First goal" in text
    assert "G2 Second goal" in text


def test_viewing_goals_is_audited_once(login, guardian, pt, child):
    goal(child, pt)
    login(guardian).get(_url("goal_list", child))
    assert AuditEvent.objects.filter(child=child, action="viewed", summary="Viewed the goals").count() == 1


# --- Query counts -----------------------------------------------------------------------------

# 2 (session, user) + membership check + audit event + goals + their reviews; a goal's page also the home
# activities serving it and their practice.
GOAL_PAGE_QUERIES = {"goal_list": 6, "goal_detail": 8}


def _goals_with_reviews(child, by, count: int) -> Goal:
    for n in range(count):
        walking = goal(child, by, description=f"Goal {n}")
        for level in (-1, 0, 1):
            services.review_goal(review=GoalReview(goal=walking, reviewed_on=date(2026, 3, 1), level=level), by=by)
    return walking


@pytest.mark.parametrize("count", [1, 8])
@pytest.mark.parametrize("name", ["goal_list", "goal_detail"])
def test_goal_pages_make_the_same_queries_however_many_goals(
    login, pt, child, count, name, django_assert_max_num_queries
):
    latest = _goals_with_reviews(child, pt, count)
    args = [] if name == "goal_list" else [latest.pk]
    client = login(pt)
    with django_assert_max_num_queries(GOAL_PAGE_QUERIES[name]):
        assert client.get(_url(name, child, *args)).status_code == 200
