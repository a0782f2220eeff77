"""The therapist's caseload: whose children, what needs attention, sorting and pages."""

import html
import re
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from tracker import services
from tracker.models import Discipline, Domain, Role, Skill

from ..factories import ChildFactory, MembershipFactory, UserFactory, observation

pytestmark = pytest.mark.django_db

TODAY = datetime(2025, 9, 10, 11, 0, tzinfo=UTC)
URL = reverse("tracker:caseload")


@pytest.fixture(autouse=True)
def _frozen_today():
    with time_machine.travel(TODAY, tick=False):
        yield


NAME, AGE, NO_LONGER_SEEN, OVERDUE, TO_CHECK, EMERGING, DAYS = range(7)
OT_AREAS = ("fine-motor", "self-care", "sensory")


def _rows(response) -> list[list[str]]:
    """The table's rows as the cells' text: name, age, no longer seen, overdue, to check, emerging, days since."""
    body = response.content.decode().split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [
        [
            " ".join(html.unescape(re.sub(r"<[^>]+>", " ", cell)).split())
            for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        ]
        for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)
    ]


def _names(response) -> list[str]:
    return [row[0] for row in _rows(response)]


def _row(response, name: str) -> list[str]:
    return next(row for row in _rows(response) if row[0] == name)


def _closed_windows(child, areas=OT_AREAS) -> int:
    """Catalogue skills of `areas` whose window has closed for a child (not optional ones made moot)."""
    age = child.effective_age_in_months(timezone.localdate())
    closed = Skill.objects.catalogue().filter(window_end_months__lt=Decimal(str(age)), domain__slug__in=areas)
    return closed.count()


def _on_caseload(user, **child_fields):
    child = ChildFactory(**child_fields)
    MembershipFactory(child=child, user=user, role=Role.THERAPIST, discipline=Discipline.OCCUPATIONAL_THERAPY)
    return child


@pytest.fixture
def caseload(ot, child, guardian, outsider_child):
    """Olga's caseload on 10 September 2025.

    - Ada, 1 month: three skills emerging, recorded 20 days ago; nothing overdue yet.
    - Ben, 12 months: never observed; every closed window overdue.
    - Maya, 6 months: one overdue skill achieved and one emerging, recorded 2 days ago.
    - Zed is archived, and Otto (the outsider's child) is not on Olga's teams.
    """
    ada = _on_caseload(ot, given_name="Ada", date_of_birth=date(2025, 8, 10))
    ben = _on_caseload(ot, given_name="Ben", date_of_birth=date(2024, 9, 10))
    _on_caseload(ot, given_name="Zed", date_of_birth=date(2024, 9, 10), archived=True)
    with time_machine.travel(datetime(2025, 8, 21, 9, 0, tzinfo=UTC), tick=False):
        for slug in ("gm-lifts-head-on-tummy", "gm-kicks-and-waves-both-sides", "fm-opens-hands-now-and-then"):
            observation(ada, ot, skill=slug, status="emerging", on=date(2025, 8, 21))
    with time_machine.travel(datetime(2025, 9, 8, 9, 0, tzinfo=UTC), tick=False):
        observation(child, guardian, skill="gm-lifts-head-on-tummy", status="achieved", on=date(2025, 9, 8))
        observation(child, guardian, skill="gm-rolls-tummy-to-back", status="emerging", on=date(2025, 9, 8))
    return {"ada": ada, "ben": ben, "maya": child}


# --- Whose children ------------------------------------------------------------------------


def test_anonymous_is_sent_to_login(client):
    response = client.get(URL)
    assert (response.status_code, response["Location"].split("?")[0]) == (302, reverse("accounts:login"))


def test_caseload_lists_the_therapists_children(login, ot, caseload):
    assert sorted(_names(login(ot).get(URL))) == ["Ada Example", "Ben Example", "Maya Example"]


def test_caseload_leaves_out_archived_children(login, ot, caseload):
    assertNotContains(login(ot).get(URL), "Zed")


def test_caseload_leaves_out_children_of_other_teams(login, ot, caseload):
    assertNotContains(login(ot).get(URL), "Otto")


