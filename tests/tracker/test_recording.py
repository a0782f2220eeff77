"""Recording an observation: one tap (plain POST or htmx), the full form, bad input, and the current status."""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse
from pytest_django.asserts import assertContains, assertFormError, assertNotContains, assertRedirects

from tracker import services
from tracker.models import AuditEvent, Domain, Observation, Skill

from ..factories import observation

pytestmark = pytest.mark.django_db

# Maya (born 10 March 2025) is six months old.
TODAY = datetime(2025, 9, 10, 11, 0, tzinfo=UTC)
SKILL = "gm-sits-without-support"


@pytest.fixture(autouse=True)
def _frozen_today():
    with time_machine.travel(TODAY, tick=False):
        yield


def _url(child, slug: str = SKILL) -> str:
    return reverse("tracker:record", args=[child.public_id, slug])


def _observations(child, slug: str = SKILL):
    return Observation.objects.filter(child=child, skill__slug=slug)


def _current(child, slug: str = SKILL) -> Observation | None:
    return Observation.objects.current().filter(child=child, skill__slug=slug).first()


# --- One tap, plain POST ----------------------------------------------------------


def test_tap_creates_one_observation(login, guardian, child):
    login(guardian).post(_url(child), {"status": "achieved"})
    assert _observations(child).count() == 1


def test_tap_stores_the_status(login, guardian, child):
    login(guardian).post(_url(child), {"status": "achieved"})
    assert _observations(child).get().status == "achieved"


def test_tap_records_who_recorded_it(login, guardian, child):
    login(guardian).post(_url(child), {"status": "achieved"})
    recorded = _observations(child).get()
    assert (recorded.recorded_by, recorded.recorded_by_name) == (guardian, "Gina Guardian")


def test_tap_is_dated_today(login, guardian, child):
    login(guardian).post(_url(child), {"status": "achieved"})
    assert _observations(child).get().observed_on == date(2025, 9, 10)


def test_tap_makes_the_observation_current(login, guardian, child):
    login(guardian).post(_url(child), {"status": "achieved"})
    assert _observations(child).get().is_current is True


def test_tap_is_audited(login, guardian, child):
    login(guardian).post(_url(child), {"status": "achieved"})
    recorded = _observations(child).get()
    event = AuditEvent.objects.get(child=child, action="created", object_type="observation")
    assert (event.actor, event.object_id) == (guardian, str(recorded.pk))


def test_tap_redirects_to_the_skill_on_its_checklist(login, guardian, child):
    response = login(guardian).post(_url(child), {"status": "achieved"})
    checklist = reverse("tracker:checklist", args=[child.public_id, "gross-motor"])
    assertRedirects(response, f"{checklist}#skill-{SKILL}", fetch_redirect_response=False)


def test_therapist_tap_stores_the_level_of_assistance(login, pt, child):
    login(pt).post(_url(child), {"status": "emerging", "assistance": "minimal"})
    assert _observations(child).get().assistance == "minimal"


# --- One tap, htmx ------------------------------------------------------------------


def _htmx_tap(client, child, status: str = "achieved"):
    return client.post(_url(child), {"status": status}, headers={"HX-Request": "true"})


def test_htmx_tap_returns_the_row_not_a_page(login, guardian, child):
    response = _htmx_tap(login(guardian), child)
    assertNotContains(response, "<html")
    assertContains(response, f'id="skill-{SKILL}"')


def test_htmx_tap_shows_the_new_status_as_saved(login, guardian, child):
    response = _htmx_tap(login(guardian), child)
    assertContains(response, "Achieved</strong>")
    assertContains(response, "saved")


def test_htmx_tap_creates_one_observation(login, guardian, child):
    _htmx_tap(login(guardian), child)
    assert _observations(child).count() == 1


def test_htmx_tap_with_a_status_outside_the_scale_shows_the_error_in_the_row(login, guardian, child):
    response = _htmx_tap(login(guardian), child, status="great")
    assertNotContains(response, "<html")
    assertContains(response, "Choose not yet, emerging or achieved.")


