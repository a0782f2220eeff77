"""Share links: one report's PDF for someone outside the team, expiring, revocable, with an optional passcode.

The anonymous holder of a valid, an expired, a revoked and a wrong-passcode link; who may make and revoke a
link; what the family sees; and that only hashes of the token and passcode are stored.
"""

from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tracker.models import AuditEvent, ReportShare
from tracker.reports import services

from ..factories import STUB_PDF, report

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_limits():
    cache.clear()  # rate-limit slots live in the cache
    yield
    cache.clear()


@pytest.fixture
def shared(child, guardian):
    return report(child, guardian)


def _link(shared, guardian, **options):
    values = {"days": 14, "with_passcode": False, **options}
    share, token, passcode = services.share_report(report=shared, by=guardian, **values)
    return share, reverse("tracker:shared_report", args=[token]), passcode


def _share_url(child, kept) -> str:
    return reverse("tracker:share_create", args=[child.public_id, kept.pk])


def test_a_valid_link_opens_the_pdf_without_an_account(shared, guardian):
    _, url, _ = _link(shared, guardian)
    response = Client().get(url)
    assert (response.status_code, response["Content-Type"], response.content) == (200, "application/pdf", STUB_PDF)


def test_every_open_is_audited_with_its_address(shared, guardian):
    share, url, _ = _link(shared, guardian)
    Client().get(url, REMOTE_ADDR="198.51.100.7")
    event = AuditEvent.objects.share_opens(shared.child).get()
    assert event.object_id == str(share.pk) and "198.51.100.7" in event.summary and event.actor_id is None


def test_a_head_request_is_not_an_opening_and_gets_no_pdf(shared, guardian):
    _, url, _ = _link(shared, guardian)
    response = Client().head(url)
    assert (response.status_code, response["Content-Type"], response.content) == (200, "application/pdf", b"")
    assert not AuditEvent.objects.share_opens(shared.child).exists()


