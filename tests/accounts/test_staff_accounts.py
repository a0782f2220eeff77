"""The staff admin's accounts (accounts/admin.py) and audit trail: states shown, unlock, deactivate, read only."""

import re

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from pytest_django.asserts import assertContains, assertNotContains

from accounts.models import Session
from tracker import audit
from tracker.models import AuditAction, AuditEvent

from ..factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

USERS = reverse("staff:accounts_user_changelist")
EVENTS = reverse("staff:tracker_auditevent_changelist")


def failed_logins(user, n: int) -> None:
    """`n` failed log-ins typed with `user`'s email, as django-axes records them."""
    AccessAttempt.objects.create(
        username=user.email.upper(),  # typed in capitals: the same account
        ip_address="198.51.100.7",
        user_agent="test",
        failures_since_start=n,
        attempt_time=timezone.now(),
        get_data="",
        post_data="",
        http_accept="",
        path_info="/accounts/login/",
    )


def states_in_row(response, email: str) -> list[bool]:
    """The yes/no icons of the list row of `email`: two-factor, locked out, active, staff."""
    row = next(row for row in response.content.decode().split("<tr") if email in row)
    return [alt == "True" for alt in re.findall(r'alt="(True|False)"', row)]


@pytest.fixture
def ana():
    return UserFactory(email="ana@example.org", name="Ana Therapist", profession="ot")


def test_the_list_shows_who_has_a_second_factor(as_staff, ana):
    TOTPDevice.objects.create(user=ana, name="phone", confirmed=True)
    UserFactory(email="ben@example.org")
    TOTPDevice.objects.create(user=UserFactory(email="cat@example.org"), name="phone", confirmed=False)
    response = as_staff.get(USERS)
    assert states_in_row(response, "ana@example.org") == [True, False, True, False]
    assert states_in_row(response, "ben@example.org")[0] is False
    assert states_in_row(response, "cat@example.org")[0] is False  # a device never confirmed does not count


def test_the_list_shows_who_is_locked_out(as_staff, ana, settings):
    failed_logins(ana, settings.AXES_FAILURE_LIMIT)
    failed_logins(UserFactory(email="ben@example.org"), settings.AXES_FAILURE_LIMIT - 1)
    response = as_staff.get(USERS)
    assert states_in_row(response, "ana@example.org")[1] is True
    assert states_in_row(response, "ben@example.org")[1] is False


def test_unlock_forgets_the_failures_and_is_audited(as_staff, staff, ana, settings):
    failed_logins(ana, settings.AXES_FAILURE_LIMIT)
    response = as_staff.post(USERS, {"action": "unlock", "_selected_action": [ana.pk]}, follow=True)
    assertContains(response, "Unlocked 1 account(s).")
    assert not AccessAttempt.objects.filter(username__iexact=ana.email).exists()
    event = AuditEvent.objects.get(object_type="user")
    assert (event.actor_name, event.action, event.object_id) == (staff.email, "changed", str(ana.pk))
    assert event.summary == f"Staff admin: changed user {ana.pk} (unlocked log-in (1 failure records forgotten))"


def test_an_unlocked_account_can_log_in_again(as_staff, ana, settings):
    failed_logins(ana, settings.AXES_FAILURE_LIMIT)
    as_staff.post(USERS, {"action": "unlock", "_selected_action": [ana.pk]})
    response = Client().post(reverse("accounts:login"), {"username": ana.email, "password": PASSWORD})
    assert response.status_code == 302


def test_deactivate_refuses_log_in_and_ends_their_sessions(as_staff, staff, ana):
    theirs = Client()
    theirs.force_login(ana, backend="django.contrib.auth.backends.ModelBackend")
    as_staff.post(USERS, {"action": "deactivate", "_selected_action": [ana.pk]})
    ana.refresh_from_db()
    assert ana.is_active is False
    assert not Session.objects.filter(user=ana).exists()
    assert theirs.get(reverse("tracker:child_list"))["Location"].startswith(reverse("accounts:login"))
    event = AuditEvent.objects.get(object_type="user")
    assert event.summary == f"Staff admin: changed user {ana.pk} (deactivated (1 sessions ended))"