def test_htmx_tap_with_a_status_outside_the_scale_writes_nothing(login, guardian, child):
    _htmx_tap(login(guardian), child, status="great")
    assert not _observations(child).exists()


# --- The full form ------------------------------------------------------------------


def _full(**overrides) -> dict:
    return {"status": "emerging", "observed_on": "2025-09-01", "assistance": "moderate", "note": "With a cushion"} | (
        overrides
    )


def test_full_form_is_shown(login, guardian, child):
    assertContains(login(guardian).get(_url(child)), 'name="observed_on"')


def test_full_form_stores_the_date(login, pt, child):
    login(pt).post(_url(child), _full())
    assert _observations(child).get().observed_on == date(2025, 9, 1)


def test_full_form_stores_the_level_of_assistance(login, pt, child):
    login(pt).post(_url(child), _full())
    assert _observations(child).get().assistance == "moderate"


def test_full_form_stores_the_note(login, pt, child):
    login(pt).post(_url(child), _full())
    assert _observations(child).get().note == "With a cushion"


def test_date_in_the_future_is_refused_at_its_field(login, guardian, child):
    response = login(guardian).post(_url(child), _full(observed_on="2025-09-11"))
    assertFormError(response.context["form"], "observed_on", "The date observed cannot be in the future.")


def test_date_in_the_future_writes_nothing(login, guardian, child):
    login(guardian).post(_url(child), _full(observed_on="2025-09-11"))
    assert not _observations(child).exists()


def test_date_before_birth_is_refused_at_its_field(login, guardian, child):
    response = login(guardian).post(_url(child), _full(observed_on="2025-03-09"))
    assertFormError(
        response.context["form"], "observed_on", "The date observed cannot be before the birth date (10 Mar 2025)."
    )


def test_date_before_birth_writes_nothing(login, guardian, child):
    login(guardian).post(_url(child), _full(observed_on="2025-03-09"))
    assert not _observations(child).exists()


def test_refused_form_keeps_what_was_typed(login, guardian, child):
    response = login(guardian).post(_url(child), _full(observed_on="2025-09-11"))
    assertContains(response, "With a cushion")


def test_status_outside_the_scale_is_refused_at_its_field(login, guardian, child):
    response = login(guardian).post(_url(child), _full(status="great"))
    assertFormError(response.context["form"], "status", "Choose not yet, emerging or achieved.")


def test_status_outside_the_scale_writes_nothing(login, guardian, child):
    login(guardian).post(_url(child), _full(status="great"))
    assert not _observations(child).exists()


def test_level_of_assistance_outside_the_scale_writes_nothing(login, pt, child):
    login(pt).post(_url(child), _full(assistance="lots"))
    assert not _observations(child).exists()


# --- Which skill, who ------------------------------------------------------------------


def test_unknown_skill_is_404(login, guardian, child):
    assert login(guardian).post(_url(child, "no-such-skill"), {"status": "achieved"}).status_code == 404


@pytest.fixture
def others_custom_skill(outsider_child, outsider):
    skill = Skill(domain=Domain.objects.get(slug="gross-motor"), name="Rides a trike")
    return services.add_custom_skill(child=outsider_child, skill=skill, by=outsider)


def test_another_childs_custom_skill_is_404(login, guardian, child, others_custom_skill):
    response = login(guardian).post(_url(child, others_custom_skill.slug), {"status": "achieved"})
    assert response.status_code == 404


def test_another_childs_custom_skill_writes_nothing(login, guardian, child, others_custom_skill):
    login(guardian).post(_url(child, others_custom_skill.slug), {"status": "achieved"})
    assert not Observation.objects.exists()


def test_viewer_is_refused(login, viewer, child):
    assert login(viewer).post(_url(child), {"status": "achieved"}).status_code == 403


def test_viewer_writes_nothing(login, viewer, child):
    login(viewer).post(_url(child), {"status": "achieved"})
    assert not Observation.objects.exists()


def test_outsider_gets_404(login, outsider, child):
    assert login(outsider).post(_url(child), {"status": "achieved"}).status_code == 404


