"""The bench data set's home programmes and reminder choices (called by `seed_demo`, after the history).

Its own random stream (derived from the seed), so the rest of the data set is the same as before it existed.
Every guardian has chosen checkpoint and weekly-programme emails and every therapist goal-review and What's
new emails; about a quarter of the active goals come up for review in the next week; most children have a
home activity or two from the library, set by their OT or PT in the last ten weeks, with practice logged by
the family on about half the planned days (some of it undone), so a reminder run has real work to do.
"""

import random
from collections import defaultdict
from datetime import date, datetime, time, timedelta

from django.db.models import QuerySet
from django.utils import timezone

from tracker.models import (
    Activity,
    ActivityTemplate,
    Channel,
    Goal,
    GoalStatus,
    HowItWent,
    PracticeLog,
    ReminderSettings,
    Voice,
)

COMMENTS = ["", "", "", "Loved it", "Tired today", "Did it twice", "Needed lots of help", "Easier than last week"]


def seed(*, people, plans, seed: int, today: date, table, counts) -> None:
    """`people` and `plans` as seed_demo made them (with pks); `table` is seed_demo's bulk-insert Table class."""
    rng = random.Random(seed * 7919 + 17)  # noqa: S311 (synthetic data, reproducible by design)
    _settings(people, counts)
    _review_dates([plan.pk for plan in plans], rng, today, counts)
    activities = _activities(plans, rng, today, counts)
    _practice(activities, rng, today, table, counts)


def _settings(people, counts) -> None:
    rows = []
    for person in people:
        chosen = ("checkpoint", "programme") if person.profession == "parent" else ("goal_review", "whats_new")
        rows.append(ReminderSettings(user_id=person.pk, **dict.fromkeys(chosen, Channel.EMAIL)))
    ReminderSettings.objects.bulk_create(rows, batch_size=2000)
    counts["reminder settings"] = len(rows)


def _review_dates(children: list[int], rng: random.Random, today: date, counts) -> None:
    """A quarter of the active goals are reviewed within a week (one UPDATE per day)."""
    active: QuerySet = Goal.objects.filter(child_id__in=children, status=GoalStatus.ACTIVE).order_by("pk")
    by_day = defaultdict(list)
    for pk in active.values_list("pk", flat=True):
        if rng.random() < 0.25:
            by_day[today + timedelta(days=rng.randint(1, 7))].append(pk)
    for day, ids in by_day.items():
        for part in range(0, len(ids), 500):
            Goal.objects.filter(pk__in=ids[part : part + 500]).update(target_date=day)
    counts["goals due for review this week"] = sum(len(ids) for ids in by_day.values())


def _activities(plans, rng: random.Random, today: date, counts) -> list[tuple[Activity, object]]:
    library = defaultdict(list)
    for template in ActivityTemplate.objects.library().select_related("domain").prefetch_related("skills"):
        library[template.domain.discipline].append(template)
    made = []
    for plan in plans:
        for voice, therapist in plan.team.items():
            if voice == Voice.FAMILY or not library[voice] or rng.random() < 0.3:
                continue
            template = rng.choice(library[voice])
            start = max(plan.joined_at.date(), today - timedelta(days=rng.randint(7, 70)))
            end = start + timedelta(days=28) if rng.random() < 0.2 and start + timedelta(days=28) < today else None
            item = Activity(
                child_id=plan.pk,
                template=template,
                title=template.title,
                instructions=template.instructions,
                times_per_week=template.times_per_week,
                start_on=start,
                end_on=end,
                set_by_id=therapist.pk,
                set_by_name=therapist.name,
                set_as=voice,
            )
            made.append((item, plan))
    Activity.objects.bulk_create([item for item, _ in made], batch_size=2000)
    links = [
        Activity.skills.through(activity_id=item.pk, skill_id=skill.pk)
        for item, _ in made
        for skill in item.template.skills.all()
    ]
    Activity.skills.through.objects.bulk_create(links, batch_size=2000)
    counts["home activities"] = len(made)
    return made


def _practice(activities, rng: random.Random, today: date, table, counts) -> None:
    logs = table(PracticeLog)
    for item, plan in activities:
        keen = rng.uniform(0.3, 1.0)
        last = min(item.end_on or today, today - timedelta(days=1))
        day = item.start_on
        while day <= last:
            if rng.random() < item.times_per_week / 7 * keen:
                at = timezone.make_aware(datetime.combine(day, time(18, rng.randint(0, 59))))
                withdrawn = rng.random() < 0.03
                logs.add(
                    {
                        "activity_id": item.pk,
                        "child_id": plan.pk,
                        "practised_on": day,
                        "how": rng.choice(["", "", HowItWent.EASY, HowItWent.HARD, HowItWent.DIDNT_MANAGE]),
                        "comment": rng.choice(COMMENTS),
                        "logged_by_id": plan.guardian.pk,
                        "logged_by_name": plan.guardian.name,
                        "logged_as": Voice.FAMILY,
                        "logged_at": at,
                        "withdrawn_at": at + timedelta(minutes=1) if withdrawn else None,
                        "withdrawn_by_id": plan.guardian.pk if withdrawn else None,
                    }
                )
            day += timedelta(days=1)
    logs.flush()
    logs.reset_sequence()
    counts["practice logs"] = logs.inserted
