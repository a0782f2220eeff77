"""Reminders by email: who gets what, when, once; unsubscribe by a signed link; nothing team-only in an email."""

from datetime import UTC, date, datetime, time, timedelta

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tracker import programme, reminders, scheduler, services
from tracker.models import (
    CareTeamMembership,
    Channel,
    Goal,
    GoalReview,
    ReminderSettings,
    ScheduledRun,
    SentReminder,
)

from ..factories import ChildFactory, MembershipFactory, UserFactory, activity, goal, note, observation, therapist

pytestmark = pytest.mark.django_db

# A baby born at 30+0 weeks: due date 10 weeks later, 12 March 2025. The 9-month checkpoint by corrected age
# is 9 × 30.4375 days (rounded: 274) after the due date, as every checklist counts it: 11 December 2025.
BORN_EARLY = date(2025, 1, 1)
NINE_MONTHS_CORRECTED = date(2025, 12, 11)


def _at(day: date, hour: int = 12) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=UTC)


def _opt_in(user, *kinds, **extra) -> None:
    ReminderSettings.objects.update_or_create(user=user, defaults={**dict.fromkeys(kinds, Channel.EMAIL), **extra})


def _run(day: date, hour: int = 12) -> reminders.RunReport:
    with time_machine.travel(_at(day, hour), tick=False):
        return reminders.run()


def _to(address: str) -> list:
    return [message for message in mail.outbox if message.to == [address]]


@pytest.fixture
def baby(db):
    """Born at 30+0 weeks, with two guardians who want checkpoint emails, one who does not, and a viewer."""
    child = ChildFactory(given_name="Leo", date_of_birth=BORN_EARLY, gestational_days=30 * 7)
    for email, wants in [("mum@example.org", True), ("dad@example.org", True), ("gran@example.org", False)]:
        user = UserFactory(email=email)
        MembershipFactory(child=child, user=user, role="guardian")
        _opt_in(user, *(["checkpoint"] if wants else []))
    viewer = UserFactory(email="viewer@example.org")
    MembershipFactory(child=child, user=viewer, role="viewer")
    _opt_in(viewer, "checkpoint")
    return child


# --- Checkpoints by corrected age ---------------------------------------------------------------


def test_checkpoint_day_uses_corrected_age():
    assert reminders.checkpoint_day(BORN_EARLY, 30 * 7, 9) == NINE_MONTHS_CORRECTED


def test_the_day_before_the_checkpoint_nobody_is_emailed(baby):
    _run(NINE_MONTHS_CORRECTED - timedelta(days=1))
    assert mail.outbox == []


def test_on_the_checkpoint_day_each_opted_in_guardian_gets_one_email(baby):
    _run(NINE_MONTHS_CORRECTED)
    assert sorted(m.to[0] for m in mail.outbox) == ["dad@example.org", "mum@example.org"]


def test_viewers_and_guardians_who_did_not_opt_in_get_nothing(baby):
    _run(NINE_MONTHS_CORRECTED)
    assert _to("viewer@example.org") == [] and _to("gran@example.org") == []


def test_the_checkpoint_email_says_corrected_age_and_lists_the_skills_to_check(baby):
    _run(NINE_MONTHS_CORRECTED)
    (message,) = _to("mum@example.org")
    assert "Leo is 9 months (corrected)" in message.subject
    assert "by corrected age" in message.body and "- Gets into sitting without help" in message.body


def test_a_skill_already_achieved_is_not_listed(baby):
    guardian = CareTeamMembership.objects.filter(child=baby, role="guardian").first().user
    with time_machine.travel(_at(NINE_MONTHS_CORRECTED - timedelta(days=3)), tick=False):
        observation(
            baby,
            guardian,
            skill="gm-gets-into-sitting",
            status="achieved",
            on=NINE_MONTHS_CORRECTED - timedelta(days=3),
        )
    _run(NINE_MONTHS_CORRECTED)
    assert "Gets into sitting without help" not in _to("mum@example.org")[0].body


def test_running_again_sends_nothing_more(baby):
    _run(NINE_MONTHS_CORRECTED)
    _run(NINE_MONTHS_CORRECTED)
    _run(NINE_MONTHS_CORRECTED + timedelta(days=2))
    assert len(mail.outbox) == 2 and SentReminder.objects.count() == 2


