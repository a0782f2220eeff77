"""A skill's history: corrections and withdrawals keep every record, and the history page shows them all."""

import html
import re
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse
from pytest_django.asserts import assertContains, assertRedirects

from tracker.models import AuditEvent, Observation

from ..factories import observation

pytestmark = pytest.mark.django_db

# Maya (born 10 March 2025) is six months old.
TODAY = datetime(2025, 9, 10, 11, 0, tzinfo=UTC)
SKILL = "gm-sits-without-support"


@pytest.fixture(autouse=True)
def _frozen_today():
    with time_machine.travel(TODAY, tick=False):
        yield


def _text(response) -> str:
    """The page as a person reads it: no tags, entities decoded, spaces collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


def _item(response, obs: Observation) -> str:
    """The text of one observation's entry on the history page."""
    found = re.search(rf'<li[^>]*id="observation-{obs.pk}"[^>]*>(.*?)</li>', response.content.decode(), re.S)
    assert found, f"observation {obs.pk} is not on the page"
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", found.group(1))).split())


def _history_url(child) -> str:
    return reverse("tracker:skill_history", args=[child.public_id, SKILL])


def _correct(client, child, obs: Observation, **data):
    url = reverse("tracker:correct", args=[child.public_id, obs.pk])
    return client.post(url, {"status": "achieved", "observed_on": "2025-09-08"} | data)


def _withdraw(client, child, obs: Observation, reason: str = "Recorded for the wrong skill"):
    return client.post(reverse("tracker:withdraw", args=[child.public_id, obs.pk]), {"reason": reason})


def _current(child) -> Observation | None:
    return Observation.objects.current().filter(child=child, skill__slug=SKILL).first()


@pytest.fixture
def earlier(child, guardian):
    return observation(child, guardian, skill=SKILL, status="not_yet", on=date(2025, 8, 1))


@pytest.fixture
def wrong(child, guardian, earlier):
    """The latest observation, entered in error."""
    return observation(child, guardian, skill=SKILL, status="emerging", on=date(2025, 9, 1))


# --- Corrections ----------------------------------------------------------------------


def test_correction_form_is_filled_with_the_original(login, pt, child, wrong):
    response = login(pt).get(reverse("tracker:correct", args=[child.public_id, wrong.pk]))
    assert response.context["form"].initial["status"] == "emerging"


def test_correction_creates_a_new_observation_pointing_to_the_original(login, pt, child, wrong):
    _correct(login(pt), child, wrong)
    assert Observation.objects.get(corrects=wrong).status == "achieved"


def test_correction_keeps_the_original(login, pt, child, wrong):
    _correct(login(pt), child, wrong)
    assert Observation.objects.filter(pk=wrong.pk, status="emerging").exists()


def test_correction_marks_the_original_as_corrected(login, pt, child, wrong):
    _correct(login(pt), child, wrong)
    wrong.refresh_from_db()
    assert (wrong.withdrawn_at, wrong.withdrawn_by, wrong.withdrawal_reason) == (TODAY, pt, "Corrected")


def test_current_status_follows_the_correction(login, pt, child, wrong):
    _correct(login(pt), child, wrong)
    assert _current(child) == Observation.objects.get(corrects=wrong)


def test_correction_is_recorded_by_the_corrector(login, pt, child, wrong):
    _correct(login(pt), child, wrong)
    assert Observation.objects.get(corrects=wrong).recorded_by_name == "Paul PT"


def test_correction_returns_to_the_history(login, pt, child, wrong):
    assertRedirects(_correct(login(pt), child, wrong), _history_url(child), fetch_redirect_response=False)


def test_correction_to_an_earlier_date_than_the_previous_observation_makes_the_previous_current(
    login, pt, child, earlier, wrong
):
    _correct(login(pt), child, wrong, observed_on="2025-07-01")
    assert _current(child) == earlier


def test_refused_correction_changes_nothing(login, pt, child, wrong):
    _correct(login(pt), child, wrong, observed_on="2025-09-11")
    wrong.refresh_from_db()
    assert (wrong.withdrawn_at, Observation.objects.filter(corrects=wrong).exists()) == (None, False)


def test_withdrawn_observation_cannot_be_corrected(login, pt, child, wrong):
    _withdraw(login(pt), child, wrong)
    _correct(login(pt), child, wrong)
    assert not Observation.objects.filter(corrects=wrong).exists()


def test_viewer_cannot_correct(login, viewer, child, wrong):
    _correct(login(viewer), child, wrong)
    assert not Observation.objects.filter(corrects=wrong).exists()


