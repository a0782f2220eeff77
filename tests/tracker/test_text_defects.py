"""Small wording defects seen by a new user (issue 14), each pinned by a test that fails without its fix."""

import html
import re
from datetime import UTC, date, datetime

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.urls import reverse

from tracker import gas
from tracker.charts import skill_history
from tracker.charts.base import ChildAges, Observed, SkillWindow
from tracker.models import Discipline
from tracker.templatetags.people import with_voice

from ..factories import goal, note, observation, therapist

pytestmark = pytest.mark.django_db

TODAY = datetime(2026, 12, 3, 11, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _frozen_today():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def olivia(child):
    """A therapist who put her discipline in her own name, as the demo OT did."""
    return therapist(child, Discipline.OCCUPATIONAL_THERAPY, name="Olivia Hand (OT)", email="olivia@example.org")


def _text(response) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


# --- A discipline said once -----------------------------------------------------------------


def test_a_name_gets_its_voice_once():
    assert (with_voice("Olivia Hand", "OT"), with_voice("Olivia Hand (OT)", "OT")) == (
        "Olivia Hand (OT)",
        "Olivia Hand (OT)",
    )


def test_a_note_names_its_author_discipline_once(login, guardian, olivia, child):
    written = note(child, olivia, visibility="family")
    page = login(guardian).get(reverse("tracker:note_detail", args=[child.public_id, written.pk]))
    assert "Olivia Hand (OT) (OT)" not in _text(page)
    assert "Olivia Hand (OT)" in _text(page)


def test_the_timeline_names_the_recorder_discipline_once(login, guardian, olivia, child):
    observation(child, olivia, on=date(2026, 12, 1))
    page = login(guardian).get(reverse("tracker:timeline", args=[child.public_id]))
    assert "Olivia Hand (OT) (OT)" not in _text(page)


def test_whats_new_names_the_author_discipline_once(login, guardian, olivia, child):
    note(child, olivia, visibility="family", on=date(2026, 12, 1))
    observation(child, olivia, on=date(2026, 12, 1))
    page = _text(login(guardian).get(reverse("tracker:changes")))
    assert "Olivia Hand (OT) (OT)" not in page
    assert "Olivia Hand (OT)" in page


# --- What's new says when a skill was observed, and names note kinds properly ------------------


def test_whats_new_shows_the_day_the_skill_was_observed(login, guardian, olivia, child):
    observation(child, olivia, on=date(2026, 11, 20))
    page = _text(login(guardian).get(reverse("tracker:changes")))
    assert "observed 20 Nov 2026" in page
    assert "3 Dec 11:00" not in page  # when it was typed


def test_whats_new_names_a_session_note_with_its_label(login, pt, olivia, child):
    note(child, olivia, kind="session", on=date(2026, 12, 1))
    page = _text(login(pt).get(reverse("tracker:changes")))
    assert "Maya: Session note (SOAP)" in page
    assert "session note (soap)" not in page


# --- A goal review's message: a real minus sign and the date as elsewhere -----------------------


def test_a_review_message_writes_minus_one_and_the_date_as_elsewhere(login, pt, child):
    set_goal = goal(child, pt)
    client = login(pt)
    url = reverse("tracker:goal_review", args=[child.public_id, set_goal.pk])
    response = client.post(url, {"reviewed_on": "2026-12-03", "level": -1})
    # The goal has no next review set, so the next one is at its target date (the factory's 31 Dec 2026).
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Review saved: level −1 on 3 Dec 2026. Next review 31 Dec 2026."
    ]


def test_signed_levels_use_the_minus_sign():
    assert [gas.signed(level) for level in gas.LEVELS] == ["−2", "−1", "0", "+1", "+2"]


# --- Plurals --------------------------------------------------------------------------------------


def test_a_skill_chart_with_one_observation_says_one_observation():
    chart = skill_history.data(
        child=ChildAges(born=date(2025, 3, 10)),
        on=date(2026, 12, 3),
        skill=SkillWindow(key="walks", name="Walks alone", start=8.2, end=17.6),
        observations=[Observed(skill="walks", on=date(2026, 1, 5), status="achieved")],
    )
    assert ": 1 observation from age" in chart.alt_text()


def test_the_goal_pages_level_table_writes_levels_with_the_minus_sign(login, pt, child):
    set_goal = goal(child, pt)
    page = login(pt).get(reverse("tracker:goal_detail", args=[child.public_id, set_goal.pk])).content.decode()
    headings = re.findall(r'<th scope="row">([^<]*)</th>', page)
    assert headings[:5] == ["−2", "−1", "0", "+1", "+2"]