def test_outsider_writes_nothing(login, outsider, child):
    login(outsider).post(_url(child), {"status": "achieved"})
    assert not Observation.objects.exists()


# --- The current status ---------------------------------------------------------------------


def test_latest_observed_date_is_current_even_when_recorded_first(child, guardian):
    later_day = observation(child, guardian, skill=SKILL, status="achieved", on=date(2025, 9, 5))
    observation(child, guardian, skill=SKILL, status="emerging", on=date(2025, 8, 1))
    assert _current(child) == later_day


def test_on_the_same_day_the_later_recording_is_current(child, guardian, pt):
    observation(child, guardian, skill=SKILL, status="emerging", on=date(2025, 9, 5))
    with time_machine.travel(TODAY + timedelta(hours=1), tick=False):
        later = observation(child, pt, skill=SKILL, status="achieved", on=date(2025, 9, 5))
    assert _current(child) == later


def test_both_observations_stay_in_the_history(child, guardian):
    first = observation(child, guardian, skill=SKILL, status="emerging", on=date(2025, 8, 1))
    second = observation(child, guardian, skill=SKILL, status="achieved", on=date(2025, 9, 5))
    assert set(_observations(child)) == {first, second}


def test_only_one_observation_of_a_skill_is_current(child, guardian, pt):
    for day, status in [(date(2025, 8, 1), "not_yet"), (date(2025, 9, 5), "achieved"), (date(2025, 8, 20), "emerging")]:
        observation(child, guardian, skill=SKILL, status=status, on=day)
    assert _observations(child).filter(is_current=True).count() == 1


def test_recording_another_skill_leaves_this_one_current(child, guardian):
    this = observation(child, guardian, skill=SKILL, status="achieved", on=date(2025, 9, 5))
    observation(child, guardian, skill="gm-walks-alone", status="not_yet", on=date(2025, 9, 6))
    assert _current(child) == this


def test_another_childs_observation_does_not_change_this_childs_current(child, guardian, outsider_child, outsider):
    this = observation(child, guardian, skill=SKILL, status="achieved", on=date(2025, 9, 5))
    observation(outsider_child, outsider, skill=SKILL, status="not_yet", on=date(2025, 9, 6))
    assert _current(child) == this


def test_tap_after_a_backdated_observation_becomes_current(login, guardian, child):
    observation(child, guardian, skill=SKILL, status="emerging", on=date(2025, 9, 1))
    login(guardian).post(_url(child), {"status": "achieved"})
    assert _current(child).status == "achieved"


def test_after_every_observation_is_withdrawn_a_backdated_one_becomes_current(child, guardian):
    withdrawn = observation(child, guardian, skill=SKILL, status="achieved", on=date(2025, 9, 5))
    services.withdraw_observation(observation=withdrawn, by=guardian, reason="Wrong child")
    earlier = observation(child, guardian, skill=SKILL, status="emerging", on=date(2025, 8, 1))
    assert _current(child) == earlier


def test_a_backdated_observation_leaves_the_current_one_alone(child, guardian):
    current = observation(child, guardian, skill=SKILL, status="achieved", on=date(2025, 9, 5))
    observation(child, guardian, skill=SKILL, status="emerging", on=date(2025, 8, 1))
    current.refresh_from_db()
    assert current.is_current
    assert _observations(child).filter(is_current=True).count() == 1


# --- Messages waiting for a page --------------------------------------------------------------


def test_saves_never_shown_keep_only_the_ten_newest_messages(login, guardian, child):
    """A client that posts and never loads a page must not grow its session without end."""
    browser = login(guardian)
    for status in ["emerging", "achieved"] * 6:
        assert browser.post(_url(child), {"status": status}).status_code == 302
    checklist = reverse("tracker:checklist", args=[child.public_id, "gross-motor"])
    assert (_text(browser, checklist).count("Saved: "), _observations(child).count()) == (10, 12)
    assert _text(browser, checklist).count("Saved: ") == 0  # shown once, then gone


def _text(browser, url: str) -> str:
    return browser.get(url).content.decode()