def test_another_therapist_sees_only_their_own_caseload(login, caseload):
    other = UserFactory(profession="pt")
    _on_caseload(other, given_name="Cleo")
    assert _names(login(other).get(URL)) == ["Cleo Example"]


def test_empty_caseload_says_so(login):
    assertContains(login(UserFactory(profession="ot")).get(URL), "No children on your care teams yet.")


# --- What needs attention --------------------------------------------------------------------


def test_a_child_never_observed_has_skills_to_check_and_nothing_overdue(login, ot, caseload):
    row = _row(login(ot).get(URL), "Ben Example")
    assert (row[TO_CHECK], row[OVERDUE]) == (str(_closed_windows(caseload["ben"])), "0")


def test_an_ot_counts_fine_motor_self_care_and_sensory_by_default(login, ot, caseload):
    # Maya's one overdue skill is gross motor (rolling over, CDC 6 months, recorded emerging): a PT's concern.
    assert _row(login(ot).get(URL), "Maya Example")[OVERDUE] == "0"


def test_a_pt_counts_gross_motor_by_default(login, pt, caseload):
    MembershipFactory(child=caseload["ben"], user=pt, role=Role.THERAPIST, discipline=Discipline.PHYSIOTHERAPY)
    page = login(pt).get(URL)
    assert _row(page, "Maya Example")[OVERDUE] == "1"
    assert _row(page, "Ben Example")[TO_CHECK] == str(_closed_windows(caseload["ben"], ["gross-motor"]))
    assertContains(page, "counted in gross motor")


def test_the_area_filter_counts_one_area_or_all(login, ot, caseload):
    client = login(ot)
    assert _row(client.get(URL, {"area": "gross-motor"}), "Maya Example")[OVERDUE] == "1"
    assert _row(client.get(URL, {"area": "all"}), "Maya Example")[OVERDUE] == "1"
    assert _row(client.get(URL, {"area": "fine-motor"}), "Maya Example")[OVERDUE] == "0"


def test_an_unknown_area_falls_back_to_the_therapists_own(login, ot, caseload):
    assertContains(login(ot).get(URL, {"area": "juggling"}), "counted in fine motor, self-care, sensory")


def test_achieved_skills_are_not_to_check(login, ot, caseload):
    row = _row(login(ot).get(URL, {"area": "gross-motor"}), "Maya Example")
    assert row[TO_CHECK] == str(_closed_windows(caseload["maya"], ["gross-motor"]) - 2)  # one achieved, one overdue


def test_nothing_is_overdue_or_to_check_for_a_one_month_old(login, ot, caseload):
    row = _row(login(ot).get(URL), "Ada Example")
    assert (row[OVERDUE], row[TO_CHECK]) == ("0", "0")


def test_counts_use_corrected_age(login, ot, caseload):
    pip = _on_caseload(ot, given_name="Pip", date_of_birth=date(2025, 3, 10), gestational_days=28 * 7)
    _on_caseload(ot, given_name="Tom", date_of_birth=date(2025, 3, 10))  # born at term the same day
    page = login(ot).get(URL)
    assert _row(page, "Pip Example")[TO_CHECK] == str(_closed_windows(pip))
    assert int(_row(page, "Pip Example")[TO_CHECK]) < int(_row(page, "Tom Example")[TO_CHECK])


def test_a_skill_no_longer_seen_is_counted_until_a_therapist_reviews_it(login, ot, caseload):
    maya = caseload["maya"]
    lifts = Skill.objects.get(slug="gm-lifts-head-on-tummy")
    observation(maya, ot, skill=lifts.slug, status="not_yet", on=date(2025, 9, 9))
    client = login(ot)
    assert _row(client.get(URL, {"area": "all"}), "Maya Example")[NO_LONGER_SEEN] == "1"
    assert _names(client.get(URL, {"area": "all"}))[0] == "Maya Example"  # a loss comes first
    services.review_loss(child=maya, skill=lifts, by=ot)
    assert _row(client.get(URL, {"area": "all"}), "Maya Example")[NO_LONGER_SEEN] == "0"


