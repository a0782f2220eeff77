"""The team timeline: notes, observations, goal reviews and team changes merged newest first, filtered, paged."""

import html
import re
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from config.cache import drawn
from tracker import audit, services
from tracker.models import AuditAction, CareTeamMembership, Goal, GoalReview, Skill

from ..factories import UserFactory, invitation, note, observation

pytestmark = pytest.mark.django_db

TODAY = datetime(2026, 2, 1, 11, 0, tzinfo=UTC)
# Measured: session, user, membership+child, count, page rows, notes, their skills, their goals,
# observations, goal reviews, team events, and the "viewed" audit insert.
QUERIES = 12


@pytest.fixture(autouse=True)
def _frozen_today():
    with time_machine.travel(TODAY, tick=False):
        yield


def _url(child) -> str:
    return reverse("tracker:timeline", args=[child.public_id])


def _text(response) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


def _at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 10, 0, tzinfo=UTC)


def _goal(child) -> Goal:
    return Goal.objects.create(
        child=child,
        skill=Skill.objects.get(slug="gm-walks-alone"),
        description="Walks ten steps",
        target_date=date(2026, 6, 1),
    )


def _review(goal: Goal, by, on: date, voice: str = "OT") -> GoalReview:
    return GoalReview.objects.create(
        goal=goal, reviewed_on=on, level=0, reviewed_by=by, reviewed_by_name=by.name, reviewer_voice=voice
    )


def _join(child, email: str, on: date):
    """Someone accepts an invitation on `on` (writes a "joined" audit event)."""
    with time_machine.travel(_at(on), tick=False):
        inv, _ = invitation(child, email=email)
        user = UserFactory(email=email, name=f"New {email.split('@')[0]}", profession="ot")
        return services.accept_invitation(invitation=inv, user=user)


def _leave(membership: CareTeamMembership, on: date) -> None:
    with time_machine.travel(_at(on), tick=False):
        services.remove_member(membership=membership, by=membership.user)


def _entries(response) -> list[tuple[str, int]]:
    return [(e.type, e.item.pk) for e in response.context["entries"]]


@pytest.fixture
def history(child, team):
    """One of each entry type, on different days: a session note (PT), an observation (family), a goal
    review (OT), someone joining, a general note (OT), and that person leaving."""
    entries = {}
    entries["pt_note"] = note(child, team["pt"], kind="session", body="PT session", on=date(2026, 1, 10))
    entries["family_obs"] = observation(child, team["guardian"], on=date(2026, 1, 12))
    entries["ot_review"] = _review(_goal(child), team["ot"], date(2026, 1, 14))
    entries["joined"] = _join(child, "newcomer@example.org", date(2026, 1, 16))
    entries["ot_note"] = note(child, team["ot"], kind="general", body="OT general", on=date(2026, 1, 18))
    _leave(entries["joined"], date(2026, 1, 20))
    events = child.audit_events.filter(action__in=["joined", "left"]).order_by("at")
    entries["joined_event"], entries["left_event"] = events
    return entries


def _expected(history, *names) -> list[tuple[str, int]]:
    types = {"pt_note": "note", "ot_note": "note", "family_obs": "observation", "ot_review": "goal_review"}
    return [(types.get(name, "team"), history[name].pk) for name in names]


# --- Access ---------------------------------------------------------------------


def test_anonymous_is_sent_to_log_in(client, child):
    assert client.get(_url(child))["Location"].startswith(reverse("accounts:login"))


def test_outsider_gets_404(login, child, outsider):
    assert login(outsider).get(_url(child)).status_code == 404


def test_post_is_405(login, child, guardian):
    assert login(guardian).post(_url(child)).status_code == 405


@pytest.mark.parametrize("role", ["guardian", "ot", "pt", "viewer"])
def test_every_member_sees_the_timeline(login, child, team, role):
    assert login(team[role]).get(_url(child)).status_code == 200


def test_viewing_the_timeline_is_audited(login, child, guardian):
    login(guardian).get(_url(child))
    assert child.audit_events.filter(action="viewed", summary="Viewed the team timeline").count() == 1


# --- Merged, newest first -----------------------------------------------------------


def test_merges_every_source_newest_first(login, child, history, pt):
    response = login(pt).get(_url(child))
    assert _entries(response) == _expected(
        history, "left_event", "ot_note", "joined_event", "ot_review", "family_obs", "pt_note"
    )


