"""Editing and withdrawing a note: only its author, every revision kept, and no edit silently lost.

Concurrent use covered here:
- two edits made from the same version, through the views (one person, two tabs or devices): the second
  is refused with 409, shows the newer text beside the user's own, and a resubmission from that page saves;
- the same through the service (`edit_note` twice with one expected version);
- on PostgreSQL only, two threads really racing: two `edit_note` calls from one version, and two
  `add_note` calls carrying the same submission id (SQLite serialises every writer, so it cannot race).
"""

import html
import re
import threading
import uuid
from datetime import UTC, datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse
from pytest_django.asserts import assertRedirects

from tracker import services
from tracker.models import Discipline, Note, NoteRevision

from ..factories import note, therapist

pytestmark = pytest.mark.django_db

TODAY = datetime(2026, 2, 1, 11, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _frozen_today():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def pts_note(child, pt) -> Note:
    return note(child, pt, visibility="family", body="Original text.")


def _edit_url(n: Note) -> str:
    return reverse("tracker:note_edit", args=[n.child.public_id, n.pk])


def _detail_url(n: Note) -> str:
    return reverse("tracker:note_detail", args=[n.child.public_id, n.pk])


def _edit(client, n: Note, body: str, version: int = 1, **data):
    fields = {"kind": n.kind, "visibility": n.visibility, "session_date": "2026-01-05", "body": body}
    return client.post(_edit_url(n), fields | {"version": version} | data)


def _withdraw(client, n: Note):
    return client.post(reverse("tracker:note_withdraw", args=[n.child.public_id, n.pk]))


def _text(response) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


def _hidden_version(response) -> int:
    found = re.search(r'<input type="hidden" name="version" value="(\d+)"', response.content.decode())
    assert found, "the form carries no version"
    return int(found.group(1))


# --- Only the author ----------------------------------------------------------------


def test_anonymous_is_sent_to_log_in(client, pts_note):
    assert _edit(client, pts_note, "Changed")["Location"].startswith(reverse("accounts:login"))


def test_outsider_gets_404(login, pts_note, outsider):
    assert _edit(login(outsider), pts_note, "Changed").status_code == 404


def test_the_author_edits(login, pts_note, pt):
    assertRedirects(_edit(login(pt), pts_note, "Changed"), _detail_url(pts_note))


def test_the_edit_form_shows_the_session_date_in_the_format_a_date_input_shows(login, pts_note, pt):
    content = login(pt).get(_edit_url(pts_note)).content.decode()
    assert re.search(r'<input type="date" name="session_date" value="2026-01-05"', content)


def test_another_therapist_gets_403_on_the_edit_form(login, pts_note, ot):
    assert login(ot).get(_edit_url(pts_note)).status_code == 403


def test_another_therapists_edit_is_refused_with_403(login, pts_note, ot):
    assert _edit(login(ot), pts_note, "Overwritten").status_code == 403


def test_another_therapists_edit_changes_nothing(login, pts_note, ot):
    _edit(login(ot), pts_note, "Overwritten")
    assert Note.objects.get().body == "Original text."


def test_guardian_editing_a_therapists_note_gets_403(login, pts_note, guardian):
    assert _edit(login(guardian), pts_note, "Overwritten").status_code == 403


def test_viewer_editing_gets_403(login, pts_note, viewer):
    assert _edit(login(viewer), pts_note, "Overwritten").status_code == 403


def test_guardian_edits_their_own_family_update(login, child, guardian):
    update = note(child, guardian, kind="family_update", visibility="family", body="Slept well.")
    _edit(login(guardian), update, "Slept very well.")
    assert Note.objects.get().body == "Slept very well."


def test_another_therapist_gets_403_on_withdraw(login, pts_note, ot):
    assert _withdraw(login(ot), pts_note).status_code == 403


def test_guardian_gets_403_on_withdrawing_a_therapists_note(login, pts_note, guardian):
    assert _withdraw(login(guardian), pts_note).status_code == 403


def test_a_refused_withdrawal_leaves_the_note_in_force(login, pts_note, ot):
    _withdraw(login(ot), pts_note)
    assert not Note.objects.get().is_withdrawn


def test_only_the_author_is_offered_edit_and_withdraw(login, pts_note, ot):
    assert login(ot).get(_detail_url(pts_note)).context["can_edit"] is False


# --- Every edit keeps the previous text ------------------------------------------------


def test_an_edit_keeps_the_previous_text_as_a_revision(login, pts_note, pt):
    _edit(login(pt), pts_note, "Changed")
    assert list(NoteRevision.objects.values_list("version", "body")) == [(1, "Original text.")]


def test_an_edit_bumps_the_version(login, pts_note, pt):
    _edit(login(pt), pts_note, "Changed")
    assert Note.objects.values_list("version", "body").get() == (2, "Changed")


def test_two_edits_keep_two_revisions_newest_first(login, pts_note, pt):
    client = login(pt)
    _edit(client, pts_note, "Second", version=1)
    _edit(client, pts_note, "Third", version=2)
    assert list(NoteRevision.objects.values_list("version", "body")) == [(2, "Second"), (1, "Original text.")]


def test_an_edited_note_says_edited(login, pts_note, pt):
    client = login(pt)
    _edit(client, pts_note, "Changed")
    assert "edited" in _text(client.get(_detail_url(pts_note))).split()


def test_an_edited_note_says_edited_on_the_list(login, child, pts_note, pt):
    client = login(pt)
    _edit(client, pts_note, "Changed")
    assert "edited" in _text(client.get(reverse("tracker:note_list", args=[child.public_id]))).split()


def test_an_unedited_note_does_not_say_edited(login, pts_note, pt):
    assert "edited" not in _text(login(pt).get(_detail_url(pts_note))).split()


def test_the_note_shows_its_earlier_versions(login, pts_note, pt):
    client = login(pt)
    _edit(client, pts_note, "Changed")
    page = _text(client.get(_detail_url(pts_note)))
    assert "Earlier versions" in page
    assert "Version 1" in page
    assert "Original text." in page


def test_the_family_sees_the_earlier_versions_of_a_shared_note(login, pts_note, pt, guardian):
    _edit(login(pt), pts_note, "Changed")
    assert "Original text." in _text(login(guardian).get(_detail_url(pts_note)))


def test_a_team_only_earlier_version_stays_hidden_from_the_family_once_the_note_is_shared(login, child, pt, guardian):
    draft = note(child, pt, visibility="team", body="Team-only first draft.")
    _edit(login(pt), draft, "Now for the family.", visibility="family")
    page = _text(login(guardian).get(_detail_url(draft)))
    assert "Now for the family." in page
    assert "Team-only first draft." not in page


def test_an_edit_is_audited(login, child, pts_note, pt):
    _edit(login(pt), pts_note, "Changed")
    assert child.audit_events.filter(action="changed", object_type="note").count() == 1


def test_an_invalid_edit_keeps_the_text_and_saves_nothing(login, pts_note, pt):
    response = _edit(login(pt), pts_note, "My careful rewrite", session_date="2030-01-01")
    assert "My careful rewrite" in response.content.decode()
    assert Note.objects.get().version == 1


# --- Two edits from the same version --------------------------------------------------


@pytest.fixture
def conflict(login, pts_note, pt):
    """The author edits in one tab, then saves an edit started earlier in another: the response to that."""
    client = login(pt)
    _edit(client, pts_note, "The first edit, saved.", version=1)
    return _edit(client, pts_note, "My second edit, from the same version.", version=1)


def test_the_second_edit_is_refused_with_409(conflict):
    assert conflict.status_code == 409


def test_the_conflict_page_shows_the_newer_saved_text(conflict):
    assert "The first edit, saved." in _text(conflict)


def test_the_conflict_page_keeps_the_users_own_text_in_the_form(conflict):
    assert re.search(
        r'<textarea name="body"[^>]*>\s*My second edit, from the same version.\s*</textarea>', conflict.content.decode()
    )


def test_the_conflict_page_says_what_happened(conflict):
    assert "Your text has not been saved and is still in the form below." in _text(conflict)


def test_the_database_keeps_the_first_edit(conflict):
    assert Note.objects.values_list("body", "version").get() == ("The first edit, saved.", 2)


def test_the_refused_edit_writes_no_revision(conflict):
    assert NoteRevision.objects.count() == 1


def test_the_conflict_form_carries_the_newer_version(conflict):
    assert _hidden_version(conflict) == 2


def test_resubmitting_from_the_conflict_page_saves(login, pts_note, pt, conflict):
    response = _edit(login(pt), pts_note, "Both edits, combined.", version=_hidden_version(conflict))
    assertRedirects(response, _detail_url(pts_note))


def test_resubmitting_from_the_conflict_page_keeps_every_version(login, pts_note, pt, conflict):
    _edit(login(pt), pts_note, "Both edits, combined.", version=_hidden_version(conflict))
    assert list(NoteRevision.objects.values_list("body", flat=True)) == ["The first edit, saved.", "Original text."]
    assert Note.objects.get().body == "Both edits, combined."


def test_an_edit_without_a_version_is_a_conflict_not_an_overwrite(login, pts_note, pt):
    response = _edit(login(pt), pts_note, "No version sent", version="")
    assert response.status_code == 409
    assert Note.objects.get().body == "Original text."


# --- The service's version check ---------------------------------------------------


def _service_edit(n: Note, body: str, version: int, by):
    changes = {name: getattr(n, name) for name in services.NOTE_TEXT_FIELDS} | {"body": body}
    return services.edit_note(note_id=n.pk, changes=changes, skills=[], goals=[], expected_version=version, by=by)


def test_the_second_service_edit_from_one_version_raises_a_conflict(pts_note, pt):
    _service_edit(pts_note, "First", 1, pt)
    with pytest.raises(services.NoteConflict):
        _service_edit(pts_note, "Second", 1, pt)


def test_the_conflict_carries_the_newer_note(pts_note, pt):
    _service_edit(pts_note, "First", 1, pt)
    with pytest.raises(services.NoteConflict) as raised:
        _service_edit(pts_note, "Second", 1, pt)
    assert (raised.value.current.body, raised.value.current.version) == ("First", 2)


def test_a_service_conflict_writes_one_revision_only(pts_note, pt):
    _service_edit(pts_note, "First", 1, pt)
    with pytest.raises(services.NoteConflict):
        _service_edit(pts_note, "Second", 1, pt)
    assert NoteRevision.objects.count() == 1


# --- Withdrawing -------------------------------------------------------------------


@pytest.fixture
def withdrawn(login, pts_note, pt) -> Note:
    _withdraw(login(pt), pts_note)
    return Note.objects.get(pk=pts_note.pk)


def test_withdrawing_redirects_to_the_note(login, pts_note, pt):
    assertRedirects(_withdraw(login(pt), pts_note), _detail_url(pts_note))


def test_withdrawing_keeps_the_note(withdrawn):
    assert withdrawn.is_withdrawn
    assert withdrawn.body == "Original text."


def test_a_withdrawn_note_is_marked_withdrawn_on_its_page(login, withdrawn, pt):
    page = _text(login(pt).get(_detail_url(withdrawn)))
    assert "withdrawn" in page.split()
    assert "Withdrawn by Paul PT" in page


def test_a_withdrawn_note_keeps_its_text_on_its_page(login, withdrawn, guardian):
    assert "Original text." in _text(login(guardian).get(_detail_url(withdrawn)))


def test_a_withdrawn_note_stays_on_the_list_marked_withdrawn(login, child, withdrawn, guardian):
    response = login(guardian).get(reverse("tracker:note_list", args=[child.public_id]))
    assert [n.pk for n in response.context["page"]] == [withdrawn.pk]
    assert "withdrawn" in _text(response).split()


def test_a_withdrawn_note_stays_on_the_timeline_marked_withdrawn(login, child, withdrawn, guardian):
    response = login(guardian).get(reverse("tracker:timeline", args=[child.public_id]))
    assert [e.item.pk for e in response.context["entries"] if e.type == "note"] == [withdrawn.pk]
    assert "withdrawn" in _text(response).split()


def test_editing_a_withdrawn_note_is_refused(login, withdrawn, pt):
    assert _edit(login(pt), withdrawn, "Back from the dead").status_code == 403


def test_editing_a_withdrawn_note_changes_nothing(login, withdrawn, pt):
    _edit(login(pt), withdrawn, "Back from the dead")
    assert Note.objects.get().body == "Original text."


def test_a_withdrawn_note_offers_no_edit(login, withdrawn, pt):
    assert login(pt).get(_detail_url(withdrawn)).context["can_edit"] is False


def test_withdrawing_twice_says_so(login, withdrawn, pt):
    response = _withdraw(login(pt), withdrawn)
    assert [str(m) for m in response.wsgi_request._messages][-1] == "This note was already withdrawn."


def test_the_service_refuses_a_second_withdrawal(withdrawn, pt):
    with pytest.raises(ValidationError):
        services.withdraw_note(note=withdrawn, by=pt)


def test_withdrawing_is_audited(child, withdrawn):
    assert child.audit_events.filter(action="withdrew", object_type="note").count() == 1


def test_get_on_withdraw_is_405(login, pts_note, pt):
    url = reverse("tracker:note_withdraw", args=[pts_note.child.public_id, pts_note.pk])
    assert login(pt).get(url).status_code == 405


# --- Really concurrent (PostgreSQL: row locks; SQLite serialises every writer) -------------

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="threads racing need PostgreSQL's row locks"
)