def test_an_expired_link_says_so_without_naming_the_child(shared, guardian):
    share, url, _ = _link(shared, guardian)
    ReportShare.objects.filter(pk=share.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    response = Client().get(url)
    page = response.content.decode()
    assert response.status_code == 410 and "has expired" in page and "Maya" not in page


def test_a_revoked_link_says_so_without_naming_the_child(shared, guardian):
    share, url, _ = _link(shared, guardian)
    services.revoke_share(share=share, by=guardian)
    response = Client().get(url)
    page = response.content.decode()
    assert response.status_code == 410 and "was revoked" in page and "Maya" not in page


def test_an_unknown_link_is_404(db):
    assert Client().get(reverse("tracker:shared_report", args=["not-a-token"])).status_code == 404


def test_a_link_with_a_passcode_asks_for_it_first(shared, guardian):
    _, url, _ = _link(shared, guardian, with_passcode=True)
    response = Client().get(url)
    assert response.status_code == 200 and "Passcode" in response.content.decode()
    assert response["Content-Type"].startswith("text/html")


def test_a_wrong_passcode_is_refused(shared, guardian):
    _, url, _ = _link(shared, guardian, with_passcode=True)
    response = Client().post(url, {"passcode": "WRONGWRONG"})
    assert response.status_code == 403 and "not right" in response.content.decode()
    assert not AuditEvent.objects.share_opens(shared.child).exists()


def test_the_right_passcode_opens_the_pdf(shared, guardian):
    _, url, passcode = _link(shared, guardian, with_passcode=True)
    response = Client().post(url, {"passcode": passcode})
    assert response.status_code == 200 and response.content == STUB_PDF


def test_wrong_passcodes_are_rate_limited(shared, guardian):
    _, url, passcode = _link(shared, guardian, with_passcode=True)
    browser = Client()
    statuses = [browser.post(url, {"passcode": "WRONGWRONG"}).status_code for _ in range(10)]
    last = browser.post(url, {"passcode": passcode})
    assert set(statuses) == {403} and last.status_code == 429 and "Retry-After" in last


def test_only_hashes_of_the_token_and_passcode_are_stored(shared, guardian):
    share, url, passcode = _link(shared, guardian, with_passcode=True)
    token = url.rstrip("/").rsplit("/", 1)[-1]
    share.refresh_from_db()
    assert token not in share.token_hash and passcode not in share.passcode_hash
    assert share.passcode_hash.startswith(("pbkdf2", "argon2", "md5", "bcrypt", "scrypt"))


def test_guardian_makes_a_link_shown_once_with_its_passcode(login, guardian, child, shared):
    browser = login(guardian)
    response = browser.post(_share_url(child, shared), {f"r{shared.pk}-days": 14, f"r{shared.pk}-passcode": "on"})
    shown = [message.message for message in get_messages(response.wsgi_request)]
    assert response.status_code == 302 and len(shown) == 2 and "/shared/" in shown[0]
    assert Client().get(shown[0].split("testserver", 1)[1]).status_code == 200


def test_a_link_longer_than_90_days_is_refused_next_to_the_field(login, guardian, child, shared):
    response = login(guardian).post(_share_url(child, shared), {f"r{shared.pk}-days": 91})
    assert response.status_code == 400 and "choose 90 or fewer" in response.content.decode()
    assert not ReportShare.objects.exists()


def test_a_link_defaults_to_14_days(shared, guardian):
    share, _, _ = _link(shared, guardian)
    assert (share.expires_at - share.created_at).days in (13, 14)


def test_a_therapist_may_not_share_unless_the_family_allows_it(login, pt, child, shared):
    response = login(pt).post(_share_url(child, shared), {f"r{shared.pk}-days": 14})
    assert response.status_code == 403 and not ReportShare.objects.exists()


def test_a_therapist_may_share_once_the_family_allows_it(login, guardian, pt, child, shared):
    login(guardian).post(reverse("tracker:share_consent", args=[child.public_id]), {"therapists_may_share": "on"})
    response = login(pt).post(_share_url(child, shared), {f"r{shared.pk}-days": 14})
    assert response.status_code == 302 and ReportShare.objects.get().created_by == pt


def test_a_report_holding_team_only_notes_is_never_shared(login, guardian, pt, child):
    login(guardian).post(reverse("tracker:share_consent", args=[child.public_id]), {"therapists_may_share": "on"})
    kept = report(child, pt, kind="therapist", team_only=True)
    response = login(pt).post(_share_url(child, kept), {f"r{kept.pk}-days": 14})
    assert response.status_code == 403 and not ReportShare.objects.exists()


def test_the_family_sees_every_link_and_who_opened_it(login, guardian, child, shared):
    _, url, _ = _link(shared, guardian, shared_with="Dr Okafor")
    Client().get(url, REMOTE_ADDR="203.0.113.9")
    page = login(guardian).get(reverse("tracker:report_list", args=[child.public_id])).content.decode()
    assert "Dr Okafor" in page and "203.0.113.9" in page and "1 active link" in page


def test_guardian_revokes_a_link(login, guardian, child, shared):
    share, url, _ = _link(shared, guardian)
    login(guardian).post(reverse("tracker:share_revoke", args=[child.public_id, share.pk]))
    assert Client().get(url).status_code == 410


def test_a_therapist_revokes_only_their_own_links(login, guardian, pt, child, shared):
    share, _, _ = _link(shared, guardian)
    response = login(pt).post(reverse("tracker:share_revoke", args=[child.public_id, share.pk]))
    assert response.status_code == 403


def test_another_childs_link_cannot_be_revoked_through_this_child(login, outsider, outsider_child, guardian, shared):
    share, _, _ = _link(shared, guardian)
    response = login(outsider).post(reverse("tracker:share_revoke", args=[outsider_child.public_id, share.pk]))
    assert response.status_code == 404


def test_the_history_offers_sharing_to_a_therapist_once_allowed(
    login, guardian, pt, child, shared, django_assert_max_num_queries
):
    login(guardian).post(reverse("tracker:share_consent", args=[child.public_id]), {"therapists_may_share": "on"})
    for _ in range(4):
        report(child, guardian)
    browser = login(pt)
    with django_assert_max_num_queries(16):
        page = browser.get(reverse("tracker:report_list", args=[child.public_id])).content.decode()
    assert page.count("Share this report by link") == 5


def test_a_therapist_revokes_a_link_they_made(login, guardian, pt, child, shared):
    login(guardian).post(reverse("tracker:share_consent", args=[child.public_id]), {"therapists_may_share": "on"})
    share, url, _ = _link(shared, pt)
    response = login(pt).post(reverse("tracker:share_revoke", args=[child.public_id, share.pk]))
    assert response.status_code == 302 and Client().get(url).status_code == 410


def test_stopping_therapists_sharing_revokes_their_links_and_keeps_the_familys(login, guardian, pt, child, shared):
    consent = reverse("tracker:share_consent", args=[child.public_id])
    login(guardian).post(consent, {"therapists_may_share": "on"})
    theirs, their_url, _ = _link(shared, pt)
    ours, our_url, _ = _link(shared, guardian)
    response = login(guardian).post(consent, {}, follow=True)
    assert "Only the family shares reports by link now. 1 link therapists had made is revoked." in response.text
    assert (Client().get(their_url).status_code, Client().get(our_url).status_code) == (410, 200)
    assert AuditEvent.objects.filter(object_id=str(theirs.pk), summary="Revoked a report share link").exists()