def test_a_missed_day_is_caught_up_within_a_week(baby):
    _run(NINE_MONTHS_CORRECTED + timedelta(days=6))
    assert len(mail.outbox) == 2


def test_an_old_checkpoint_is_not_sent_late(baby):
    _run(NINE_MONTHS_CORRECTED + timedelta(days=7))
    assert mail.outbox == []


def test_an_archived_child_gets_no_reminders(baby):
    baby.archived = True
    baby.save()
    _run(NINE_MONTHS_CORRECTED)
    assert mail.outbox == []


def test_a_guardian_removed_from_the_team_gets_nothing_more(baby):
    membership = CareTeamMembership.objects.get(child=baby, user__email="dad@example.org")
    services.remove_member(
        membership=membership, by=CareTeamMembership.objects.get(child=baby, user__email="mum@example.org").user
    )
    _run(NINE_MONTHS_CORRECTED)
    assert [m.to[0] for m in mail.outbox] == ["mum@example.org"]


# --- Quiet hours ------------------------------------------------------------------------------


def test_quiet_hours_hold_a_reminder_until_they_end(baby):
    for email in ("mum@example.org", "dad@example.org"):
        ReminderSettings.objects.filter(user__email=email).update(quiet_from=time(20, 0), quiet_until=time(9, 0))
    _run(NINE_MONTHS_CORRECTED, hour=7)
    held = len(mail.outbox)
    _run(NINE_MONTHS_CORRECTED, hour=10)
    assert (held, len(mail.outbox)) == (0, 2)


@pytest.mark.parametrize(
    ("moment", "quiet"), [(time(23, 0), True), (time(6, 59), True), (time(7, 0), False), (time(12, 0), False)]
)
def test_quiet_hours_may_span_midnight(moment, quiet):
    assert ReminderSettings(quiet_from=time(22, 0), quiet_until=time(7, 0)).is_quiet_at(moment) is quiet


# --- Goal reviews ------------------------------------------------------------------------------


@pytest.fixture
def review_due(child, guardian, ot, pt):
    """A PT's goal for Maya, due for review on 20 March 2026; both therapists want goal-review emails."""
    _opt_in(pt, "goal_review")
    _opt_in(ot, "goal_review")
    with time_machine.travel(_at(date(2026, 1, 10)), tick=False):
        return goal(child, pt, target=date(2026, 3, 20))


def test_the_therapist_who_set_a_goal_is_reminded_a_week_before_its_review(review_due, pt):
    _run(date(2026, 3, 12))
    early = len(mail.outbox)
    _run(date(2026, 3, 13))
    assert (early, [m.to[0] for m in mail.outbox]) == (0, [pt.email])


def test_the_goal_review_email_links_to_the_goal_in_the_app(review_due, child):
    _run(date(2026, 3, 13))
    link = "https://tracker.example" + reverse("tracker:goal_detail", args=[child.public_id, review_due.pk])
    assert link in mail.outbox[0].body


def test_a_next_review_before_the_target_date_is_reminded_a_week_before_it(review_due, pt):
    Goal.objects.filter(pk=review_due.pk).update(review_on=date(2026, 2, 20))
    _run(date(2026, 2, 12))
    early = len(mail.outbox)
    _run(date(2026, 2, 13))
    assert (early, [m.subject for m in mail.outbox]) == (0, ["Goal review due 20 Feb: Maya"])
    assert "is due for review on Friday 20 February 2026" in mail.outbox[0].body
    _run(date(2026, 3, 13))  # the target date's week: no review is due then any more
    assert len(mail.outbox) == 1


def test_a_review_moved_to_a_new_day_is_reminded_again_for_it(review_due, pt):
    Goal.objects.filter(pk=review_due.pk).update(review_on=date(2026, 2, 20))
    _run(date(2026, 2, 13))
    services.review_goal(
        review=GoalReview(goal=review_due, reviewed_on=date(2026, 2, 13), level=-1),
        by=pt,
        next_review=date(2026, 2, 18),
    )
    _run(date(2026, 2, 14))
    assert [m.subject for m in mail.outbox] == ["Goal review due 20 Feb: Maya", "Goal review due 18 Feb: Maya"]