def _race(*calls) -> list:
    """Run each call in its own thread, released together; each result or the exception it raised."""
    start = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(index, call):
        try:
            start.wait()
            results[index] = call()
        except Exception as error:  # reported back to the test
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_racing_edits_from_one_version_save_one_and_refuse_the_other(child, pt):
    original = note(child, pt, body="Original text.")
    results = _race(
        lambda: _service_edit(original, "Edit A", 1, pt),
        lambda: _service_edit(original, "Edit B", 1, pt),
    )
    assert sorted(type(r).__name__ for r in results) == ["Note", "NoteConflict"]
    saved = next(r for r in results if isinstance(r, Note))
    assert Note.objects.values_list("body", "version").get() == (saved.body, 2)
    assert list(NoteRevision.objects.values_list("body", flat=True)) == ["Original text."]


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_racing_double_submit_creates_one_note(child, pt):
    submission = uuid.uuid4()

    def submit():
        new = Note(
            child=child,
            kind="general",
            visibility="team",
            body="Once.",
            session_date=TODAY.date(),
            submission_id=submission,
        )
        return services.add_note(note=new, by=pt, skills=[], goals=[])

    results = _race(submit, submit)
    assert all(isinstance(r, tuple) for r in results), results
    assert sorted(created for _, created in results) == [False, True]
    assert {n.pk for n, _ in results} == {Note.objects.get().pk}


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_authors_racing_on_one_child_both_save(child, pt):
    ot = therapist(child, Discipline.OCCUPATIONAL_THERAPY, name="Olga OT")

    def submit(by):
        new = Note(child=child, kind="general", visibility="team", body="Mine.", session_date=TODAY.date())
        return services.add_note(note=new, by=by, skills=[], goals=[])

    results = _race(lambda: submit(pt), lambda: submit(ot))
    assert all(isinstance(r, tuple) for r in results), results
    assert Note.objects.count() == 2
