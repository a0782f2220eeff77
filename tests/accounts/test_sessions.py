"""Sessions: a new key at log-in; log-out, a password change and a password reset end the other sessions."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends.base import UpdateError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Session
from accounts.sessions import SessionStore, end_sessions

from ..factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-brand-new-password-789"


@pytest.fixture
def ana(db):
    return UserFactory(email="ana@example.org", name="Ana Parent")


def _log_in(browser: Client, user, password: str = PASSWORD):
    return browser.post(reverse("accounts:login"), {"username": user.email, "password": password})


def _browsers(user, count: int) -> list[Client]:
    browsers = [Client() for _ in range(count)]
    for browser in browsers:
        _log_in(browser, user)
    return browsers


def _sessions_of(user) -> set[str]:
    return {s.session_key for s in Session.objects.all() if s.get_decoded().get(SESSION_KEY) == str(user.pk)}


def _signed_in(browser: Client) -> bool:
    return browser.get(reverse("tracker:child_list")).status_code == 200


# --- The session key changes at log-in (session fixation) --------------------------


def test_login_gives_the_browser_a_new_session_key(ana):
    browser = Client()
    browser.get(reverse("accounts:login"))
    session = browser.session
    session["before"] = "planted"
    session.save()
    before = browser.cookies["sessionid"].value
    _log_in(browser, ana)
    assert browser.cookies["sessionid"].value != before


def test_a_session_key_known_before_login_is_not_signed_in_after_it(ana):
    browser = Client()
    browser.get(reverse("accounts:login"))
    session = browser.session
    session["before"] = "planted"
    session.save()
    planted = browser.cookies["sessionid"].value
    _log_in(browser, ana)
    attacker = Client()
    attacker.cookies["sessionid"] = planted
    assert not _signed_in(attacker)


# --- end_sessions ------------------------------------------------------------------


def test_end_sessions_deletes_every_session_of_the_user(ana):
    _browsers(ana, 3)
    assert (end_sessions(ana), _sessions_of(ana)) == (3, set())


def test_end_sessions_keeps_the_one_asked_for(ana):
    here, _ = _browsers(ana, 2)
    kept = here.cookies["sessionid"].value
    end_sessions(ana, keep=kept)
    assert _sessions_of(ana) == {kept}


def test_end_sessions_keeps_other_peoples_sessions(ana):
    ben = UserFactory()
    _browsers(ana, 1)
    (bens,) = _browsers(ben, 1)
    end_sessions(ana)
    assert _sessions_of(ben) == {bens.cookies["sessionid"].value}


def test_end_sessions_keeps_anonymous_sessions(ana):
    anonymous = Client()
    anonymous.get(reverse("accounts:login"))
    session = anonymous.session
    session["something"] = 1
    session.save()
    end_sessions(ana)
    assert Session.objects.filter(session_key=anonymous.cookies["sessionid"].value).exists()


# --- Log-out -----------------------------------------------------------------------


def test_logout_ends_the_other_sessions_too(ana):
    here, elsewhere = _browsers(ana, 2)
    here.post(reverse("accounts:logout"))
    assert not _signed_in(elsewhere)


def test_logout_leaves_no_session_of_the_user(ana):
    here, _, _ = _browsers(ana, 3)
    here.post(reverse("accounts:logout"))
    assert _sessions_of(ana) == set()


def test_logout_keeps_other_peoples_sessions(ana):
    (bens,) = _browsers(UserFactory(), 1)
    (here,) = _browsers(ana, 1)
    here.post(reverse("accounts:logout"))
    assert _signed_in(bens)


# --- Password change ---------------------------------------------------------------


def _change(browser: Client):
    data = {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    return browser.post(reverse("accounts:password_change"), data)


def test_password_change_keeps_this_browser_signed_in(ana):
    here, _ = _browsers(ana, 2)
    _change(here)
    assert _signed_in(here)


def test_password_change_signs_out_the_other_browsers(ana):
    here, elsewhere = _browsers(ana, 2)
    _change(here)
    assert not _signed_in(elsewhere)


def test_password_change_deletes_the_other_sessions(ana):
    here, _, _ = _browsers(ana, 3)
    _change(here)
    assert _sessions_of(ana) == {here.cookies["sessionid"].value}


def test_refused_password_change_ends_nothing(ana):
    here, elsewhere = _browsers(ana, 2)
    here.post(
        reverse("accounts:password_change"),
        {"old_password": "wrong", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert _signed_in(elsewhere)


# --- Password reset ----------------------------------------------------------------


def _reset(browser: Client, user, mailoutbox) -> None:
    browser.post(reverse("accounts:password_reset"), {"email": user.email})
    link = re.search(r"http://testserver(/\S+)", mailoutbox[-1].body).group(1)
    form_url = browser.get(link)["Location"]
    browser.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})


def test_password_reset_deletes_every_session_of_the_account(ana, mailoutbox):
    _browsers(ana, 2)
    _reset(Client(), ana, mailoutbox)
    assert _sessions_of(ana) == set()


def test_password_reset_signs_out_the_other_browsers(ana, mailoutbox):
    (elsewhere,) = _browsers(ana, 1)
    _reset(Client(), ana, mailoutbox)
    assert not _signed_in(elsewhere)


def test_password_reset_from_a_signed_in_browser_signs_it_out_too(ana, mailoutbox):
    (here,) = _browsers(ana, 1)
    _reset(here, ana, mailoutbox)
    assert not _signed_in(here)


def test_password_reset_then_login_with_the_new_password_works(ana, mailoutbox):
    browser = Client()
    _reset(browser, ana, mailoutbox)
    _log_in(browser, ana, NEW_PASSWORD)
    assert _signed_in(browser)


# --- SessionStore: an existing session is saved in one statement --------------------------


def _stored_session() -> SessionStore:
    store = SessionStore()
    store["seen"] = 1
    store.create()
    return store


@pytest.mark.django_db(transaction=True)
def test_a_changed_session_is_saved_with_one_update_outside_a_transaction(ana):
    store = SessionStore(_stored_session().session_key)
    store["seen"] = 2
    with CaptureQueriesContext(connection) as queries:
        store.save()
    assert [query["sql"].split()[0] for query in queries] == ["UPDATE"]
    assert SessionStore(store.session_key)["seen"] == 2


@pytest.mark.django_db(transaction=True)
def test_saving_a_session_ended_elsewhere_fails_instead_of_bringing_it_back(ana):
    store = _stored_session()
    Session.objects.filter(session_key=store.session_key).delete()  # logged out on another device
    store["seen"] = 2
    with pytest.raises(UpdateError):
        store.save()
    assert not Session.objects.filter(session_key=store.session_key).exists()


def test_inside_a_transaction_a_session_is_saved_the_way_django_does(ana):
    store = _stored_session()
    store["seen"] = 2
    store.save()
    assert SessionStore(store.session_key)["seen"] == 2


def test_each_stored_session_knows_its_account(client):
    user = UserFactory(email="indexed@example.org")
    client.post(reverse("accounts:login"), {"username": "indexed@example.org", "password": PASSWORD})
    assert Session.objects.get(session_key=client.cookies["sessionid"].value).user_id == user.pk


def test_ending_a_persons_sessions_is_one_indexed_delete(django_assert_num_queries):
    user = UserFactory()
    for _ in range(3):
        Client().force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    with django_assert_num_queries(1):
        assert end_sessions(user) == 3
    assert Session._meta.get_field("user").db_index


def test_the_migration_moves_django_sessions_with_their_account():
    import importlib

    from django.apps import apps
    from django.contrib.sessions.backends.db import SessionStore as DjangoStore
    from django.contrib.sessions.models import Session as DjangoSession

    user = UserFactory()
    signed_in = DjangoStore()
    signed_in.update({SESSION_KEY: str(user.pk), "_auth_user_backend": "x", "_auth_user_hash": "y"})
    signed_in.create()
    anonymous = DjangoStore()
    anonymous["something"] = 1
    anonymous.create()
    DjangoSession.objects.create(
        session_key="x" * 32, session_data="not signed", expire_date=timezone.now() + timedelta(hours=1)
    )
    migration = importlib.import_module("accounts.migrations.0005_move_sessions_to_the_indexed_table")
    migration.forwards(apps, None)
    moved = dict(Session.objects.values_list("session_key", "user_id"))
    assert moved == {signed_in.session_key: user.pk, anonymous.session_key: None}
    assert not DjangoSession.objects.exists()
