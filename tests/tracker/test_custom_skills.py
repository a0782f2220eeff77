"""A therapist's custom skill for one child: adding it, where it appears, and bad input."""

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse
from pytest_django.asserts import assertContains, assertFormError, assertNotContains, assertRedirects

from tracker.models import AuditEvent, Domain, Role, Skill

from ..factories import MembershipFactory, observation

pytestmark = pytest.mark.django_db

# Maya (born 10 March 2025) is six months old.
TODAY = datetime(2025, 9, 10, 11, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _frozen_today():
    with time_machine.travel(TODAY, tick=False):
        yield


def _url(child) -> str:
    return reverse("tracker:custom_skill_create", args=[child.public_id])


def _checklist(child, domain: str = "fine-motor") -> str:
    return reverse("tracker:checklist", args=[child.public_id, domain])


def _data(**overrides) -> dict:
    fine_motor = Domain.objects.get(slug="fine-motor").pk
    return {
        "domain": fine_motor,
        "name": "Holds a chunky crayon",
        "description": "Grips a chunky crayon in a fist to make marks.",
        "window_start_months": "5",
        "window_end_months": "9",
        "source_detail": "Our clinic's handwriting programme, stage 1",
    } | overrides


def _custom(child) -> Skill:
    return Skill.objects.get(child=child)


def _group_of(response, slug: str) -> str:
    """The key of the checklist group the skill is listed in."""
    for key, body in re.findall(r'aria-labelledby="group-(\w+)">(.*?)</section>', response.content.decode(), re.S):
        if f'id="skill-{slug}"' in body:
            return key
    raise AssertionError(f"{slug} is not on the checklist")


# --- Adding ---------------------------------------------------------------------------------


def test_therapist_sees_the_form(login, ot, child):
    assertContains(login(ot).get(_url(child)), "Add a custom skill for Maya")


def test_therapist_adds_a_custom_skill_for_the_child(login, ot, child):
    login(ot).post(_url(child), _data())
    skill = _custom(child)
    assert (skill.name, skill.domain.slug, skill.created_by) == ("Holds a chunky crayon", "fine-motor", ot)


def test_custom_skill_gets_its_own_slug(login, ot, child):
    login(ot).post(_url(child), _data())
    assert _custom(child).slug.startswith("custom-")


def test_adding_returns_to_the_skill_on_its_checklist(login, ot, child):
    response = login(ot).post(_url(child), _data())
    expected = f"{_checklist(child)}#skill-{_custom(child).slug}"
    assertRedirects(response, expected, fetch_redirect_response=False)


def test_adding_is_audited(login, ot, child):
    login(ot).post(_url(child), _data())
    event = AuditEvent.objects.get(child=child, action="created", object_type="skill")
    assert (event.actor, event.object_id) == (ot, str(_custom(child).pk))


def test_custom_skill_is_not_part_of_the_catalogue(login, ot, child):
    login(ot).post(_url(child), _data())
    assert not Skill.objects.catalogue().filter(name="Holds a chunky crayon").exists()


# --- Where it appears ----------------------------------------------------------------------------


def test_custom_skill_appears_on_the_childs_checklist_marked_custom(login, ot, child):
    client = login(ot)
    client.post(_url(child), _data())
    response = client.get(_checklist(child))
    row = response.content.decode().split(f'id="skill-{_custom(child).slug}"', 1)[1].split("</li>", 1)[0]
    assert ("Holds a chunky crayon" in row, ">Custom</span>" in row) == (True, True)


def test_custom_skill_is_grouped_by_its_window(login, ot, child):
    client = login(ot)
    client.post(_url(child), _data())
    assert _group_of(client.get(_checklist(child)), _custom(child).slug) == "starting_now"


def test_custom_skill_window_is_the_therapists_and_never_overdue(login, ot, child):
    client = login(ot)
    client.post(_url(child), _data(window_start_months="1", window_end_months="3"))
    skill = _custom(child)
    observation(child, ot, skill=skill.slug, status="not_yet", on=child.date_of_birth + timedelta(days=150))
    response = client.get(_checklist(child))
    assert (skill.window_kind, _group_of(response, skill.slug)) == ("set_for_child", "later_than_typical")
    assertContains(response, "Set for this child by a therapist: 1–3 months.")


def test_custom_skill_without_a_window_is_tracked_over_time(login, ot, child):
    client = login(ot)
    client.post(_url(child), _data(window_start_months="", window_end_months=""))
    response = client.get(_checklist(child))
    assert (_custom(child).window_kind, _group_of(response, _custom(child).slug)) == ("", "tracked")
    assertContains(response, "Tracked over time")


def test_custom_skill_is_not_on_another_childs_checklist(login, ot, child, outsider_child):
    MembershipFactory(child=outsider_child, user=ot, role=Role.THERAPIST, discipline="OT")
    client = login(ot)
    client.post(_url(child), _data())
    assertNotContains(client.get(_checklist(outsider_child)), f'id="skill-{_custom(child).slug}"')


def test_catalogue_rows_are_not_marked_custom(login, ot, child):
    assertNotContains(login(ot).get(_checklist(child)), ">Custom</span>")


def test_custom_skill_can_be_recorded(login, ot, child):
    client = login(ot)
    client.post(_url(child), _data())
    client.post(reverse("tracker:record", args=[child.public_id, _custom(child).slug]), {"status": "emerging"})
    assert _custom(child).observations.get().status == "emerging"


# --- Bad input -------------------------------------------------------------------------------------


def test_only_the_start_of_a_window_is_refused_at_the_end_field(login, ot, child):
    response = login(ot).post(_url(child), _data(window_end_months=""))
    assertFormError(response.context["form"], "window_end_months", "Give both ends of the age window, or neither.")


def test_only_the_end_of_a_window_is_refused_at_the_start_field(login, ot, child):
    response = login(ot).post(_url(child), _data(window_start_months=""))
    assertFormError(response.context["form"], "window_start_months", "Give both ends of the age window, or neither.")


def test_half_a_window_adds_nothing(login, ot, child):
    login(ot).post(_url(child), _data(window_end_months=""))
    assert not Skill.objects.filter(child=child).exists()


def test_refused_form_keeps_what_was_typed(login, ot, child):
    assertContains(login(ot).post(_url(child), _data(window_end_months="")), 'value="Holds a chunky crayon"')


def test_window_ending_before_it_starts_is_refused(login, ot, child):
    response = login(ot).post(_url(child), _data(window_start_months="9", window_end_months="5"))
    assertFormError(
        response.context["form"],
        "window_end_months",
        "The window must start before it ends, between 0 and 216 months.",
    )


def test_missing_name_is_refused_at_its_field(login, ot, child):
    response = login(ot).post(_url(child), _data(name=""))
    assert "name" in response.context["form"].errors


# --- Who ----------------------------------------------------------------------------------------------


def test_guardian_gets_403(login, guardian, child):
    assert login(guardian).post(_url(child), _data()).status_code == 403


def test_guardian_adds_nothing(login, guardian, child):
    login(guardian).post(_url(child), _data())
    assert not Skill.objects.filter(child=child).exists()


def test_viewer_adds_nothing(login, viewer, child):
    login(viewer).post(_url(child), _data())
    assert not Skill.objects.filter(child=child).exists()


def test_outsider_gets_404_and_adds_nothing(login, outsider, child):
    response = login(outsider).post(_url(child), _data())
    assert (response.status_code, Skill.objects.filter(child=child).exists()) == (404, False)
