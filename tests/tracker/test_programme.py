"""The home programme: therapists set activities, the family logs practice with one tap, undo keeps history."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tracker import programme
from tracker.models import Activity, ActivityTemplate, AuditEvent, Child, PracticeLog

from ..factories import activity, goal

pytestmark = pytest.mark.django_db


def _url(name: str, child, *args) -> str:
    return reverse(f"tracker:{name}", args=[child.public_id, *args])


def _version(child) -> int:
    return Child.objects.get(pk=child.pk).data_version


# --- The week view --------------------------------------------------------------------------


def test_family_sees_this_weeks_activities_with_instructions(login, guardian, pt, child):
    activity(child, pt, title="Walks with a push toy")
    page = login(guardian).get(_url("programme", child)).content.decode()
    assert "Walks with a push toy" in page and "Walk together across the room" in page


def test_an_ended_activity_is_not_in_this_weeks_list(login, guardian, pt, child):
    today = timezone.localdate()
    activity(child, pt, title="Old activity", start=today - timedelta(days=60), end=today - timedelta(days=30))
    page = login(guardian).get(_url("programme", child)).content.decode()
    assert "No home activities planned this week." in page


def test_viewer_reads_the_programme_without_the_tap(login, viewer, pt, child):
    item = activity(child, pt)
    page = login(viewer).get(_url("programme", child)).content.decode()
    assert item.title in page and _url("practise", child, item.pk) not in page


def test_viewing_the_programme_is_audited(login, guardian, child):
    login(guardian).get(_url("programme", child))
    assert AuditEvent.objects.filter(child=child, summary="Viewed the home programme").count() == 1


# --- One tap -------------------------------------------------------------------------------


def test_one_tap_logs_practice_today_by_the_guardian(login, guardian, pt, child):
    item = activity(child, pt)
    login(guardian).post(_url("practise", child, item.pk), {})
    log = PracticeLog.objects.get()
    assert (log.practised_on, log.logged_by, log.logged_as, log.how) == (timezone.localdate(), guardian, "family", "")


def test_how_it_went_and_a_comment_are_kept(login, guardian, pt, child):
    item = activity(child, pt)
    login(guardian).post(_url("practise", child, item.pk), {"how": "didnt_manage", "comment": "Too tired today"})
    assert PracticeLog.objects.values_list("how", "comment").get() == ("didnt_manage", "Too tired today")


def test_an_unknown_how_is_refused_with_a_message_and_nothing_saved(login, guardian, pt, child):
    item = activity(child, pt)
    response = login(guardian).post(_url("practise", child, item.pk), {"how": "great"}, HTTP_HX_REQUEST="true")
    assert "not one of the available choices" in response.content.decode()
    assert not PracticeLog.objects.exists()


def test_htmx_tap_returns_the_row_with_the_new_count(login, guardian, pt, child):
    item = activity(child, pt, times_per_week=3)
    response = login(guardian).post(_url("practise", child, item.pk), {}, HTTP_HX_REQUEST="true")
    page = response.content.decode()
    assert "<strong>1 of 3</strong>" in page and "saved" in page and "<html" not in page


def test_a_tap_moves_the_data_version_and_is_audited(login, guardian, pt, child):
    item = activity(child, pt)
    before = _version(child)
    login(guardian).post(_url("practise", child, item.pk), {})
    assert _version(child) == before + 1
    assert AuditEvent.objects.filter(child=child, action="created", object_type="practicelog").count() == 1


def test_an_activity_not_running_today_cannot_be_practised(login, guardian, pt, child):
    today = timezone.localdate()
    item = activity(child, pt, start=today + timedelta(days=3))
    login(guardian).post(_url("practise", child, item.pk), {})
    assert not PracticeLog.objects.exists()


def test_another_childs_activity_is_404(login, guardian, outsider, outsider_child, child):
    from ..factories import therapist

    other = activity(outsider_child, therapist(outsider_child))
    assert login(guardian).post(_url("practise", child, other.pk), {}).status_code == 404


# --- Undo never destroys ---------------------------------------------------------------------


def test_undo_withdraws_my_latest_tap_and_keeps_it_in_the_history(login, guardian, pt, child):
    item = activity(child, pt)
    client = login(guardian)
    client.post(_url("practise", child, item.pk), {})
    client.post(_url("practice_undo", child, item.pk), {})
    log = PracticeLog.objects.get()
    assert (log.is_withdrawn, log.withdrawn_by) == (True, guardian)


def test_an_undone_tap_counts_nowhere(login, guardian, pt, child):
    item = activity(child, pt, times_per_week=3)
    client = login(guardian)
    client.post(_url("practise", child, item.pk), {})
    client.post(_url("practice_undo", child, item.pk), {})
    week = programme.one_week(child, item, guardian, timezone.localdate())
    assert week.done == 0


def test_undo_leaves_someone_elses_tap_alone(login, guardian, pt, child):
    item = activity(child, pt)
    programme.log_practice(activity=item, by=pt)
    login(guardian).post(_url("practice_undo", child, item.pk), {})
    assert PracticeLog.objects.in_force().count() == 1


def test_undo_is_audited_as_a_withdrawal(login, guardian, pt, child):
    item = activity(child, pt)
    client = login(guardian)
    client.post(_url("practise", child, item.pk), {})
    client.post(_url("practice_undo", child, item.pk), {})
    assert AuditEvent.objects.filter(child=child, action="withdrew", object_type="practicelog").count() == 1


def test_undo_with_nothing_to_undo_says_so_and_changes_nothing(login, guardian, pt, child):
    item = activity(child, pt)
    before = AuditEvent.objects.count()
    response = login(guardian).post(_url("practice_undo", child, item.pk), {}, follow=True)
    assert "no practice of this activity logged today" in response.content.decode()
    assert AuditEvent.objects.count() == before + 1  # only the week page's view


# --- Setting the programme ---------------------------------------------------------------------


def _form(**changes) -> dict:
    data = {
        "title": "Cruising along the sofa",
        "instructions": "Toys along the sofa; step sideways to each.",
        "times_per_week": 5,
        "start_on": timezone.localdate().isoformat(),
    }
    return {**data, **changes}


def test_therapist_sets_an_activity_for_a_goal_and_skills(login, pt, child):
    walking = goal(child, pt)
    login(pt).post(_url("activity_create", child), _form(goal=walking.pk, skills=[_skill_pk("gm-walks-alone")]))
    item = Activity.objects.get()
    assert (item.goal, list(item.skills.values_list("slug", flat=True)), item.set_as) == (
        walking,
        ["gm-walks-alone"],
        "PT",
    )


def _skill_pk(slug: str) -> int:
    from tracker.models import Skill

    return Skill.objects.get(slug=slug).pk


def test_a_template_fills_the_form_to_adapt(login, ot, child):
    template = ActivityTemplate.objects.get(slug="posting-box")
    page = login(ot).get(_url("activity_create", child) + f"?template={template.pk}").content.decode()
    assert "Posting small things" in page and "Cut a slot in the lid" in page


def test_an_activity_copied_from_a_template_remembers_it(login, ot, child):
    template = ActivityTemplate.objects.get(slug="posting-box")
    login(ot).post(_url("activity_create", child), _form(template=template.pk, title="Posting buttons"))
    assert Activity.objects.get().template == template


def test_keeping_as_a_template_offers_it_for_every_child_of_the_caseload(login, ot, child, outsider_child):
    from tracker.models import CareTeamMembership

    CareTeamMembership.objects.create(child=outsider_child, user=ot, role="therapist", discipline="OT")
    client = login(ot)
    client.post(_url("activity_create", child), _form(keep_as_template="on", skills=[_skill_pk("fm-scribbles")]))
    page = client.get(_url("activity_create", outsider_child)).content.decode()
    assert "Cruising along the sofa" in page and "yours" in page


def test_own_templates_keep_catalogue_skills_only(login, ot, child):
    from tracker import services
    from tracker.models import Domain, Skill

    custom = services.add_custom_skill(
        child=child, skill=Skill(domain=Domain.objects.get(slug="fine-motor"), name="Maya's own skill"), by=ot
    )
    login(ot).post(
        _url("activity_create", child), _form(keep_as_template="on", skills=[custom.pk, _skill_pk("fm-scribbles")])
    )
    template = ActivityTemplate.objects.get(owner=ot)
    assert list(template.skills.values_list("slug", flat=True)) == ["fm-scribbles"]


def test_another_therapists_templates_are_not_offered(login, ot, pt, child):
    ActivityTemplate.objects.create(slug="own-x", domain_id=1, title="Olga's private idea", instructions="x", owner=ot)
    assert "Olga's private idea" not in login(pt).get(_url("activity_create", child)).content.decode()


def test_an_end_before_the_start_is_refused_next_to_the_field(login, pt, child):
    today = timezone.localdate()
    response = login(pt).post(_url("activity_create", child), _form(end_on=(today - timedelta(days=1)).isoformat()))
    assert "The end date is before the start date." in response.content.decode()
    assert 'value="Cruising along the sofa"' in response.content.decode()


def test_a_link_must_be_https(login, pt, child):
    response = login(pt).post(_url("activity_create", child), _form(link="http://video.example/x"))
    assert not Activity.objects.exists() and response.status_code == 200


def test_an_edit_over_a_newer_edit_is_refused_and_loses_nothing(login, pt, ot, child):
    item = activity(child, pt)
    stale = programme.activity_version(item)
    programme.edit_activity(
        activity_id=item.pk,
        changes={**{name: getattr(item, name) for name in programme.ACTIVITY_FIELDS}, "title": "Newer"},
        skills=[],
        expected_version=stale,
        by=ot,
    )
    response = login(pt).post(_url("activity_edit", child, item.pk), _form(title="Mine", version=stale))
    assert response.status_code == 409 and 'value="Mine"' in response.content.decode()
    assert Activity.objects.get().title == "Newer"


def test_ending_an_activity_keeps_it_and_its_practice(login, guardian, pt, child):
    item = activity(child, pt)
    programme.log_practice(activity=item, by=guardian)
    login(pt).post(_url("activity_end", child, item.pk), {})
    item.refresh_from_db()
    assert item.end_on == timezone.localdate() and PracticeLog.objects.filter(activity=item).count() == 1


# --- Adherence beside the goal and on the overview ----------------------------------------------


def test_adherence_table_is_on_the_overview_and_next_to_the_goal(login, guardian, pt, child):
    walking = goal(child, pt)
    item = activity(child, pt, title="Walks with a push toy", goal=walking, times_per_week=3)
    programme.log_practice(activity=item, by=guardian)
    client = login(pt)
    for page in (client.get(_url("child_detail", child)), client.get(_url("goal_detail", child, walking.pk))):
        text = page.content.decode()
        assert "Practice logged of practice planned" in text and "A1 Walks with a push toy" in text


def test_goal_page_shows_only_the_activities_serving_that_goal(login, pt, child):
    walking = goal(child, pt)
    activity(child, pt, title="For the goal", goal=walking)
    activity(child, pt, title="Something else")
    text = login(pt).get(_url("goal_detail", child, walking.pk)).content.decode()
    assert "For the goal" in text and "Something else" not in text


def test_adherence_chart_is_an_svg_with_its_own_policy(login, guardian, pt, child):
    activity(child, pt)
    response = login(guardian).get(_url("chart_adherence", child, "svg"))
    assert response["Content-Type"] == "image/svg+xml" and "default-src 'none'" in response["Content-Security-Policy"]


def test_adherence_chart_for_another_childs_goal_is_404(login, pt, child, outsider_child):
    from ..factories import therapist

    other = goal(outsider_child, therapist(outsider_child))
    assert login(pt).get(_url("chart_adherence", child, "png") + f"?goal={other.pk}").status_code == 404


def test_the_library_is_loaded_by_natural_key_without_duplicates():
    from django.core.management import call_command

    before = ActivityTemplate.objects.library().count()
    call_command("load_catalogue", verbosity=0)
    assert ActivityTemplate.objects.library().count() == before >= 16


def test_anonymous_is_sent_to_login_from_the_library(client):
    response = client.get(reverse("tracker:activity_templates"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))


def test_the_library_page_lists_every_area(login, pt):
    page = login(pt).get(reverse("tracker:activity_templates")).content.decode()
    assert all(area in page for area in ("Gross motor", "Fine motor", "Self-care", "Sensory"))


@pytest.mark.parametrize("day", [date(2026, 3, 2), date(2026, 3, 8)])
def test_a_week_runs_monday_to_sunday(day):
    assert programme.week_of(day) == (date(2026, 3, 2), date(2026, 3, 8))