# --- Withdrawals -------------------------------------------------------------------------


def test_withdrawal_keeps_the_observation(login, guardian, child, wrong):
    _withdraw(login(guardian), child, wrong)
    assert Observation.objects.filter(pk=wrong.pk).exists()


def test_withdrawal_marks_who_when_and_why(login, guardian, child, wrong):
    _withdraw(login(guardian), child, wrong)
    wrong.refresh_from_db()
    assert (wrong.withdrawn_at, wrong.withdrawn_by, wrong.withdrawal_reason) == (
        TODAY,
        guardian,
        "Recorded for the wrong skill",
    )


def test_withdrawal_falls_back_to_the_previous_observation(login, guardian, child, earlier, wrong):
    _withdraw(login(guardian), child, wrong)
    assert _current(child) == earlier


def test_withdrawing_the_only_observation_leaves_no_current_status(login, guardian, child):
    only = observation(child, guardian, skill=SKILL, status="achieved", on=date(2025, 9, 1))
    _withdraw(login(guardian), child, only)
    assert _current(child) is None


def test_withdrawal_is_audited(login, guardian, child, wrong):
    _withdraw(login(guardian), child, wrong)
    event = AuditEvent.objects.get(child=child, action="withdrew")
    assert (event.actor, event.object_id) == (guardian, str(wrong.pk))


def test_withdrawal_returns_to_the_history(login, guardian, child, wrong):
    assertRedirects(_withdraw(login(guardian), child, wrong), _history_url(child), fetch_redirect_response=False)


def test_withdrawal_without_a_reason_is_refused(login, guardian, child, wrong):
    assert _withdraw(login(guardian), child, wrong, reason="  ").status_code == 400


def test_withdrawal_without_a_reason_says_what_is_missing(login, guardian, child, wrong):
    response = _withdraw(login(guardian), child, wrong, reason="")
    assertContains(response, "Give a reason for withdrawing", status_code=400)


def test_withdrawal_without_a_reason_opens_that_observations_form(login, guardian, child, wrong):
    page = _withdraw(login(guardian), child, wrong, reason="").content.decode()
    entry = page.split(f'id="observation-{wrong.pk}"', 1)[1].split("</li>", 1)[0]
    assert '<details class="mt-1" open>' in entry


def test_withdrawal_without_a_reason_changes_nothing(login, guardian, child, earlier, wrong):
    _withdraw(login(guardian), child, wrong, reason="")
    wrong.refresh_from_db()
    assert (wrong.withdrawn_at, _current(child)) == (None, wrong)


def test_withdrawing_twice_is_refused_with_a_message(login, guardian, child, wrong):
    client = login(guardian)
    _withdraw(client, child, wrong)
    response = _withdraw(client, child, wrong, reason="Second thoughts")
    assertContains(client.get(response["Location"]), "This observation was already withdrawn.")


def test_withdrawing_twice_keeps_the_first_withdrawal(login, guardian, pt, child, wrong):
    _withdraw(login(guardian), child, wrong)
    with time_machine.travel(TODAY + timedelta(hours=1), tick=False):
        _withdraw(login(pt), child, wrong, reason="Second thoughts")
    wrong.refresh_from_db()
    assert (wrong.withdrawn_at, wrong.withdrawn_by, wrong.withdrawal_reason) == (
        TODAY,
        guardian,
        "Recorded for the wrong skill",
    )


def test_withdrawing_twice_audits_once(login, guardian, child, wrong):
    client = login(guardian)
    _withdraw(client, child, wrong)
    _withdraw(client, child, wrong, reason="Second thoughts")
    assert AuditEvent.objects.filter(child=child, action="withdrew").count() == 1


def test_viewer_cannot_withdraw(login, viewer, child, wrong):
    _withdraw(login(viewer), child, wrong)
    wrong.refresh_from_db()
    assert wrong.withdrawn_at is None


def test_observation_of_another_child_cannot_be_withdrawn_through_this_child(
    login, guardian, child, outsider_child, outsider
):
    theirs = observation(outsider_child, outsider, skill=SKILL, status="achieved", on=date(2025, 9, 1))
    assert _withdraw(login(guardian), child, theirs).status_code == 404


def test_only_one_observation_is_current_after_corrections_and_withdrawals(login, guardian, pt, child, earlier, wrong):
    _correct(login(pt), child, wrong)
    _withdraw(login(guardian), child, earlier)
    assert Observation.objects.filter(child=child, skill__slug=SKILL, is_current=True).count() == 1


