"""The staff admin's catalogue (tracker/admin.py): catalogue_report's rules, pages moved, every change audited."""

import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from tracker.models import AuditEvent, Skill, Source

pytestmark = pytest.mark.django_db

FIELDS = [
    "domain",
    "slug",
    "name",
    "description",
    "window_kind",
    "window_start_months",
    "window_end_months",
    "median_months",
    "source",
    "source_detail",
    "sequence",
    "order",
]


def skill_form(skill: Skill, **changes) -> dict:
    """The change form as the admin shows it for `skill`, with `changes` typed in."""
    data = {name: getattr(skill, f"{name}_id" if name in ("domain", "source") else name) for name in FIELDS}
    data = {name: "" if value is None else str(value) for name, value in data.items()}
    if skill.optional:
        data["optional"] = "on"
    return {**data, **{name: str(value) for name, value in changes.items()}}


def change_url(obj) -> str:
    return reverse(f"staff:tracker_{obj._meta.model_name}_change", args=[obj.pk])


@pytest.fixture
def walks():
    return Skill.objects.get(slug="gm-walks-alone")


def test_a_change_within_the_rules_is_saved(as_staff, walks):
    response = as_staff.post(change_url(walks), skill_form(walks, name="Walks alone, five steps"))
    assert response.status_code == 302
    walks.refresh_from_db()
    assert walks.name == "Walks alone, five steps"


def test_a_who_window_that_is_not_one_of_the_six_is_refused(as_staff, walks):
    response = as_staff.post(change_url(walks), skill_form(walks, window_end_months="18.0"))
    assertContains(response, "not one of the six the WHO Motor Development Study published")
    walks.refresh_from_db()
    assert walks.window_end_months == Decimal("17.6")


def test_a_cdc_window_ending_between_checkpoints_is_refused(as_staff):
    skill = Skill.objects.get(slug="fm-swipes-at-hanging-toy")
    response = as_staff.post(change_url(skill), skill_form(skill, window_end_months="5.0"))
    assertContains(response, "which is not a CDC 2022 checkpoint")
    skill.refresh_from_db()
    assert skill.window_end_months == 4


def test_a_skill_with_no_place_in_its_source_is_refused_and_what_was_typed_comes_back(as_staff, walks):
    response = as_staff.post(change_url(walks), skill_form(walks, source_detail="", name="Walks, typed name"))
    assertContains(response, "no place in the source")
    assertContains(response, 'value="Walks, typed name"')
    assert Skill.objects.get(pk=walks.pk).source_detail != ""


def test_a_new_skill_is_checked_by_the_same_rules(as_staff, walks):
    form = skill_form(walks, slug="gm-new-skill", name="New skill", median_months="")
    response = as_staff.post(reverse("staff:tracker_skill_add"), form)
    assertContains(response, "a WHO window without its median")
    assert not Skill.objects.filter(slug="gm-new-skill").exists()


def test_a_source_whose_citation_gives_no_year_is_refused_next_to_the_citation(as_staff):
    source = Source.objects.get(slug="cdc-2022")
    data = {"slug": source.slug, "short_name": source.short_name, "citation": "Zubler et al., Pediatrics", "url": ""}
    response = as_staff.post(change_url(source), data)
    assert response.context["adminform"].form.errors["citation"] == [
        "A reader could not find this source: the citation gives no year."
    ]
    source.refresh_from_db()
    assert source.citation != "Zubler et al., Pediatrics"


def test_a_cached_checklist_is_drawn_again_after_an_admin_edit(as_staff, child, guardian, walks):
    family = Client()
    family.force_login(guardian, backend="django.contrib.auth.backends.ModelBackend")
    checklist = reverse("tracker:checklist", args=[child.public_id, "gross-motor"])
    assertContains(family.get(checklist), "Walks alone")  # drawn and kept in the cache
    as_staff.post(change_url(walks), skill_form(walks, name="Toddles alone"))
    page = family.get(checklist)
    assertContains(page, "Toddles alone")
    assertNotContains(page, "Walks alone")


def test_an_admin_edit_moves_every_childs_version_as_a_reload_does(as_staff, child, outsider_child, walks):
    versions = {child.pk: child.data_version, outsider_child.pk: outsider_child.data_version}
    as_staff.post(change_url(walks), skill_form(walks, name="Walks alone, five steps"))
    for kid in (child, outsider_child):
        kid.refresh_from_db()
        assert kid.data_version == versions[kid.pk] + 1


def test_a_refused_edit_moves_nothing(as_staff, child, walks):
    before = child.data_version
    as_staff.post(change_url(walks), skill_form(walks, window_end_months="18.0"))
    child.refresh_from_db()
    assert child.data_version == before


