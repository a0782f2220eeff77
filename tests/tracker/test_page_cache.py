"""Cached pages (tracker/page_cache.py): a change is on the very next page, and nothing crosses people.

Each test loads a page (so it is cached), changes something the way a person
would, and loads it again: what the second load shows is what a clinic would
see one request after the change.
"""

import re
from datetime import date

import pytest
import time_machine
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from tracker import page_cache, services
from tracker.models import AuditEvent, Observation, Skill

from ..factories import UserFactory, invitation, note

pytestmark = pytest.mark.django_db


def _overview(child) -> str:
    return reverse("tracker:child_detail", args=[child.public_id])


def _checklist(child) -> str:
    return reverse("tracker:checklist", args=[child.public_id, "gross-motor"])


def _text(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_a_recorded_observation_is_on_the_next_checklist(login, child, pt):
    client = login(pt)
    skill = Skill.objects.get(slug="gm-sits-without-support")
    assert "Not recorded yet" in _text(client, _checklist(child)).split(f'id="skill-{skill.slug}"')[1][:2000]
    response = client.post(reverse("tracker:record", args=[child.public_id, skill.slug]), {"status": "achieved"})
    assert response.status_code == 302
    row = _text(client, _checklist(child)).split(f'id="skill-{skill.slug}"')[1][:2000]
    assert "Not recorded yet" not in row
    assert "Achieved</strong>" in row


def test_a_profile_edit_is_on_the_next_overview(login, child, guardian):
    client = login(guardian)
    assert "Maya Example" in _text(client, _overview(child))
    edit = reverse("tracker:child_edit", args=[child.public_id])
    data = {"given_name": "Mia", "family_name": "Example", "date_of_birth": child.date_of_birth.isoformat()}
    assert client.post(edit, data).status_code == 302
    page = _text(client, _overview(child))
    assert "Mia Example" in page
    assert "Maya Example" not in page


def test_archiving_is_on_the_next_overview(login, child, guardian):
    client = login(guardian)
    assert "This child is archived" not in _text(client, _overview(child))
    client.post(reverse("tracker:child_archive", args=[child.public_id]))
    assert "This child is archived" in _text(client, _overview(child))


def test_a_new_team_member_is_on_the_next_overview(login, child, guardian):
    client = login(guardian)
    assert "Nora Newcomer" not in _text(client, _overview(child))
    newcomer = UserFactory(name="Nora Newcomer", email="invitee@example.org", profession="OT")
    pending, _token = invitation(child, by=guardian)
    services.accept_invitation(invitation=pending, user=newcomer)
    assert "Nora Newcomer" in _text(client, _overview(child))


def test_a_removed_member_is_gone_from_the_next_overview_and_loses_access(client, child, guardian, ot):
    theirs = Client()
    theirs.force_login(ot, backend="django.contrib.auth.backends.ModelBackend")
    client.force_login(guardian, backend="django.contrib.auth.backends.ModelBackend")
    assert theirs.get(_overview(child)).status_code == 200  # cached for them
    assert "Olga OT" in _text(client, _overview(child))
    services.remove_member(membership=ot.memberships.get(child=child), by=guardian)
    assert "Olga OT" not in _text(client, _overview(child))
    assert theirs.get(_overview(child)).status_code == 404


def test_a_renamed_therapist_is_renamed_on_the_family_s_next_overview(client, child, guardian, ot):
    client.force_login(guardian, backend="django.contrib.auth.backends.ModelBackend")
    assert "Olga OT" in _text(client, _overview(child))
    theirs = Client()
    theirs.force_login(ot, backend="django.contrib.auth.backends.ModelBackend")
    data = {"name": "Olga Occupational", "email": ot.email, "profession": ot.profession}
    assert theirs.post(reverse("accounts:profile"), data).status_code == 302
    page = _text(client, _overview(child))
    assert "Olga Occupational" in page
    assert "Olga OT" not in page


def test_a_page_cached_for_a_therapist_never_reaches_the_family(login, child, guardian, ot):
    note(child, ot, visibility="team", body="Team-only: discussed the referral.")
    timeline = reverse("tracker:timeline", args=[child.public_id])
    assert "Team-only: discussed the referral." in _text(login(ot), timeline)
    assert "Team-only: discussed the referral." not in _text(login(guardian), timeline)


def test_each_session_gets_its_own_csrf_token_from_a_cached_page(child, pt):
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    for browser in (first, second):
        browser.force_login(pt, backend="django.contrib.auth.backends.ModelBackend")
    tokens = []
    for browser in (first, second):
        page = _text(browser, _checklist(child))
        tokens.append(re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1))
    assert tokens[0] != tokens[1]
    skill = Skill.objects.get(slug="gm-sits-without-support")
    record = reverse("tracker:record", args=[child.public_id, skill.slug])
    # The second browser was served the first browser's cached page: its own token must work.
    response = second.post(record, {"status": "emerging", "csrfmiddlewaretoken": tokens[1]})
    assert response.status_code == 302
    assert Observation.objects.filter(child=child, skill=skill, status="emerging").count() == 1
    # And the token from the other session is refused there, as always.
    assert first.post(record, {"status": "achieved", "csrfmiddlewaretoken": "x" * 64}).status_code == 403


