"""CONCURRENCY on PostgreSQL: eight browsers at once, through the real views, with real commits.

Eight threads, each with its own test client and its own database connection (closed when the thread
ends), start together on a barrier and post:

- CONCURRENCY: eight observations of one skill of one child: all eight kept, exactly one current,
  no lock error (the child row lock taken by `begin_child_write` queues the writers);
- LOST UPDATES: eight edits of one note, all made from version 1: exactly one saved, seven refused as
  conflicts (409), one revision kept, the note's text is the saved edit's;
- DOUBLE SUBMIT: the same note form (one submission id) posted eight times: one note.

PostgreSQL only: file-based SQLite has its own test (test_sqlite_concurrency.py).
"""

import threading
from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tracker.models import AuditEvent, Discipline, Domain, Note, NoteRevision, Observation

from ..factories import ChildFactory, MembershipFactory, UserFactory, note, therapist

THREADS = 8


@pytest.fixture
def postgresql() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (DATABASE_URL=postgres://…); SQLite has test_sqlite_concurrency.py")


@pytest.fixture
def catalogue_kept(postgresql, django_db_blocker) -> Iterator[None]:
    """Set up before `transactional_db` and torn down after its flush: the catalogue is put back."""
    yield
    with django_db_blocker.unblock():
        if not Domain.objects.exists():
            call_command("load_catalogue", verbosity=0)


@pytest.fixture
def committed(catalogue_kept, transactional_db) -> None:
    """Real commits (threads see each other's writes); the catalogue loaded if an earlier flush removed it."""
    if not Domain.objects.exists():
        call_command("load_catalogue", verbosity=0)


@pytest.fixture
def team(committed):
    child = ChildFactory(given_name="Rosa")
    guardian = UserFactory(email="rosa-parent@example.org")
    MembershipFactory(child=child, user=guardian, role="guardian")
    ot = therapist(child, Discipline.OCCUPATIONAL_THERAPY, email="rosa-ot@example.org")
    return child, ot


def _race(posts: list[Callable[[Client], object]], user) -> list:
    """Run each post in its own thread with its own client and connection, all released at once."""
    signed_in = Client()
    signed_in.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    cookies = signed_in.cookies
    barrier = threading.Barrier(len(posts))
    results: list = [None] * len(posts)

    def run(n: int) -> None:
        client = Client(raise_request_exception=False)
        client.cookies = cookies.__class__(cookies)
        try:
            barrier.wait(timeout=30)
            results[n] = posts[n](client)
        except Exception as error:  # noqa: BLE001 - reported as the thread's result
            results[n] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(len(posts))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def _errors(results) -> list[str]:
    errors = []
    for result in results:
        if isinstance(result, Exception):
            errors.append(repr(result))
        elif result.status_code >= 500:
            errors.append(
                f"{result.status_code}: {result.exc_info[1]!r}" if result.exc_info else str(result.status_code)
            )
    return errors


def test_concurrent_observations_are_all_kept(team, figure):
    child, ot = team
    url = reverse("tracker:record", args=[child.public_id, "gm-walks-alone"])
    today = timezone.localdate()
    statuses = ["not_yet", "emerging", "achieved"]
    posts = [
        (
            lambda client, n=n: client.post(
                url, {"status": statuses[n % 3], "observed_on": (today - timedelta(days=n)).isoformat()}
            )
        )
        for n in range(THREADS)
    ]
    results = _race(posts, ot)
    errors = _errors(results)
    kept = Observation.objects.filter(child=child, skill__slug="gm-walks-alone").count()
    current = list(Observation.objects.filter(child=child, skill__slug="gm-walks-alone", is_current=True))
    figure(f"CONCURRENCY: {kept}/{THREADS} appends kept, {len(errors)} lock errors (PostgreSQL)")
    assert errors == []
    assert kept == THREADS
    assert len(current) == 1
    assert current[0].observed_on == today  # the latest by date is the current status
    assert AuditEvent.objects.filter(child=child, object_type="observation", action="created").count() == THREADS


def test_concurrent_edits_from_one_version_lose_nothing(team, figure):
    child, ot = team
    original = note(child, ot, body="Original text.", on=timezone.localdate())
    url = reverse("tracker:note_edit", args=[child.public_id, original.pk])
    form = {"kind": "general", "visibility": "team", "session_date": timezone.localdate().isoformat(), "version": 1}
    posts = [(lambda client, n=n: client.post(url, {**form, "body": f"Edit number {n}."})) for n in range(THREADS)]
    results = _race(posts, ot)
    errors = _errors(results)
    saved = [n for n, r in enumerate(results) if not isinstance(r, Exception) and r.status_code == 302]
    conflicts = [n for n, r in enumerate(results) if not isinstance(r, Exception) and r.status_code == 409]
    stored = Note.objects.get(pk=original.pk)
    revisions = list(NoteRevision.objects.filter(note=original).values_list("body", flat=True))
    lost = THREADS - len(saved) - len(conflicts)
    figure(
        f"LOST UPDATES: {lost} ({THREADS} concurrent edits from one version: {len(saved)} saved, "
        f"{len(conflicts)} refused as conflicts, {len(revisions)} revision kept; PostgreSQL)"
    )
    assert errors == []
    assert (len(saved), len(conflicts)) == (1, THREADS - 1)
    assert stored.version == 2
    assert stored.body == f"Edit number {saved[0]}."
    assert revisions == ["Original text."]


def test_a_form_posted_eight_times_at_once_makes_one_note(team, figure):
    child, ot = team
    url = reverse("tracker:note_create", args=[child.public_id])
    form = {
        "kind": "general",
        "visibility": "team",
        "session_date": timezone.localdate().isoformat(),
        "body": "Posted once, sent eight times.",
        "submission_id": "5b0c6f6e-3f57-4c1b-9a55-6f1f3b2f9d01",
    }
    results = _race([lambda client: client.post(url, form)] * THREADS, ot)
    errors = _errors(results)
    rows = Note.objects.filter(child=child, body=form["body"]).count()
    redirects = {r["Location"] for r in results if not isinstance(r, Exception) and r.status_code == 302}
    figure(f"DOUBLE SUBMIT: {rows} row ({THREADS} concurrent posts of one note form; PostgreSQL)")
    assert errors == []
    assert rows == 1
    assert len(redirects) == 1  # every post lands on the one note
    assert AuditEvent.objects.filter(child=child, object_type="note", action="created").count() == 1