def test_shows_each_entry(login, child, history, pt):
    page = _text(login(pt).get(_url(child)))
    assert "PT session" in page
    assert "OT general" in page
    assert "Observation: Walks alone — Emerging" in page
    assert "Goal review: 0 expected outcome — Walks ten steps" in page
    assert "Team: Joined as Therapist (Occupational therapy)" in page
    assert "Team: Left the team" in page


def test_entries_of_one_day_are_newest_first(login, child, pt):
    first = note(child, pt, body="Written first", on=date(2026, 1, 10))
    with time_machine.travel(TODAY + timedelta(minutes=5), tick=False):
        second = note(child, pt, body="Written second", on=date(2026, 1, 10))
    assert _entries(login(pt).get(_url(child))) == [("note", second.pk), ("note", first.pk)]


def test_the_session_date_places_a_note_not_when_it_was_written(login, child, pt):
    late = note(child, pt, body="About an old session", on=date(2025, 12, 1))
    recent = note(child, pt, body="Yesterday", on=date(2026, 1, 31))
    assert _entries(login(pt).get(_url(child))) == [("note", recent.pk), ("note", late.pk)]


def test_an_empty_timeline_says_so(login, child, guardian):
    assert "Nothing on the timeline." in _text(login(guardian).get(_url(child)))


# --- Filters ----------------------------------------------------------------------


def test_filter_by_ot(login, child, history, pt):
    response = login(pt).get(_url(child), {"voice": "OT"})
    assert _entries(response) == _expected(history, "ot_note", "ot_review")


def test_filter_by_pt(login, child, history, pt):
    response = login(pt).get(_url(child), {"voice": "PT"})
    assert _entries(response) == _expected(history, "pt_note")


def test_filter_by_family(login, child, history, guardian, pt):
    update = note(child, guardian, kind="family_update", visibility="family", body="From home", on=date(2026, 1, 11))
    response = login(pt).get(_url(child), {"voice": "family"})
    assert _entries(response) == [*_expected(history, "family_obs"), ("note", update.pk)]


@pytest.mark.parametrize(
    ("kind", "names"),
    [
        ("session", ["pt_note"]),
        ("general", ["ot_note"]),
        ("family_update", []),
        ("observation", ["family_obs"]),
        ("goal_review", ["ot_review"]),
        ("team", ["left_event", "joined_event"]),
    ],
)
def test_filter_by_kind(login, child, history, pt, kind, names):
    response = login(pt).get(_url(child), {"kind": kind})
    assert _entries(response) == _expected(history, *names)


def test_filter_by_voice_and_kind(login, child, history, pt):
    response = login(pt).get(_url(child), {"voice": "OT", "kind": "goal_review"})
    assert _entries(response) == _expected(history, "ot_review")


def test_filter_by_date_range_includes_both_ends(login, child, history, pt):
    response = login(pt).get(_url(child), {"date_from": "2026-01-12", "date_to": "2026-01-16"})
    assert _entries(response) == _expected(history, "joined_event", "ot_review", "family_obs")


def test_filter_from_a_date(login, child, history, pt):
    response = login(pt).get(_url(child), {"date_from": "2026-01-18"})
    assert _entries(response) == _expected(history, "left_event", "ot_note")


def test_filter_to_a_date(login, child, history, pt):
    response = login(pt).get(_url(child), {"date_to": "2026-01-10"})
    assert _entries(response) == _expected(history, "pt_note")


def test_a_filter_matching_nothing_says_so(login, child, history, pt):
    response = login(pt).get(_url(child), {"date_from": "2026-01-25"})
    assert "Nothing on the timeline for this filter." in _text(response)


def test_the_filter_never_shows_a_guardian_team_only_notes(login, child, history, guardian):
    response = login(guardian).get(_url(child), {"kind": "session"})
    assert _entries(response) == []


def test_a_range_ending_before_it_starts_is_refused_at_the_end_date(login, child, history, pt):
    response = login(pt).get(_url(child), {"date_from": "2026-01-20", "date_to": "2026-01-10"})
    assert response.context["form"].errors["date_to"] == ["The end date is before the start date."]


def test_a_range_ending_before_it_starts_shows_the_message(login, child, history, pt):
    response = login(pt).get(_url(child), {"date_from": "2026-01-20", "date_to": "2026-01-10"})
    assert "The end date is before the start date." in _text(response)