def test_staff_cannot_deactivate_themselves_here(as_staff, staff):
    response = as_staff.post(USERS, {"action": "deactivate", "_selected_action": [staff.pk]}, follow=True)
    assertContains(response, "You cannot deactivate your own account here.")
    staff.refresh_from_db()
    assert staff.is_active is True


def test_reactivate_allows_log_in_again_and_is_audited(as_staff, ana):
    ana.is_active = False
    ana.save(update_fields=["is_active"])
    as_staff.post(USERS, {"action": "reactivate", "_selected_action": [ana.pk]})
    ana.refresh_from_db()
    assert ana.is_active is True
    assert AuditEvent.objects.get(object_type="user").summary.endswith("(reactivated)")


def test_no_one_is_added_changed_or_deleted_here(as_staff, ana):
    assert as_staff.get(reverse("staff:accounts_user_add")).status_code == 403
    assert as_staff.get(reverse("staff:accounts_user_delete", args=[ana.pk])).status_code == 403
    as_staff.post(reverse("staff:accounts_user_change", args=[ana.pk]), {"name": "Renamed", "email": "x@example.org"})
    ana.refresh_from_db()
    assert (ana.name, ana.email) == ("Ana Therapist", "ana@example.org")


def test_an_account_page_shows_no_password_hash(as_staff, ana):
    response = as_staff.get(reverse("staff:accounts_user_change", args=[ana.pk]))
    assertContains(response, "ana@example.org")
    assertNotContains(response, ana.password)


@pytest.mark.parametrize("listing", [USERS, EVENTS])
def test_a_list_costs_the_same_queries_for_3_and_30_rows(as_staff, listing):
    def grow(n: int) -> None:
        for _ in range(n):
            user = UserFactory()
            audit.record(user, AuditAction.CHANGED, None, user, summary="Edited their profile")

    grow(3)
    small = _queries(as_staff, listing)
    grow(27)
    assert _queries(as_staff, listing) == small


def _queries(client, url: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    return len(queries)


# --- The audit trail, read only ------------------------------------------------------------------


def test_the_audit_list_shows_staff_events_in_full_and_only_a_childs_id_for_theirs(as_staff, child, guardian):
    audit.record(guardian, AuditAction.VIEWED, child, summary="Viewed the gm-walks-alone history")
    response = as_staff.get(EVENTS)
    assertContains(response, str(child.public_id))
    assertNotContains(response, "Viewed the gm-walks-alone history")
    assertContains(response, "about a child&#x27;s record: not shown here")


def test_the_audit_list_filters_by_action(as_staff, child, guardian):
    audit.record(guardian, AuditAction.EXPORTED, child, summary="")
    audit.record(guardian, AuditAction.VIEWED, child, summary="")
    response = as_staff.get(EVENTS, {"action__exact": "exported"})
    assert [event.action for event in response.context["cl"].result_list] == ["exported"]


def test_audit_events_cannot_be_added_changed_or_deleted(as_staff, child, guardian):
    audit.record(guardian, AuditAction.VIEWED, child, summary="")
    event = AuditEvent.objects.get()
    assert as_staff.get(reverse("staff:tracker_auditevent_add")).status_code == 403
    assert as_staff.get(reverse("staff:tracker_auditevent_delete", args=[event.pk])).status_code == 403
    assert (
        as_staff.post(reverse("staff:tracker_auditevent_change", args=[event.pk]), {"action": "deleted"}).status_code
        == 403
    )
    assert AuditEvent.objects.get().action == "viewed"


def test_the_audit_list_finds_a_childs_events_by_its_id(as_staff, child, outsider_child, guardian, outsider):
    audit.record(guardian, AuditAction.VIEWED, child, summary="")
    audit.record(outsider, AuditAction.VIEWED, outsider_child, summary="")
    response = as_staff.get(EVENTS, {"q": str(child.public_id)})
    assert [event.actor_name for event in response.context["cl"].result_list] == [guardian.email]
