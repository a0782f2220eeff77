"""Query-count guards: each list page makes the same number of queries however much data there is.

Each bound is the count measured with CaptureQueriesContext, which was the same at both data
sizes and on SQLite and PostgreSQL. Every page spends two on the session and the user; a
child's page two more on the membership check and the "viewed" audit event.
"""

from datetime import UTC, date, datetime, timedelta
from itertools import cycle

import pytest
import time_machine
from django.urls import reverse

from tracker import programme, services
from tracker.models import Discipline, Domain, Observation, Role, Skill

from ..factories import ChildFactory, MembershipFactory, UserFactory, activity

pytestmark = pytest.mark.django_db

TODAY = datetime(2025, 9, 10, 11, 0, tzinfo=UTC)

# 4 + domains, skills, current observations.
CHECKLIST_QUERIES = 7
# 4 + domains, skills, current observations, care team, observation history (for the charts' tables),
# the reviews of skills no longer seen (only when there is one), and the home programme's activities and
# their practice (the adherence table).
OVERVIEW_QUERIES = 12
# 4 + activities with their goals, their skills, this week's practice, and the adherence chart's practice.
PROGRAMME_QUERIES = 8
# 2 + the caseload's children and data versions (the page cache's key), then, to draw the page:
# domains, children with their last observation, skills, reviews of lost skills, current statuses.
CASELOAD_QUERIES = 8
# 4 + the skill, its current observation, its history with who withdrew each, and the review of a loss.
HISTORY_QUERIES = 8
# 4 + domains, skills, current observations (the skills to check in every area).
CATCH_UP_QUERIES = 7

STATUSES = ("not_yet", "emerging", "achieved")


@pytest.fixture(autouse=True)
def _frozen_today():
    with time_machine.travel(TODAY, tick=False):
        yield


def _history(child, by, *, skills: int, per_skill: int) -> None:
    """`per_skill` observations of each of the first `skills` catalogue skills; the latest is current."""
    statuses = cycle(STATUSES)
    first_day = child.date_of_birth + timedelta(days=1)
    rows = []
    for skill in Skill.objects.catalogue().order_by("domain__order", "order")[:skills]:
        for n in range(per_skill):
            rows.append(
                Observation(
                    child=child,
                    skill=skill,
                    observed_on=first_day + timedelta(days=n),
                    status=next(statuses),
                    assistance="minimal" if n % 2 else "",
                    recorded_by=by,
                    recorded_by_name=by.name,
                    is_current=n == per_skill - 1,
                )
            )
    Observation.objects.bulk_create(rows)


def _custom_skill(child, by, name: str = "Climbs the slide ladder") -> None:
    skill = Skill(domain=Domain.objects.get(slug="gross-motor"), name=name)
    services.add_custom_skill(child=child, skill=skill, by=by)


# --- Data sizes -----------------------------------------------------------------------------


@pytest.fixture
def empty_child(child, pt):
    """Maya with nothing recorded."""
    return child


@pytest.fixture
def busy_child(child, pt):
    """Maya with 120 observations (60 skills, two each) and two custom skills."""
    _history(child, pt, skills=60, per_skill=2)
    _custom_skill(child, pt)
    _custom_skill(child, pt, name="Walks on tiptoe")
    return child


def _small_caseload():
    therapist = UserFactory(profession="pt")
    child = ChildFactory()
    MembershipFactory(child=child, user=therapist, role=Role.THERAPIST, discipline=Discipline.PHYSIOTHERAPY)
    _history(child, therapist, skills=3, per_skill=1)
    return therapist


def _large_caseload():
    """30 children (some born early) with 40 observations each and a custom skill each."""
    therapist = UserFactory(profession="pt")
    for n in range(30):
        child = ChildFactory(
            date_of_birth=date(2023, 1, 1) + timedelta(days=29 * n), gestational_days=(30 * 7 if n % 5 == 0 else None)
        )
        MembershipFactory(child=child, user=therapist, role=Role.THERAPIST, discipline=Discipline.PHYSIOTHERAPY)
        _history(child, therapist, skills=20, per_skill=2)
        _custom_skill(child, therapist)
    return therapist


