"""Catch-up for families who join late: confirm earlier skills in one screen per area, honestly dated.

A four-year-old joins with nothing recorded: every baby skill is "to check" (unknown, not late). The
family ticks what the child already does ("does all of these", with exceptions); each is recorded as
achieved *before joining*, with an estimated date (when the child reached the end of the skill's
window, or the day they joined if earlier), never as seen today, and marked so in the history, the
charts and the export.
"""

import json
from datetime import UTC, date, datetime

import pytest
import time_machine
from django.urls import reverse
from pytest_django.asserts import assertContains, assertFormError, assertRedirects

from tracker import ages, chart_data
from tracker.models import AuditEvent, Child, Domain, Observation

from ..factories import observation

pytestmark = pytest.mark.django_db

TODAY = datetime(2025, 9, 10, 11, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _frozen_today():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def four_year_old(child):
    """Maya, born 10 September 2021, joined the tracker today with nothing recorded."""
    Child.objects.filter(pk=child.pk).update(date_of_birth=date(2021, 9, 10))
    child.refresh_from_db()
    return child


def _url(child, area="gross-motor"):
    return reverse("tracker:catch_up", args=[child.public_id, area])


def _offered(response) -> list[str]:
    return [value for value, _ in response.context["form"].fields["skills"].choices]


def test_the_screen_offers_every_earlier_skill_nobody_recorded_all_ticked(login, guardian, four_year_old):
    response = login(guardian).get(_url(four_year_old))
    offered = _offered(response)
    assert "gm-walks-alone" in offered and "gm-lifts-head-on-tummy" in offered
    assert "gm-hops-on-one-leg" not in offered  # its window (CDC 5 years) has not passed
    assert response.content.decode().count("checked") == len(offered)


def test_skills_already_recorded_are_not_offered(login, guardian, four_year_old):
    observation(four_year_old, guardian, skill="gm-walks-alone", status="achieved", on=date(2023, 1, 1))
    assert "gm-walks-alone" not in _offered(login(guardian).get(_url(four_year_old)))


def test_confirming_records_achieved_before_joining_with_an_estimated_date(login, guardian, four_year_old):
    login(guardian).post(_url(four_year_old), {"skills": ["gm-walks-alone", "gm-kicks-ball"]})
    found = {o.skill.slug: o for o in Observation.objects.filter(child=four_year_old)}
    assert set(found) == {"gm-walks-alone", "gm-kicks-ball"}
    assert all(o.status == "achieved" and o.before_joining and o.is_current for o in found.values())
    # Estimated at the end of each window: walking alone by 17.6 months, kicking a ball by 24 months.
    assert found["gm-walks-alone"].observed_on == ages.day_at_effective_age(date(2021, 9, 10), None, 17.6)
    assert found["gm-kicks-ball"].observed_on == date(2023, 9, 10)
    assert all(o.observed_on != date(2025, 9, 10) for o in found.values())


def test_unticked_skills_stay_to_check(login, guardian, four_year_old):
    client = login(guardian)
    client.post(_url(four_year_old), {"skills": ["gm-walks-alone"]})
    assert "gm-kicks-ball" in _offered(client.get(_url(four_year_old)))


def test_each_confirmed_skill_is_audited(login, guardian, four_year_old):
    login(guardian).post(_url(four_year_old), {"skills": ["gm-walks-alone", "gm-kicks-ball"]})
    summaries = set(AuditEvent.objects.filter(action="created").values_list("summary", flat=True))
    assert {
        "Recorded achieved before joining for skill gm-walks-alone",
        "Recorded achieved before joining for skill gm-kicks-ball",
    } <= summaries


def test_saving_goes_on_to_the_next_area_with_skills_to_check(login, guardian, four_year_old):
    response = login(guardian).post(_url(four_year_old), {"skills": ["gm-walks-alone"]})
    assertRedirects(response, _url(four_year_old, "fine-motor"))


def test_the_last_area_goes_back_to_the_overview(login, guardian, four_year_old):
    last = _offered(login(guardian).get(_url(four_year_old, "sensory")))
    response = login(guardian).post(_url(four_year_old, "sensory"), {"skills": last[:1]})
    assertRedirects(response, reverse("tracker:child_detail", args=[four_year_old.public_id]))


def test_nothing_ticked_is_refused_next_to_the_list(login, guardian, four_year_old):
    response = login(guardian).post(_url(four_year_old), {})
    message = "Tick the skills your child already does, or go back to the overview if none."
    assertFormError(response.context["form"], "skills", message)
    assert not Observation.objects.exists()


def test_a_skill_not_offered_is_refused(login, guardian, four_year_old):
    response = login(guardian).post(_url(four_year_old), {"skills": ["gm-hops-on-one-leg"]})
    assert response.status_code == 200
    assert not Observation.objects.exists()


def test_an_area_with_nothing_to_check_says_so(login, guardian, child):
    assertContains(login(guardian).get(_url(child, "self-care")), "Nothing to check in self-care")


def test_the_history_marks_the_date_as_an_estimate(login, guardian, four_year_old):
    client = login(guardian)
    client.post(_url(four_year_old), {"skills": ["gm-kicks-ball"]})
    page = client.get(reverse("tracker:skill_history", args=[four_year_old.public_id, "gm-kicks-ball"]))
    assertContains(page, "before joining (date estimated: about 10 Sep 2023)")


def test_the_export_marks_it_too(login, guardian, four_year_old):
    client = login(guardian)
    client.post(_url(four_year_old), {"skills": ["gm-kicks-ball"]})
    response = client.get(reverse("tracker:export_json", args=[four_year_old.public_id]))
    document = json.loads(b"".join(response.streaming_content))  # the export is streamed
    assert [o["before_joining"] for o in document["observations"]] == [True]


def test_the_charts_mark_it_as_an_estimate(login, guardian, four_year_old):
    login(guardian).post(_url(four_year_old), {"skills": ["gm-walks-alone", "gm-kicks-ball", "gm-runs"]})
    gross = Domain.objects.get(slug="gross-motor")
    today = date(2025, 9, 10)
    progress = chart_data.progress_chart(four_year_old, gross, on=today)
    assert progress.points and all(point.estimated for point in progress.points)
    milestone = chart_data.milestone_chart(four_year_old, gross, on=today, show_all=True)
    assert next(row for row in milestone.rows if row.key == "gm-walks-alone").estimated


# --- The access ladder ----------------------------------------------------------------------------------


def test_anonymous_is_sent_to_log_in(client, four_year_old):
    response = client.get(_url(four_year_old))
    assert (response.status_code, response["Location"].split("?")[0]) == (302, reverse("accounts:login"))


def test_outsider_gets_404(login, outsider, four_year_old):
    assert login(outsider).get(_url(four_year_old)).status_code == 404


def test_viewer_gets_403(login, viewer, four_year_old):
    assert login(viewer).post(_url(four_year_old), {"skills": ["gm-walks-alone"]}).status_code == 403
    assert not Observation.objects.exists()


def test_a_therapist_may_confirm_for_the_family(login, ot, four_year_old):
    login(ot).post(_url(four_year_old), {"skills": ["gm-walks-alone"]})
    assert Observation.objects.get().before_joining


def test_an_unknown_area_is_404(login, guardian, four_year_old):
    assert login(guardian).get(_url(four_year_old, "juggling")).status_code == 404