def test_a_therapist_removed_from_the_team_gets_no_more_reminders_about_the_child(review_due, child, guardian, ot, pt):
    services.remove_member(membership=CareTeamMembership.objects.get(child=child, user=pt), by=guardian)
    _run(date(2026, 3, 13))
    assert _to(pt.email) == [] and len(_to(ot.email)) == 1


# --- No team-only text, links only to the app ---------------------------------------------------------


def test_no_email_contains_team_only_note_text(child, guardian, ot, pt):
    _opt_in(guardian, "checkpoint", "programme")
    _opt_in(ot, "whats_new", "goal_review")
    with time_machine.travel(_at(date(2026, 3, 2), 9), tick=False):
        note(child, pt, visibility="team", body="TEAM-ONLY-MARKER about the family")
        goal(child, pt, description="TEAM-GOAL-MARKER", target=date(2026, 3, 5))
        activity(child, ot, title="Posting buttons")
    _run(date(2026, 3, 3), hour=8)
    bodies = [message.subject + message.body for message in mail.outbox]
    assert len(bodies) >= 2 and not any("MARKER" in body for body in bodies)


def test_every_link_in_an_email_points_into_the_app(baby):
    _run(NINE_MONTHS_CORRECTED)
    links = [word for message in mail.outbox for word in message.body.split() if "://" in word]
    assert links and all(link.startswith("https://tracker.example/") for link in links)


# --- Digests ---------------------------------------------------------------------------------------


def test_the_weekly_programme_digest_lists_this_weeks_activities(child, guardian, ot):
    _opt_in(guardian, "programme")
    activity(child, ot, title="Posting buttons", start=date(2026, 2, 1), times_per_week=5)
    activity(child, ot, title="Finished long ago", start=date(2026, 1, 1), end=date(2026, 1, 31))
    _run(date(2026, 3, 2), hour=8)
    (message,) = mail.outbox
    assert "Posting buttons (5× a week)" in message.body and "Finished long ago" not in message.body


def test_the_programme_digest_goes_once_a_week(child, guardian, ot):
    _opt_in(guardian, "programme")
    activity(child, ot, start=date(2026, 2, 1))
    for day in range(7):
        _run(date(2026, 3, 2) + timedelta(days=day), hour=8)
    _run(date(2026, 3, 9), hour=8)
    assert len(mail.outbox) == 2


def test_whats_new_counts_what_others_added_since_yesterday(child, guardian, ot, pt):
    _opt_in(ot, "whats_new")
    with time_machine.travel(_at(date(2026, 3, 1), 15), tick=False):
        note(child, pt, visibility="team", body="A")
        note(child, ot, visibility="team", body="my own")
        observation(child, guardian, on=date(2026, 3, 1))
    _run(date(2026, 3, 2), hour=8)
    (message,) = mail.outbox
    assert "Maya: 1 note, 1 observation" in message.body


def test_whats_new_says_nothing_on_a_quiet_day(child, ot):
    _opt_in(ot, "whats_new")
    _run(date(2026, 3, 2), hour=8)
    assert mail.outbox == []


# --- Sending at most once, by the database --------------------------------------------------------------


def test_a_refused_send_is_tried_again_at_the_next_run(baby, monkeypatch):
    from django.core.mail.backends.locmem import EmailBackend

    original = EmailBackend.send_messages
    monkeypatch.setattr(EmailBackend, "send_messages", lambda self, messages: (_ for _ in ()).throw(OSError("down")))
    failed = _run(NINE_MONTHS_CORRECTED).failed
    monkeypatch.setattr(EmailBackend, "send_messages", original)
    _run(NINE_MONTHS_CORRECTED)
    assert (failed, len(mail.outbox)) == (2, 2)