# --- The history page ---------------------------------------------------------------------------


@pytest.fixture
def history(login, guardian, pt, child, earlier, wrong):
    """Three entries: `earlier` withdrawn by Gina, `wrong` corrected by Paul, and the correction."""
    with time_machine.travel(datetime(2025, 9, 10, 12, 30, tzinfo=UTC), tick=False):
        _withdraw(login(guardian), child, earlier, reason="Was another child")
    with time_machine.travel(datetime(2025, 9, 10, 13, 45, tzinfo=UTC), tick=False):
        _correct(login(pt), child, wrong)
    return login(guardian).get(_history_url(child))


def test_history_lists_every_observation(history, child):
    ids = [int(found) for found in re.findall(r'id="observation-(\d+)"', history.content.decode())]
    assert sorted(ids) == sorted(Observation.objects.filter(child=child).values_list("pk", flat=True))


def test_history_lists_the_newest_first(history, earlier, wrong):
    ids = [int(found) for found in re.findall(r'id="observation-(\d+)"', history.content.decode())]
    assert ids == [Observation.objects.get(corrects=wrong).pk, wrong.pk, earlier.pk]


def test_history_marks_a_withdrawn_observation(history, earlier):
    assert "withdrawn by Gina Guardian, 10 Sep 2025 13:30: Was another child" in _item(history, earlier)


def test_history_marks_a_corrected_observation(history, wrong):
    assert "corrected by Paul PT, 10 Sep 2025 14:45" in _item(history, wrong)


def test_history_shows_who_recorded_each_and_when(history, earlier):
    assert "Not yet on 1 Aug 2025 — recorded by Gina Guardian, 10 Sep 2025 12:00" in _item(history, earlier)


def test_history_marks_the_correction_and_the_current_status(history, wrong):
    entry = _item(history, Observation.objects.get(corrects=wrong))
    assert "current" in entry
    assert "correction of an earlier entry" in entry


def test_history_offers_no_correction_of_a_withdrawn_observation(history, child, earlier):
    assert reverse("tracker:correct", args=[child.public_id, earlier.pk]) not in history.content.decode()


def test_viewer_sees_the_history_without_correct_or_withdraw(login, viewer, child, wrong):
    response = login(viewer).get(_history_url(child))
    assert "Correct or withdraw" not in _text(response)


def test_history_of_an_unrecorded_skill_says_so(login, guardian, child):
    assert "Nothing recorded yet." in _text(login(guardian).get(_history_url(child)))


# --- Its chart (issue 14: the chart was only inside the progress review) -------------------------


def test_the_skill_page_shows_its_history_chart_as_svg(login, guardian, child):
    observation(child, guardian, skill=SKILL, status="emerging", on=date(2025, 9, 1))
    page = login(guardian).get(_history_url(child))
    chart = reverse("tracker:chart_skill", args=[child.public_id, SKILL, "svg"])
    assertContains(page, f'<img class="chart-img" src="{chart}"', html=False)


def test_the_skill_chart_has_a_text_alternative_and_its_table(login, guardian, child):
    observation(child, guardian, skill=SKILL, status="emerging", on=date(2025, 9, 1))
    page = login(guardian).get(_history_url(child))
    assertContains(page, "1 observation from age")
    assertContains(page, '<th scope="row">1 Sep 2025</th>', html=False)


def test_the_skill_chart_leaves_out_withdrawn_observations(login, guardian, child):
    kept = observation(child, guardian, skill=SKILL, status="emerging", on=date(2025, 9, 1))
    mistake = observation(child, guardian, skill=SKILL, status="achieved", on=date(2025, 9, 2))
    login(guardian).post(reverse("tracker:withdraw", args=[child.public_id, mistake.pk]), {"reason": "Wrong skill"})
    page = login(guardian).get(_history_url(child))
    assert page.context["chart"].points[-1].on == kept.observed_on


def test_a_skill_with_nothing_recorded_shows_no_chart(login, guardian, child):
    page = login(guardian).get(_history_url(child))
    assert reverse("tracker:chart_skill", args=[child.public_id, SKILL, "svg"]) not in page.content.decode()


def test_the_source_reads_as_one_sentence_after_another(login, guardian, child):
    # A CDC item's place in its source ends "… (4 mo).": the full reference follows after one full stop.
    url = reverse("tracker:skill_history", args=[child.public_id, "gm-rolls-tummy-to-back"])
    page = _text(login(guardian).get(url))
    assert "Source: CDC 2022 — " in page and "Zubler JM" in page
    assert ".." not in page
