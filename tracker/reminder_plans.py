"""Who gets which reminder now, and what it says: one planner per kind, yielding batches (tracker/reminders.py
sends them). Each planner makes a fixed number of queries per batch of BATCH children (or therapists).

Only the people on a child's team at the time of the run are asked, so someone removed from the team gets
nothing more; an email's text holds a child's given name, catalogue skill names, activity titles and counts,
never a note, a goal's text or a comment.
"""

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from . import ages
from .models import (
    REVIEW_NOTICE_DAYS,
    Activity,
    CareTeamMembership,
    Channel,
    Child,
    Goal,
    GoalStatus,
    Note,
    Observation,
    ReminderKind,
    ReminderSettings,
    Role,
    Skill,
    Status,
    WindowKind,
)

CHECKPOINT_MONTHS = (2, 4, 6, 9, 12, 15, 18, 24, 30, 36, 48, 60)
CATCH_UP_DAYS = 7
GOAL_REVIEW_DAYS = REVIEW_NOTICE_DAYS
DIGEST_HOUR = time(7, 0)
BATCH = 500


# --- Pure rules ---------------------------------------------------------------------------


def checkpoint_day(born: date, gestational_days: int | None, months: int) -> date:
    """The day a child reaches a checkpoint age: corrected age while correction applies (DESIGN.md, "Ages")."""
    return ages.day_at_effective_age(born, gestational_days, months)


def checkpoint_due(born: date, gestational_days: int | None, today: date) -> int | None:
    """The checkpoint (in months) reached in the last CATCH_UP_DAYS days up to `today`, if any."""
    for months in CHECKPOINT_MONTHS:
        day = checkpoint_day(born, gestational_days, months)
        if today - timedelta(days=CATCH_UP_DAYS - 1) <= day <= today:
            return months
    return None