def test_custom_skill_counts_only_for_its_child(login, ot, caseload):
    skill = Skill(domain=Domain.objects.get(slug="fine-motor"), name="Holds a rattle", window_end_months=Decimal("0.5"))
    skill.window_start_months = Decimal("0.0")
    skill.window_kind = "set_for_child"
    services.add_custom_skill(child=caseload["ada"], skill=skill, by=ot)
    rows = {row[NAME]: row[TO_CHECK] for row in _rows(login(ot).get(URL))}
    assert (rows["Ada Example"], rows["Ben Example"]) == ("1", str(_closed_windows(caseload["ben"])))


@pytest.mark.parametrize(("name", "emerging"), [("Ada Example", "3"), ("Maya Example", "1"), ("Ben Example", "0")])
def test_emerging_counts_current_emerging_skills_in_every_area(login, ot, caseload, name, emerging):
    assert _row(login(ot).get(URL, {"area": "all"}), name)[EMERGING] == emerging


def test_emerging_leaves_out_skills_achieved_since(login, ot, caseload):
    observation(caseload["ada"], ot, skill="gm-lifts-head-on-tummy", status="achieved", on=date(2025, 9, 9))
    assert _row(login(ot).get(URL, {"area": "all"}), "Ada Example")[EMERGING] == "2"


@pytest.mark.parametrize(("name", "days"), [("Ada Example", "20"), ("Maya Example", "2"), ("Ben Example", "never")])
def test_days_since_the_last_observation(login, ot, caseload, name, days):
    assert _row(login(ot).get(URL), name)[DAYS] == days


def test_days_since_ignores_withdrawn_observations(login, ot):
    cleo = _on_caseload(ot, given_name="Cleo")
    only = observation(cleo, ot, skill="gm-walks-alone", status="emerging", on=date(2025, 9, 9))
    services.withdraw_observation(observation=only, by=ot, reason="Wrong child")
    assert _row(login(ot).get(URL), "Cleo Example")[DAYS] == "never"


# --- Sorting ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sort", "order"),
    [
        ("name", ["Ada", "Ben", "Maya"]),
        ("overdue", ["Maya", "Ada", "Ben"]),
        ("emerging", ["Ada", "Maya", "Ben"]),
        ("quiet", ["Ben", "Ada", "Maya"]),
    ],
)
def test_sorting(login, ot, caseload, sort, order):
    assert _names(login(ot).get(URL, {"sort": sort, "area": "all"})) == [f"{name} Example" for name in order]


def test_default_sort_is_most_overdue_first(login, ot, caseload):
    assert _names(login(ot).get(URL, {"area": "all"})) == ["Maya Example", "Ada Example", "Ben Example"]


def test_unknown_sort_falls_back_to_overdue(login, ot, caseload):
    names = _names(login(ot).get(URL, {"sort": "shoe-size", "area": "all"}))
    assert names == ["Maya Example", "Ada Example", "Ben Example"]


# --- Pages ------------------------------------------------------------------------------------------


@pytest.fixture
def big_caseload():
    therapist = UserFactory(profession="ot")
    for n in range(26):
        _on_caseload(therapist, given_name=f"Kid{n:02d}")
    return therapist


def test_first_page_shows_25_children(login, big_caseload):
    assert len(_rows(login(big_caseload).get(URL, {"sort": "name"}))) == 25


def test_second_page_shows_the_rest(login, big_caseload):
    assert _names(login(big_caseload).get(URL, {"sort": "name", "page": 2})) == ["Kid25 Example"]


def test_next_page_link_keeps_the_sort(login, big_caseload):
    assertContains(login(big_caseload).get(URL, {"sort": "name"}), "?sort=name&amp;page=2")


def test_next_page_link_keeps_the_area(login, big_caseload):
    assertContains(login(big_caseload).get(URL, {"sort": "name", "area": "all"}), "?sort=name&amp;area=all&amp;page=2")


def test_page_past_the_end_shows_the_last_page(login, big_caseload):
    assert _names(login(big_caseload).get(URL, {"sort": "name", "page": 9})) == ["Kid25 Example"]