def test_a_reminder_claimed_by_another_run_is_not_sent(baby):
    mum = CareTeamMembership.objects.get(child=baby, user__email="mum@example.org").user
    SentReminder.objects.create(
        user=mum,
        kind="checkpoint",
        occasion=f"checkpoint:{baby.public_id}:9",
        child=baby,
        claim="00000000-0000-4000-8000-000000000000",
        claimed_at=_at(NINE_MONTHS_CORRECTED),
    )
    _run(NINE_MONTHS_CORRECTED)
    assert [m.to[0] for m in mail.outbox] == ["dad@example.org"]


def test_a_claim_a_stopped_run_never_marked_sent_is_reported_for_a_day_and_logged(baby, caplog):
    """A worker that died after the mail server took the message: not sent again, but someone must look."""
    mum = CareTeamMembership.objects.get(child=baby, user__email="mum@example.org").user
    stopped = {"claim": "00000000-0000-4000-8000-000000000000", "claimed_at": _at(NINE_MONTHS_CORRECTED, 9)}
    SentReminder.objects.create(user=mum, kind="checkpoint", occasion="checkpoint:x:9", child=baby, **stopped)
    during = _run(NINE_MONTHS_CORRECTED, 9).stuck  # its own run might still be sending
    after = _run(NINE_MONTHS_CORRECTED, 11).stuck
    next_day = _run(NINE_MONTHS_CORRECTED + timedelta(days=1), 11).stuck
    assert (during, after, next_day) == (0, 1, 0)
    assert "1 reminders were claimed by a run that stopped" in caplog.text


def _families(count: int, born: date) -> None:
    for _ in range(count):
        child = ChildFactory(date_of_birth=born)
        for role in ("guardian", "guardian"):
            user = UserFactory()
            MembershipFactory(child=child, user=user, role=role)
            _opt_in(user, "checkpoint", "programme")
        ot = therapist(child, "OT")
        _opt_in(ot, "goal_review", "whats_new")
        goal(child, ot, target=date(2026, 3, 6))
        activity(child, ot, start=date(2026, 2, 1))
        with time_machine.travel(_at(date(2026, 3, 1)), tick=False):
            observation(child, user, on=date(2026, 3, 1))


@pytest.mark.parametrize("count", [2, 25])
def test_a_run_makes_the_same_queries_however_many_children(count, django_assert_max_num_queries):
    # Every child reaches the 12-month checkpoint on 2 March 2026 (365 days after birth).
    with time_machine.travel(_at(date(2026, 2, 20)), tick=False):
        _families(count, born=date(2025, 3, 2))
    with time_machine.travel(_at(date(2026, 3, 2), 9), tick=False), CaptureQueriesContext(connection) as queries:
        report = reminders.run()
    # Per kind, the planner's queries for one batch and the empty read that ends it, and three to claim, read
    # back and mark what it sends: checkpoints 5 + 3, goal reviews 3 + 3, programme 4 + 3, what's new 5 + 3;
    # and one to count claims a stopped run left unsent.
    assert (len(queries), report.sent) == (30, count * 6)


# --- The scheduler --------------------------------------------------------------------------------------


def test_two_schedulers_ticking_in_the_same_slot_enqueue_once(db):
    moment = datetime(2026, 3, 2, 9, 7, tzinfo=UTC)
    first = scheduler.tick(moment)
    second = scheduler.tick(moment + timedelta(minutes=5))
    assert (first, second, ScheduledRun.objects.count()) == (["send_reminders", "forget_kept_forms"], [], 2)


def test_the_next_slot_is_enqueued_again(db):
    scheduler.tick(datetime(2026, 3, 2, 9, 7, tzinfo=UTC))
    assert scheduler.tick(datetime(2026, 3, 2, 9, 16, tzinfo=UTC)) == ["send_reminders"]


def test_the_scheduled_task_sends_the_reminders(baby):
    with time_machine.travel(_at(NINE_MONTHS_CORRECTED), tick=False):
        scheduler.tick()
    assert len(mail.outbox) == 2


# --- Unsubscribe: no log-in, one person, one kind ------------------------------------------------------


def _unsubscribe_url(user, kind: str) -> str:
    return reverse("tracker:unsubscribe", args=[reminders.unsubscribe_token(user.pk, kind)])


@pytest.fixture
def subscribed(guardian, ot):
    _opt_in(guardian, "checkpoint", "programme")
    _opt_in(ot, "checkpoint")
    return guardian