def _long_skill_history(child, people) -> None:
    """30 observations of one skill by three people: ten corrected, ten withdrawn, ten in force."""
    skill = Skill.objects.get(slug="gm-sits-without-support")
    by = cycle(people)
    for n in range(10):
        day = date(2025, 4, 1) + timedelta(days=n)

        def new(status, day=day):
            return Observation(child=child, skill=skill, observed_on=day, status=status)

        wrong = services.record_observation(observation=new("emerging"), by=next(by))
        services.correct_observation(original=wrong, correction=new("achieved"), by=next(by))
        mistake = services.record_observation(observation=new("not_yet"), by=next(by))
        services.withdraw_observation(observation=mistake, by=next(by), reason="Wrong skill")


def _get(client, url: str) -> None:
    assert client.get(url).status_code == 200


# --- The guards ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("size", ["empty_child", "busy_child"])
def test_checklist_queries_do_not_grow_with_observations(request, login, pt, size, django_assert_max_num_queries):
    child = request.getfixturevalue(size)
    client = login(pt)
    with django_assert_max_num_queries(CHECKLIST_QUERIES):
        _get(client, reverse("tracker:checklist", args=[child.public_id, "gross-motor"]))


@pytest.mark.parametrize("size", ["empty_child", "busy_child"])
def test_overview_queries_do_not_grow_with_observations(request, login, pt, size, django_assert_max_num_queries):
    child = request.getfixturevalue(size)
    client = login(pt)
    with django_assert_max_num_queries(OVERVIEW_QUERIES):
        _get(client, reverse("tracker:child_detail", args=[child.public_id]))


@pytest.mark.parametrize("make", [_small_caseload, _large_caseload], ids=["1-child", "30-children"])
def test_caseload_queries_do_not_grow_with_children(login, make, django_assert_max_num_queries):
    client = login(make())
    with django_assert_max_num_queries(CASELOAD_QUERIES):
        _get(client, reverse("tracker:caseload"))


def test_caseload_second_page_makes_the_same_queries(login, django_assert_max_num_queries):
    client = login(_large_caseload())
    with django_assert_max_num_queries(CASELOAD_QUERIES):
        _get(client, reverse("tracker:caseload") + "?page=2&sort=quiet")


@pytest.mark.parametrize("long", [False, True], ids=["1-observation", "30-observations"])
def test_skill_history_queries_do_not_grow_with_history(
    login, child, guardian, ot, pt, long, django_assert_max_num_queries
):
    if long:
        _long_skill_history(child, [guardian, ot, pt])
    else:
        services.record_observation(
            observation=Observation(
                child=child,
                skill=Skill.objects.get(slug="gm-sits-without-support"),
                observed_on=date(2025, 9, 1),
                status="emerging",
            ),
            by=pt,
        )
    client = login(pt)
    with django_assert_max_num_queries(HISTORY_QUERIES):
        _get(client, reverse("tracker:skill_history", args=[child.public_id, "gm-sits-without-support"]))


@pytest.mark.parametrize("size", ["empty_child", "busy_child"])
def test_catch_up_queries_do_not_grow_with_observations(request, login, pt, size, django_assert_max_num_queries):
    child = request.getfixturevalue(size)
    client = login(pt)
    with django_assert_max_num_queries(CATCH_UP_QUERIES):
        _get(client, reverse("tracker:catch_up", args=[child.public_id, "gross-motor"]))


def _programme(child, therapist, guardian, *, activities: int, taps: int) -> None:
    """`activities` home activities with `taps` practices each, over the last weeks."""
    for n in range(activities):
        item = activity(child, therapist, title=f"Activity {n}", start=date(2025, 7, 1))
        for day in range(taps):
            programme.log_practice(activity=item, by=guardian, on=date(2025, 9, 10) - timedelta(days=day % 60))


