"""A child's audit log page: who did what and when, newest first; read-only, and itself audited."""

import html
import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tracker import audit
from tracker.models import AuditAction, AuditEvent

from ..factories import note

pytestmark = pytest.mark.django_db

TODAY = datetime(2026, 2, 1, 11, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _frozen_today():
    with time_machine.travel(TODAY, tick=False):
        yield


def _url(child) -> str:
    return reverse("tracker:audit_log", args=[child.public_id])


def _text(response) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


def _rows(response) -> list[str]:
    body = response.content.decode().split("<tbody>")[1].split("</tbody>")[0]
    return [" ".join(html.unescape(re.sub(r"<[^>]+>", " ", row)).split()) for row in body.split("</tr>")[:-1]]


def _recorded(child, actor, action, summary: str, minutes_ago: int) -> None:
    with time_machine.travel(TODAY - timedelta(minutes=minutes_ago), tick=False):
        audit.record(actor, action, child, summary=summary)


# --- Access ---------------------------------------------------------------------


def test_anonymous_is_sent_to_log_in(client, child):
    assert client.get(_url(child))["Location"].startswith(reverse("accounts:login"))


def test_outsider_gets_404(login, child, outsider):
    assert login(outsider).get(_url(child)).status_code == 404


def test_viewer_gets_403(login, child, viewer):
    assert login(viewer).get(_url(child)).status_code == 403


@pytest.mark.parametrize("role", ["guardian", "ot", "pt"])
def test_guardians_and_therapists_see_it(login, child, team, role):
    assert login(team[role]).get(_url(child)).status_code == 200


def test_post_is_405(login, child, guardian):
    assert login(guardian).post(_url(child)).status_code == 405


def test_the_child_nav_links_to_it_for_a_guardian(login, child, guardian):
    response = login(guardian).get(reverse("tracker:note_list", args=[child.public_id]))
    assert _url(child) in response.content.decode()


def test_the_child_nav_hides_it_from_a_viewer(login, child, viewer):
    response = login(viewer).get(reverse("tracker:note_list", args=[child.public_id]))
    assert _url(child) not in response.content.decode()


# --- What it shows ------------------------------------------------------------------


def test_newest_first(login, child, guardian, pt):
    _recorded(child, pt, AuditAction.CREATED, "Wrote a general note", minutes_ago=30)
    _recorded(child, guardian, AuditAction.INVITED, "Invited as Therapist (OT)", minutes_ago=20)
    rows = _rows(login(guardian).get(_url(child)))
    assert [row.split(" ", 4)[-1] for row in rows] == [
        "guardian@example.org viewed child Viewed the audit log",
        "guardian@example.org invited child Invited as Therapist (OT)",
        "pt@example.org created child Wrote a general note",
    ]


def test_shows_who_what_and_when(login, child, guardian, pt):
    _recorded(child, pt, AuditAction.CHANGED, "Edited a note (now version 2)", minutes_ago=5)
    rows = _rows(login(guardian).get(_url(child)))
    assert "1 Feb 2026 10:55 pt@example.org changed child Edited a note (now version 2)" in rows


def test_shows_writing_a_note(login, child, guardian, pt):
    note(child, pt)
    rows = _rows(login(guardian).get(_url(child)))
    assert "1 Feb 2026 11:00 pt@example.org created note Wrote a general note" in rows


def test_shows_only_this_childs_events(login, child, guardian, outsider_child, outsider):
    audit.record(outsider, AuditAction.VIEWED, outsider_child, summary="Otto's overview")
    assert "Otto's overview" not in _text(login(guardian).get(_url(child)))


def test_every_event_shows_with_ones_own_view_on_top(login, child, guardian, pt):
    """The view is recorded before the page is read, so it never pushes the oldest event off the page."""
    _recorded(child, pt, AuditAction.CREATED, "Wrote a general note", minutes_ago=5)
    rows = _rows(login(guardian).get(_url(child)))
    assert len(rows) == 2
    assert "Viewed the audit log" in rows[0]


def test_viewing_it_writes_a_viewed_event(login, child, guardian):
    login(guardian).get(_url(child))
    event = AuditEvent.objects.get(child=child)
    assert (event.action, event.actor, event.summary) == ("viewed", guardian, "Viewed the audit log")


def test_a_refused_viewer_writes_no_event(login, child, viewer):
    login(viewer).get(_url(child))
    assert not AuditEvent.objects.filter(child=child).exists()


def test_an_event_of_a_former_member_still_shows(login, child, guardian, pt):
    audit.record(pt, AuditAction.CREATED, child, summary="Wrote a general note")
    pt.delete()
    assert "pt@example.org created child Wrote a general note" in _text(login(guardian).get(_url(child)))


def test_summaries_are_escaped(login, child, guardian, pt):
    audit.record(pt, AuditAction.CREATED, child, summary="<script>alert(1)</script>")
    assert "<script>alert(1)</script>" not in login(guardian).get(_url(child)).content.decode()


def test_pages_of_50(login, child, guardian):
    for i in range(60):
        _recorded(child, guardian, AuditAction.VIEWED, f"Event {i}", minutes_ago=100 - i)
    client = login(guardian)
    assert len(client.get(_url(child)).context["page"]) == 50
    # 60 events, the first page's view and this one's: 62.
    assert len(client.get(_url(child), {"page": 2}).context["page"]) == 12


@pytest.mark.parametrize("size", [3, 120], ids=["few", "many"])
def test_the_query_count_does_not_grow(login, child, guardian, django_assert_max_num_queries, size):
    for i in range(size):
        audit.record(guardian, AuditAction.VIEWED, child, summary=f"Event {i}")
    client = login(guardian)
    with django_assert_max_num_queries(6):
        client.get(_url(child))


# --- Nothing edits or deletes it ------------------------------------------------------


# The staff admin's read-only list of audit events (/staff/) is left out here: it refuses every add,
# change and delete (tests/accounts/test_staff_accounts.py, test_audit_events_cannot_be_added_…).


def _url_names() -> list[str]:
    names = []

    def walk(patterns):
        for pattern in patterns:
            if isinstance(pattern, URLResolver) and pattern.namespace == "staff":
                continue
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns)
            elif isinstance(pattern, URLPattern) and pattern.name:
                names.append(pattern.name)

    walk(get_resolver().url_patterns)
    return names


def test_no_url_but_the_log_itself_is_about_audit_events():
    assert [name for name in _url_names() if "audit" in name.lower()] == ["audit_log"]


def test_no_url_path_but_the_logs_mentions_audit():
    paths = []

    def walk(patterns, prefix=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver) and pattern.namespace == "staff":
                continue
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                paths.append(prefix + str(pattern.pattern))

    walk(get_resolver().url_patterns)
    assert [p for p in paths if "audit" in p] == ["children/<uuid:child_id>/audit/"]


def test_the_log_offers_no_form(login, child, guardian):
    audit.record(guardian, AuditAction.VIEWED, child, summary="Something")
    content = login(guardian).get(_url(child)).content.decode()
    main = content.split("<main", 1)[1].split("</main>", 1)[0] if "<main" in content else content
    assert "<form" not in main