def iso_week(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


# --- Planning -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Recipient:
    user_id: int
    email: str
    name: str
    quiet_from: time | None
    quiet_until: time | None


@dataclass
class Planned:
    """One reminder to send: to whom, its key, and what it says."""

    to: Recipient
    kind: str
    occasion: str
    child_id: int | None
    subject: str
    template: str
    context: dict = field(default_factory=dict)

    @property
    def key(self) -> tuple[int, str, str]:
        return (self.to.user_id, self.kind, self.occasion)


RECIPIENT_FIELDS = ("user_id", "user__email", "user__name")


def _opted_in(kind: str) -> Q:
    return Q(**{f"user__reminder_settings__{kind}": Channel.EMAIL}, user__is_active=True)


def _team(child_ids, role: str, kind: str | None = None):
    """(child id, Recipient[, opted in]) for members of `role` on these children's teams (one query)."""
    members = CareTeamMembership.objects.filter(child_id__in=child_ids, role=role, user__is_active=True)
    quiet = ("user__reminder_settings__quiet_from", "user__reminder_settings__quiet_until")
    if kind is not None:
        members = members.filter(_opted_in(kind))
        return [(row[0], Recipient(*row[1:])) for row in members.values_list("child_id", *RECIPIENT_FIELDS, *quiet)]
    rows = members.values_list(
        "child_id", *RECIPIENT_FIELDS, *quiet, f"user__reminder_settings__{ReminderKind.GOAL_REVIEW}"
    )
    return [(row[0], Recipient(*row[1:6]), row[6] == Channel.EMAIL) for row in rows]


def _children_in_batches(children) -> Iterator[list[tuple]]:
    """Active children as (pk, public_id, given_name, date_of_birth, gestational_days), BATCH at a time."""
    last = 0
    while True:
        rows = list(
            children.active()
            .filter(pk__gt=last)
            .order_by("pk")
            .values_list("pk", "public_id", "given_name", "date_of_birth", "gestational_days")[:BATCH]
        )
        if not rows:
            return
        yield rows
        last = rows[-1][0]


def plan_checkpoints(today: date) -> Iterator[list[Planned]]:
    """Guardians of children who reached a checkpoint, with the skills of it still to check (four queries a batch)."""
    skills_by_month: dict[int, list[Skill]] = defaultdict(list)
    for skill in (
        Skill.objects.catalogue().filter(window_kind=WindowKind.CDC_CHECKPOINT).order_by("domain__order", "order")
    ):
        skills_by_month[int(skill.window_end_months)].append(skill)
    for rows in _children_in_batches(Child.objects.all()):
        due = {}
        for pk, public_id, given_name, born, gestational_days in rows:
            months = checkpoint_due(born, gestational_days, today)
            if months is not None:
                due[pk] = (public_id, given_name, months, ages.needs_correction(born, gestational_days, today))
        if not due:
            yield []
            continue
        achieved = set(
            Observation.objects.current()
            .filter(child_id__in=due, status=Status.ACHIEVED, skill__window_kind=WindowKind.CDC_CHECKPOINT)
            .values_list("child_id", "skill_id")
        )
        batch = []
        for child_id, to in _team(due, Role.GUARDIAN, ReminderKind.CHECKPOINT):
            public_id, given_name, months, corrected = due[child_id]
            skills = [skill.name for skill in skills_by_month[months] if (child_id, skill.pk) not in achieved]
            batch.append(
                Planned(
                    to=to,
                    kind=ReminderKind.CHECKPOINT,
                    occasion=f"checkpoint:{public_id}:{months}",
                    child_id=child_id,
                    subject=f"{given_name} is {months} months{' (corrected)' if corrected else ''}: skills to check",
                    template="tracker/email/checkpoint.txt",
                    context={
                        "given_name": given_name,
                        "months": months,
                        "corrected": corrected,
                        "skills": skills,
                        "link": absolute(reverse("tracker:child_detail", args=[public_id]) + "#to-check"),
                    },
                )
            )
        yield batch


def plan_goal_reviews(today: date) -> Iterator[list[Planned]]:
    """Therapists whose goals come up for review within GOAL_REVIEW_DAYS (two queries a batch).

    A goal's review is its next review if one is set, else its target date (`Goal.review_due`); the
    occasion names that day, so a goal whose review moves is reminded again for the new day.
    """
    goals = (
        Goal.objects.annotate(due=Coalesce("review_on", "target_date"))
        .filter(
            status=GoalStatus.ACTIVE,
            due__range=(today, today + timedelta(days=GOAL_REVIEW_DAYS)),
            child__archived=False,
        )
        .order_by("pk")
        .values_list(
            "pk",
            "child_id",
            "child__public_id",
            "child__given_name",
            "due",
            "owner_id",
            "domain__name",
            "skill__domain__name",
        )
    )
    last = 0
    while True:
        rows = list(goals.filter(pk__gt=last)[:BATCH])
        if not rows:
            return
        last = rows[-1][0]
        therapists = defaultdict(list)
        for child_id, to, opted_in in _team({row[1] for row in rows}, Role.THERAPIST):
            therapists[child_id].append((to, opted_in))
        batch = []
        for goal_id, child_id, public_id, given_name, due, owner_id, area, skill_area in rows:
            team = therapists[child_id]
            owner_here = [(to, ok) for to, ok in team if to.user_id == owner_id]
            for to, opted_in in owner_here or team:
                if not opted_in:
                    continue
                batch.append(
                    Planned(
                        to=to,
                        kind=ReminderKind.GOAL_REVIEW,
                        occasion=f"goal_review:{goal_id}:{due.isoformat()}",
                        child_id=child_id,
                        subject=f"Goal review due {due:%d %b}: {given_name}",
                        template="tracker/email/goal_review.txt",
                        context={
                            "given_name": given_name,
                            "area": area or skill_area or "",
                            "due": due,
                            "link": absolute(reverse("tracker:goal_detail", args=[public_id, goal_id])),
                        },
                    )
                )
        yield batch


def plan_programme(today: date) -> Iterator[list[Planned]]:
    """From Monday, each guardian's weekly home-programme digest (three queries a batch)."""
    monday = today - timedelta(days=today.weekday())
    sunday = monday + timedelta(days=6)
    week = iso_week(today)
    running = Activity.objects.running_between(monday, sunday)
    for rows in _children_in_batches(Child.objects.filter(Exists(running.filter(child=OuterRef("pk"))))):
        ids = {row[0]: row for row in rows}
        planned = defaultdict(list)
        activities = (
            Activity.objects.running_between(monday, sunday)
            .filter(child_id__in=ids)
            .order_by("start_on", "pk")
            .values_list("child_id", "title", "times_per_week")
        )
        for child_id, title, times in activities:
            planned[child_id].append((title, Activity(times_per_week=times).frequency))
        batch = []
        for child_id, to in _team(ids, Role.GUARDIAN, ReminderKind.PROGRAMME):
            _, public_id, given_name, _, _ = ids[child_id]
            batch.append(
                Planned(
                    to=to,
                    kind=ReminderKind.PROGRAMME,
                    occasion=f"programme:{public_id}:{week}",
                    child_id=child_id,
                    subject=f"{given_name}'s home activities this week",
                    template="tracker/email/programme.txt",
                    context={
                        "given_name": given_name,
                        "monday": monday,
                        "activities": planned[child_id],
                        "link": absolute(reverse("tracker:programme", args=[public_id])),
                    },
                )
            )
        yield batch


def plan_whats_new(today: date) -> Iterator[list[Planned]]:
    """Each therapist's daily count of what others added on their children since yesterday (four queries a batch)."""
    until = timezone.make_aware(datetime.combine(today, DIGEST_HOUR))
    since = until - timedelta(days=1)
    readers = (
        ReminderSettings.objects.filter(whats_new=Channel.EMAIL, user__is_active=True)
        .order_by("user_id")
        .values_list("user_id", "user__email", "user__name", "quiet_from", "quiet_until")
    )
    last = 0
    while True:
        rows = list(readers.filter(user_id__gt=last)[:BATCH])
        if not rows:
            return
        last = rows[-1][0]
        people = {row[0]: Recipient(*row) for row in rows}
        caseload = defaultdict(list)
        children = {}
        memberships = (
            CareTeamMembership.objects.filter(user_id__in=people, role=Role.THERAPIST, child__archived=False)
            .order_by("child__given_name", "child_id")
            .values_list("user_id", "child_id", "child__given_name", "child__public_id")
        )
        for user_id, child_id, given_name, public_id in memberships:
            caseload[user_id].append(child_id)
            children[child_id] = (given_name, public_id)
        notes = _counts(
            Note.objects.filter(created_at__gte=since, created_at__lt=until, withdrawn_at__isnull=True),
            "author_id",
            children,
        )
        observations = _counts(
            Observation.objects.filter(recorded_at__gte=since, recorded_at__lt=until, withdrawn_at__isnull=True),
            "recorded_by_id",
            children,
        )
        batch = []
        for user_id, to in people.items():
            lines = []
            for child_id in caseload[user_id]:
                new_notes = sum(n for author, n in notes[child_id].items() if author != user_id)
                new_observations = sum(n for author, n in observations[child_id].items() if author != user_id)
                if new_notes or new_observations:
                    given_name, public_id = children[child_id]
                    link = absolute(reverse("tracker:timeline", args=[public_id]))
                    lines.append((given_name, new_notes, new_observations, link))
            if lines:
                batch.append(
                    Planned(
                        to=to,
                        kind=ReminderKind.WHATS_NEW,
                        occasion=f"whats_new:{today.isoformat()}",
                        child_id=None,
                        subject=f"What's new on your caseload, {today:%d %b}",
                        template="tracker/email/whats_new.txt",
                        context={"lines": lines, "link": absolute(reverse("tracker:changes"))},
                    )
                )
        yield batch


def _counts(rows, author: str, children: dict) -> dict[int, dict[int, int]]:
    """{child id: {author id: count}} of `rows` on `children` (one query)."""
    found: dict[int, dict[int, int]] = defaultdict(dict)
    grouped = rows.filter(child_id__in=children).values_list("child_id", author).annotate(n=Count("pk")).order_by()
    for child_id, author_id, count in grouped:
        found[child_id][author_id] = count
    return found