def test_an_invalid_date_is_refused_at_its_field(login, child, pt):
    response = login(pt).get(_url(child), {"date_from": "not-a-date"})
    assert "date_from" in response.context["form"].errors


def test_an_unknown_kind_is_refused_at_its_field(login, child, pt):
    response = login(pt).get(_url(child), {"kind": "secrets"})
    assert "kind" in response.context["form"].errors


# --- Pages of 25 --------------------------------------------------------------------


@pytest.fixture
def thirty_notes(child, pt):
    return [note(child, pt, body=f"Note {i}", on=date(2025, 12, 1) + timedelta(days=i)) for i in range(30)]


def test_the_first_page_holds_25_entries(login, child, thirty_notes, pt):
    assert len(login(pt).get(_url(child)).context["entries"]) == 25


def test_the_second_page_holds_the_rest(login, child, thirty_notes, pt):
    response = login(pt).get(_url(child), {"page": 2})
    assert [pk for _, pk in _entries(response)] == [n.pk for n in thirty_notes[:5]][::-1]


def test_the_page_links_keep_the_filter(login, child, thirty_notes, pt):
    response = login(pt).get(_url(child), {"voice": "PT"})
    assert "?voice=PT&amp;page=2" in response.content.decode()


def test_a_page_past_the_end_shows_the_last(login, child, thirty_notes, pt):
    assert login(pt).get(_url(child), {"page": 99}).context["page"].number == 2


# --- Queries: the same whatever the history's length ------------------------------------


def _fill(child, team, notes: int, observations: int, reviews: int, team_changes: int) -> None:
    """A history with every entry type on the first page: each type counts back from the same last day."""
    skill = Skill.objects.get(slug="gm-walks-alone")
    goal = _goal(child)
    last = date(2026, 1, 30)
    for i in range(notes):
        author = team["pt" if i % 2 else "ot"]
        written = note(child, author, kind="session" if i % 3 else "general", body=f"n{i}", on=last - timedelta(i))
        written.skills.add(skill)
        written.goals.add(goal)
    for i in range(observations):
        observation(child, team["guardian"], on=last - timedelta(i))
    for i in range(reviews):
        _review(goal, team["ot"], last - timedelta(i))
    for i in range(team_changes):
        with time_machine.travel(_at(last - timedelta(i)), tick=False):
            audit.record(team["guardian"], AuditAction.INVITED, child, summary="Invited as Therapist (PT)")


@pytest.mark.parametrize("sizes", [(2, 1, 1, 1), (120, 100, 50, 30)], ids=["5 entries", "300 entries"])
def test_the_query_count_does_not_grow_with_the_history(login, child, team, django_assert_max_num_queries, sizes):
    _fill(child, team, *sizes)
    client = login(team["pt"])
    with django_assert_max_num_queries(QUERIES):
        response = client.get(_url(child))
    assert {e.type for e in response.context["entries"]} == {"note", "observation", "goal_review", "team"}


@pytest.mark.parametrize("sizes", [(2, 1, 1, 1), (120, 100, 50, 30)], ids=["5 entries", "300 entries"])
def test_a_later_page_costs_the_same(login, child, team, django_assert_max_num_queries, sizes):
    _fill(child, team, *sizes)
    client = login(team["pt"])
    with django_assert_max_num_queries(QUERIES):
        client.get(_url(child), {"page": 2, "voice": "OT"})


def test_the_same_number_of_queries_at_both_sizes(login, child, outsider_child, team):
    """Measured, not only bounded: 5 entries and 300 cost exactly the same."""
    small_child, big_child = child, outsider_child
    for member in team.values():
        role = CareTeamMembership.objects.get(child=child, user=member)
        CareTeamMembership.objects.create(child=big_child, user=member, role=role.role, discipline=role.discipline)
    _fill(small_child, team, 2, 1, 1, 1)
    _fill(big_child, team, 120, 100, 50, 30)
    client = login(team["pt"])
    counts = []
    for kid in (small_child, big_child):
        client.get(_url(kid))  # warm the session and anything cached per process
        cache.clear()  # but measure drawing the page, not serving it from the page cache
        drawn.clear()
        with CaptureQueriesContext(connection) as queries:
            client.get(_url(kid))
        counts.append(len(queries))
    assert counts == [QUERIES, QUERIES]