def test_a_cached_page_keeps_names_outside_ascii(login, child, guardian):
    # Cached pages are kept as UTF-8 bytes: a name with accents must come back as typed.
    child.given_name, child.family_name = "Zoë", "Nguyễn-Åberg"
    child.save()
    client = login(guardian)
    drawn_page, served_page = (_text(client, _overview(child)) for _ in range(2))
    assert "Zoë Nguyễn-Åberg" in served_page
    # The same page apart from the CSRF token, which is masked afresh for every response.
    token = re.compile(r"[A-Za-z0-9]{64}")
    assert token.sub("TOKEN", served_page) == token.sub("TOKEN", drawn_page)


def test_a_one_off_message_is_shown_once_and_never_cached(login, child, guardian):
    client = login(guardian)
    _text(client, _overview(child))
    edit = reverse("tracker:child_edit", args=[child.public_id])
    data = {"given_name": "Maya", "family_name": "Example", "date_of_birth": child.date_of_birth.isoformat()}
    client.post(edit, data)
    assert "The profile is saved." in _text(client, _overview(child))
    assert "The profile is saved." not in _text(client, _overview(child))


def test_ages_move_with_the_date_on_a_cached_page(login, child, guardian):
    child.date_of_birth = date(2025, 1, 10)
    child.save()
    client = login(guardian)
    with time_machine.travel(date(2026, 1, 9), tick=False):
        assert "11 months" in _text(client, _overview(child))
    with time_machine.travel(date(2026, 1, 10), tick=False):
        page = _text(client, _overview(child))
    assert "1 year" in page
    assert "11 months" not in page


def test_every_load_of_a_cached_page_is_audited(login, child, pt):
    client = login(pt)
    before = AuditEvent.objects.filter(child=child, actor=pt).count()
    for _ in range(3):
        _text(client, _overview(child))
    assert AuditEvent.objects.filter(child=child, actor=pt).count() == before + 3


@pytest.mark.parametrize(
    ("url", "queries"),
    [
        # session, user, membership check, audit event
        (lambda child: reverse("tracker:child_detail", args=[child.public_id]), 4),
        (lambda child: reverse("tracker:checklist", args=[child.public_id, "gross-motor"]), 4),
        (lambda child: reverse("tracker:timeline", args=[child.public_id]), 4),
        # session, user, the caseload's children and versions
        (lambda child: reverse("tracker:caseload"), 3),
    ],
    ids=["overview", "checklist", "timeline", "caseload"],
)
def test_a_cached_page_costs_only_the_checks(login, child, pt, url, queries, django_assert_num_queries):
    client = login(pt)
    _text(client, url(child))
    with django_assert_num_queries(queries):
        _text(client, url(child))


def test_a_catalogue_reload_is_on_the_next_checklist_and_chart(login, child, guardian):
    """A corrected skill name or age window reaches pages and charts drawn before the reload."""
    client = login(guardian)
    Skill.objects.filter(slug="gm-sits-without-support").update(name="Sits up (old wording)")
    chart = reverse("tracker:chart_milestones", args=[child.public_id, "gross-motor", "svg"])
    assert "Sits up (old wording)" in _text(client, _checklist(child))
    assert "Sits up (old wording)" in _text(client, chart)
    call_command("load_catalogue", verbosity=0)
    name = Skill.objects.get(slug="gm-sits-without-support").name
    assert name != "Sits up (old wording)"
    for url in (_checklist(child), chart):
        page = _text(client, url)
        assert name in page
        assert "Sits up (old wording)" not in page


def test_query_parameters_the_page_does_not_read_make_no_new_cache_entry(login, child, guardian, monkeypatch):
    """Issue 15, finding 6: 300 × `?junk=N` on a checklist grew the shared cache by 28 MB."""
    client = login(guardian)
    plain = _text(client, _checklist(child))
    stored = []
    monkeypatch.setattr(cache, "set", lambda key, *args, **kwargs: stored.append(key))
    masked = re.compile(r"[A-Za-z0-9]{64}")
    for n in range(5):
        junk = _text(client, f"{_checklist(child)}?junk={n}")
        assert masked.sub("", junk) == masked.sub("", plain)
    assert stored == []


def test_a_page_is_drawn_without_the_parameters_it_does_not_read(login, child, ot):
    client = login(ot)
    page = _text(client, reverse("tracker:timeline", args=[child.public_id]) + "?junk=planted-marker")
    assert "planted-marker" not in page


def test_a_deployment_that_changes_a_template_moves_the_generation(tmp_path):
    (tmp_path / "templates").mkdir()
    template = tmp_path / "templates" / "page.html"
    template.write_text("<p>before</p>")
    before = page_cache.deployment_fingerprint(tmp_path)
    template.write_text("<p>after</p>")
    assert page_cache.deployment_fingerprint(tmp_path) != before


def test_a_restore_moves_the_generation(db):
    before = page_cache.generation()
    page_cache.move_generation()
    assert page_cache.generation() != before


@pytest.mark.parametrize("raw", ["¹", "٣", "-1", "0", "x", "9" * 12])
def test_a_page_number_that_is_not_a_plain_number_is_the_first_page(raw, rf):
    assert page_cache.page_number(rf.get("/", {"page": raw})) == 1