@pytest.mark.parametrize(("activities", "taps"), [(1, 1), (8, 40)], ids=["1-activity", "8-activities-320-taps"])
def test_programme_queries_do_not_grow_with_activities_or_practice(
    login, child, guardian, pt, activities, taps, django_assert_max_num_queries
):
    _programme(child, pt, guardian, activities=activities, taps=taps)
    client = login(guardian)
    with django_assert_max_num_queries(PROGRAMME_QUERIES):
        _get(client, reverse("tracker:programme", args=[child.public_id]))


@pytest.mark.parametrize(("activities", "taps"), [(1, 1), (8, 40)], ids=["1-activity", "8-activities-320-taps"])
def test_overview_queries_do_not_grow_with_the_programme(
    login, child, guardian, pt, activities, taps, django_assert_max_num_queries
):
    _programme(child, pt, guardian, activities=activities, taps=taps)
    client = login(pt)
    with django_assert_max_num_queries(OVERVIEW_QUERIES):
        _get(client, reverse("tracker:child_detail", args=[child.public_id]))


# 2 (session, user) + membership check + the activity + lock the child (its version) + the log + the audit event,
# and the session's "saved" message: 8 statements; and here, inside the test's transaction, a savepoint and its
# release around each of the two transactions (the save's and the session's).
PRACTICE_TAP_QUERIES = 12


@pytest.mark.parametrize(("activities", "taps"), [(1, 1), (8, 40)], ids=["1-activity", "8-activities-320-taps"])
def test_a_practice_tap_makes_the_same_queries_however_much_practice(
    login, child, guardian, pt, activities, taps, django_assert_max_num_queries
):
    _programme(child, pt, guardian, activities=activities, taps=taps)
    item = child.activities.first()
    client = login(guardian)
    with django_assert_max_num_queries(PRACTICE_TAP_QUERIES):
        response = client.post(reverse("tracker:practise", args=[child.public_id, item.pk]), {"how": "easy"})
    assert response.status_code == 302


# A checklist tap with htmx (issue 14): 3 (session, user, membership) + the skill and its current observation
# before the save; the save (savepoint, data version, current mark, the check for a current one, insert, audit
# event, release); the area's skills and current observations after it: 14 at most.
CHECKLIST_TAP_QUERIES = 14
# Its undo: 3 + the observation, the check that it is the person's own and recent, its current observation
# before; the withdrawal (savepoint, data version, the observation again, its update, the current mark moved in
# two statements, audit event, release); the area after it.
CHECKLIST_UNDO_QUERIES = 17


@pytest.mark.parametrize("size", ["empty_child", "busy_child"])
def test_a_checklist_tap_and_its_undo_make_the_same_queries_however_much_history(
    request, login, pt, size, django_assert_max_num_queries
):
    child = request.getfixturevalue(size)
    client = login(pt)
    with django_assert_max_num_queries(CHECKLIST_TAP_QUERIES):
        response = client.post(
            reverse("tracker:record", args=[child.public_id, "gm-walks-alone"]),
            {"status": "achieved"},
            headers={"HX-Request": "true"},
        )
    assert response.status_code == 200
    tapped = Observation.objects.get(child=child, skill__slug="gm-walks-alone", is_current=True)
    with django_assert_max_num_queries(CHECKLIST_UNDO_QUERIES):
        response = client.post(
            reverse("tracker:undo", args=[child.public_id, tapped.pk]), headers={"HX-Request": "true"}
        )
    assert response.status_code == 200


def test_the_large_sizes_are_what_they_claim(busy_child):
    assert Observation.objects.filter(child=busy_child).count() == 120


def test_the_large_caseload_is_what_it_claims():
    therapist = _large_caseload()
    assert Observation.objects.filter(child__care_team__user=therapist).count() == 30 * 40