def test_unsubscribe_works_without_logging_in(client, subscribed):
    client.post(_unsubscribe_url(subscribed, "checkpoint"))
    assert ReminderSettings.objects.get(user=subscribed).checkpoint == Channel.OFF


def test_unsubscribe_turns_off_only_that_kind(client, subscribed):
    client.post(_unsubscribe_url(subscribed, "checkpoint"))
    assert ReminderSettings.objects.get(user=subscribed).programme == Channel.EMAIL


def test_unsubscribe_turns_off_only_that_persons_reminders(client, subscribed, ot):
    client.post(_unsubscribe_url(subscribed, "checkpoint"))
    assert ReminderSettings.objects.get(user=ot).checkpoint == Channel.EMAIL


def test_opening_the_link_changes_nothing_until_the_button(client, subscribed):
    page = client.get(_unsubscribe_url(subscribed, "checkpoint")).content.decode()
    assert "Stop these emails" in page and ReminderSettings.objects.get(user=subscribed).checkpoint == Channel.EMAIL


def test_a_tampered_link_is_refused(client, subscribed, ot):
    token = reminders.unsubscribe_token(subscribed.pk, "checkpoint")
    forged = token.replace(token.split(":")[0], reminders.unsubscribe_token(ot.pk, "checkpoint").split(":")[0])
    response = client.post(reverse("tracker:unsubscribe", args=[forged]))
    assert response.status_code == 404 and ReminderSettings.objects.get(user=ot).checkpoint == Channel.EMAIL


def test_every_email_carries_its_own_unsubscribe_link(baby):
    _run(NINE_MONTHS_CORRECTED)
    mum = _to("mum@example.org")[0]
    user_id, kind = reminders.read_unsubscribe_token(
        mum.extra_headers["List-Unsubscribe"].strip("<>").rstrip("/").split("/")[-1]
    )
    assert (user_id, kind) == (
        CareTeamMembership.objects.get(child=baby, user__email="mum@example.org").user_id,
        "checkpoint",
    )


# --- The settings page ------------------------------------------------------------------------------------


def test_anonymous_is_sent_to_login_from_the_settings_page(client):
    response = client.get(reverse("tracker:reminder_settings"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))


def test_everything_is_off_until_chosen(login, guardian):
    form = login(guardian).get(reverse("tracker:reminder_settings")).context["form"]
    assert [form[kind].value() for kind in ("checkpoint", "goal_review", "programme", "whats_new")] == ["off"] * 4
    assert not ReminderSettings.objects.filter(user=guardian).exists()


def test_saving_choices(login, guardian):
    data = {"checkpoint": "email", "goal_review": "off", "programme": "email", "whats_new": "off"}
    login(guardian).post(reverse("tracker:reminder_settings"), data)
    saved = ReminderSettings.objects.get(user=guardian)
    assert (saved.checkpoint, saved.programme, saved.whats_new) == ("email", "email", "off")


def test_quiet_hours_say_which_clock_they_follow(login, guardian, settings):
    page = login(guardian).get(reverse("tracker:reminder_settings")).content.decode()
    assert f"({settings.TIME_ZONE} time)" in page and settings.TIME_ZONE == "Europe/London"


def test_half_quiet_hours_are_refused_next_to_the_field(login, guardian):
    data = {"checkpoint": "email", "goal_review": "off", "programme": "off", "whats_new": "off", "quiet_from": "21:00"}
    response = login(guardian).post(reverse("tracker:reminder_settings"), data)
    assert "Give both times for quiet hours" in response.content.decode()


def test_practice_logged_appears_in_whats_new_counts_nowhere_but_the_app(child, guardian, ot):
    # Practice logs are the family's own records: the weekly digest names activities, never comments.
    _opt_in(guardian, "programme")
    item = activity(child, ot, start=date(2026, 2, 1))
    with time_machine.travel(_at(date(2026, 3, 1)), tick=False):
        programme.log_practice(activity=item, by=guardian, comment="COMMENT-MARKER")
    _run(date(2026, 3, 2), hour=8)
    assert "COMMENT-MARKER" not in mail.outbox[0].body