def test_every_change_is_an_audit_event_naming_the_staff_member_and_the_skill(as_staff, staff, walks):
    as_staff.post(change_url(walks), skill_form(walks, name="Walks alone, five steps"))
    event = AuditEvent.objects.get(object_type="skill")
    assert (event.actor_id, event.actor_name, event.action) == (staff.pk, "staff@example.org", "changed")
    assert event.object_id == str(walks.pk)
    assert event.summary == "Staff admin: changed skill gm-walks-alone (Name)"
    assert event.child_id is None


def test_adding_a_source_is_an_audit_event(as_staff):
    data = {"slug": "new-source", "short_name": "New 2024", "citation": "Author A. Title. Publisher, 2024.", "url": ""}
    assert as_staff.post(reverse("staff:tracker_source_add"), data).status_code == 302
    event = AuditEvent.objects.get(object_type="source")
    assert (event.action, event.summary) == ("created", "Staff admin: added source new-source")


def test_nothing_of_the_catalogue_can_be_deleted(as_staff, walks):
    assert as_staff.get(reverse("staff:tracker_skill_delete", args=[walks.pk])).status_code == 403
    assert as_staff.post(reverse("staff:tracker_skill_delete", args=[walks.pk]), {"post": "yes"}).status_code == 403
    assert Skill.objects.filter(pk=walks.pk).exists()


def test_a_childs_custom_skill_is_not_in_the_catalogue_list(as_staff, child, ot):
    custom = Skill.objects.create(
        domain=walks_domain(), slug="maya-own-skill", name="Climbs the garden frame", child=child, created_by=ot
    )
    response = as_staff.get(reverse("staff:tracker_skill_changelist"), {"q": "garden"})
    assert "Climbs the garden frame" not in response.content.decode()
    opened = as_staff.get(change_url(custom))
    assert opened.status_code == 302  # "does not exist": the admin's answer for an object outside its queryset


def walks_domain():
    return Skill.objects.get(slug="gm-walks-alone").domain


def test_no_second_history_outside_the_audit_trail(as_staff, walks):
    from django.contrib.admin.models import LogEntry

    as_staff.post(change_url(walks), skill_form(walks, name="Walks alone, five steps"))
    assert AuditEvent.objects.filter(object_type="skill").count() == 1
    assert LogEntry.objects.count() == 0


# --- A reload keeps what staff changed ----------------------------------------------------------------


def _reload(*flags) -> str:
    out = io.StringIO()
    call_command("load_catalogue", *flags, stdout=out)
    return out.getvalue()


def test_a_reload_keeps_a_staff_change_and_names_it(as_staff, walks):
    as_staff.post(change_url(walks), skill_form(walks, name="Walks alone, five steps"))
    said = _reload()
    walks.refresh_from_db()
    assert walks.name == "Walks alone, five steps" and walks.staff_changed_at is not None
    assert "Kept 1 change(s) made in the staff admin over the fixture: skill gm-walks-alone." in said


def test_a_reload_still_takes_the_fixtures_values_for_rows_staff_never_changed(as_staff, walks):
    Skill.objects.filter(pk=walks.pk).update(name="Changed behind the admin's back")
    assert "Kept" not in _reload()
    walks.refresh_from_db()
    assert walks.name == "Walks alone"


def test_discarding_staff_changes_takes_the_fixtures_values(as_staff, walks):
    as_staff.post(change_url(walks), skill_form(walks, name="Walks alone, five steps"))
    said = _reload("--discard-staff-changes")
    walks.refresh_from_db()
    assert (walks.name, walks.staff_changed_at) == ("Walks alone", None)
    assert "Replaced with the fixture's values: skill gm-walks-alone." in said
    assert "Kept" not in _reload()


def test_a_source_and_a_skill_only_staff_added_stay_through_a_reload(as_staff, walks):
    data = {"slug": "new-source", "short_name": "New 2024", "citation": "Author A. Title. Publisher, 2024.", "url": ""}
    as_staff.post(reverse("staff:tracker_source_add"), data)
    said = _reload()
    assert Source.objects.filter(slug="new-source", staff_changed_at__isnull=False).exists()
    assert "source new-source" in said


def test_a_change_the_fixture_has_taken_in_is_no_longer_a_staff_change(as_staff, walks):
    as_staff.post(change_url(walks), skill_form(walks))  # saved with the fixture's own values
    said = _reload()
    walks.refresh_from_db()
    assert walks.staff_changed_at is None
    assert "Now the same in the fixture, no longer staff changes: skill gm-walks-alone." in said


def test_a_reload_that_keeps_staff_changes_still_moves_every_childs_version(as_staff, child, walks):
    as_staff.post(change_url(walks), skill_form(walks, name="Walks alone, five steps"))
    child.refresh_from_db()
    before = child.data_version
    _reload()
    child.refresh_from_db()
    assert child.data_version == before + 1
