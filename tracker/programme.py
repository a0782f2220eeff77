"""The home programme: writes (each in one transaction, moving the child's data version and auditing) and the
queries its pages share.

Undo never deletes: a practice log that is undone is marked withdrawn (who, when) and counts nowhere, but
stays in the history, the export and the audit trail, as a withdrawn observation does.
"""

import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone

from . import audit
from .charts import adherence
from .models import Activity, ActivityTemplate, AuditAction, Child, Goal, PracticeLog, Skill
from .services import begin_child_write, voice_of

ACTIVITY_FIELDS = ("title", "instructions", "times_per_week", "link", "goal", "start_on", "end_on")
ADHERENCE_WEEKS = 8


def week_of(day: date) -> tuple[date, date]:
    """Monday and Sunday of the week `day` is in."""
    monday = day - timedelta(days=day.weekday())
    return monday, monday + timedelta(days=6)


def activity_version(activity: Activity) -> str:
    """What an edit form carries: a save over someone else's newer edit is refused, not lost."""
    return activity.updated_at.isoformat() if activity.updated_at else ""


class ActivityConflict(Exception):
    """Someone saved the activity after the editor opened it."""

    def __init__(self, current: Activity) -> None:
        super().__init__("The activity changed since you opened it.")
        self.current = current


# --- Writes -------------------------------------------------------------------------------


@transaction.atomic
def set_activity(*, activity: Activity, skills, by, keep_as_template: bool = False) -> Activity:
    """Give the family a new activity (child, text, frequency, dates… already set), set by therapist `by`."""
    begin_child_write(activity.child)
    activity.set_by = by
    activity.set_by_name = by.name
    activity.set_as = voice_of(activity.child, by)
    activity.full_clean()
    activity.save()
    if skills:
        activity.skills.add(*skills)
    if keep_as_template:
        _keep_as_template(activity, skills, by)
    # The summary names the activity by its id, never its text: it may hold the child's name.
    audit.record(by, AuditAction.CREATED, activity.child, activity, summary=f"Set home activity {activity.pk}")
    return activity


def _keep_as_template(activity: Activity, skills, by) -> ActivityTemplate:
    domain = next((skill.domain for skill in skills), None)
    if domain is None and activity.template_id:
        domain = activity.template.domain
    if domain is None and activity.goal_id:
        goal = activity.goal
        domain = goal.domain or goal.skill.domain
    if domain is None:
        raise ValidationError({"skills": "Choose a skill (or a goal) so the template knows its area."})
    template = ActivityTemplate.objects.create(
        slug=f"own-{uuid.uuid4().hex[:16]}",
        domain=domain,
        title=activity.title,
        instructions=activity.instructions,
        times_per_week=activity.times_per_week,
        owner=by,
    )
    template.skills.set([skill for skill in skills if skill.child_id is None])
    return template


@transaction.atomic
def edit_activity(*, activity_id: int, changes: dict, skills, expected_version: str, by) -> Activity:
    """Change an activity; refused with ActivityConflict if it changed since the editor loaded it."""
    activity = Activity.objects.select_for_update().select_related("child").get(pk=activity_id)
    if activity_version(activity) != expected_version:
        raise ActivityConflict(activity)
    begin_child_write(activity.child)
    changed = [name for name in ACTIVITY_FIELDS if getattr(activity, name) != changes[name]]
    for name in changed:
        setattr(activity, name, changes[name])
    activity.full_clean()
    activity.save()
    if {skill.pk for skill in skills} != set(activity.skills.values_list("pk", flat=True)):
        activity.skills.set(skills)
        changed.append("skills")
    audit.record(
        by,
        AuditAction.CHANGED,
        activity.child,
        activity,
        summary=f"Edited home activity {activity.pk} ({', '.join(changed) or 'nothing'})",
    )
    return activity


@transaction.atomic
def end_activity(*, activity: Activity, by, on: date) -> Activity:
    """Stop an activity from `on` (its last day); it and its practice stay in the history."""
    begin_child_write(activity.child)
    activity.end_on = max(on, activity.start_on)
    activity.save(update_fields=["end_on", "updated_at"])
    audit.record(by, AuditAction.CHANGED, activity.child, activity, summary=f"Ended home activity {activity.pk}")
    return activity


@transaction.atomic
def log_practice(*, activity: Activity, by, how: str = "", comment: str = "", on: date | None = None) -> PracticeLog:
    """One tap: `activity` was practised today (or on `on`)."""
    child = activity.child
    begin_child_write(child)
    log = PracticeLog(
        activity=activity,
        child=child,
        practised_on=on or timezone.localdate(),
        how=how,
        comment=comment,
        logged_by=by,
        logged_by_name=by.name,
        logged_as=voice_of(child, by),
        logged_at=timezone.now(),
    )
    # The form has checked what was typed and the view the activity's child; the database keeps the rest.
    log.full_clean(exclude=["activity", "child", "logged_by", "withdrawn_by"])
    log.save()
    audit.record(by, AuditAction.CREATED, child, log, summary=f"Logged practice of home activity {activity.pk}")
    return log


@transaction.atomic
def undo_practice(*, activity: Activity, by) -> PracticeLog | None:
    """Withdraw `by`'s latest practice of `activity` logged today; None if there is none to undo."""
    begin_child_write(activity.child)
    log = (
        PracticeLog.objects.select_for_update()
        .filter(activity=activity, logged_by=by, practised_on=timezone.localdate())
        .in_force()
        .order_by("-logged_at", "-id")
        .first()
    )
    if log is None:
        return None
    log.withdrawn_at = timezone.now()
    log.withdrawn_by = by
    log.save(update_fields=["withdrawn_at", "withdrawn_by"])
    audit.record(
        by, AuditAction.WITHDREW, activity.child, log, summary=f"Undid a practice of home activity {activity.pk}"
    )
    return log


# --- Queries --------------------------------------------------------------------------------


@dataclass
class ActivityWeek:
    """One activity as the week view shows it: its practice this week and the viewer's own today."""

    activity: Activity
    days: list[tuple[date, int]] = field(default_factory=list)  # (day, practices logged), Monday first
    done: int = 0
    mine_today: int = 0

    @property
    def left(self) -> int:
        return max(0, self.activity.times_per_week - self.done)


def activities(child: Child):
    """The child's activities with their goal and skills (two queries)."""
    return (
        Activity.objects.for_child(child)
        .select_related("goal__domain", "goal__skill")
        .prefetch_related(Prefetch("skills", queryset=Skill.objects.only("pk", "slug", "name")))
    )


def _running(items, first: date, last: date) -> list[Activity]:
    return [item for item in items if item.start_on <= last and (item.end_on is None or item.end_on >= first)]


def this_week(child: Child, user, today: date, every: list[Activity] | None = None) -> list[ActivityWeek]:
    """The activities planned this week, each with its practice so far (three queries; one with `every`, the
    child's activities from `activities`)."""
    monday, sunday = week_of(today)
    running = _running(activities(child), monday, sunday) if every is None else _running(every, monday, sunday)
    logs = (
        PracticeLog.objects.for_child(child)
        .in_force()
        .filter(practised_on__range=(monday, sunday))
        .values_list("activity_id", "practised_on", "logged_by_id")
    )
    weeks = {item.pk: ActivityWeek(activity=item) for item in running}
    counts: dict[tuple[int, date], int] = {}
    for activity_id, day, logged_by in logs:
        if activity_id not in weeks:
            continue
        counts[activity_id, day] = counts.get((activity_id, day), 0) + 1
        weeks[activity_id].done += 1
        if day == today and logged_by == user.pk:
            weeks[activity_id].mine_today += 1
    for week in weeks.values():
        week.days = [
            (monday + timedelta(days=n), counts.get((week.activity.pk, monday + timedelta(days=n)), 0))
            for n in range(7)
        ]
    return list(weeks.values())


def one_week(child: Child, activity: Activity, user, today: date) -> ActivityWeek:
    """`this_week` for one activity (the row a tap redraws)."""
    found = [week for week in this_week(child, user, today) if week.activity.pk == activity.pk]
    return found[0] if found else ActivityWeek(activity=activity)


def adherence_chart(
    child: Child,
    *,
    on: date,
    goal: Goal | None = None,
    every: list[Activity] | None = None,
    weeks: int = ADHERENCE_WEEKS,
) -> adherence.AdherenceChart:
    """Practice logged against plan, per activity and week, for the last `weeks` weeks to `on` (two queries;
    one with `every`, the child's activities already fetched)."""
    first = week_of(on)[0] - timedelta(weeks=weeks - 1)
    if every is None:
        every = Activity.objects.for_child(child).running_between(first, on)
    planned = sorted(_running(every, first, on), key=lambda item: (item.start_on, item.pk))
    if goal is not None:
        planned = [item for item in planned if item.goal_id == goal.pk]
    inputs = [
        adherence.ActivityInput(
            key=item.pk, label=item.title, times_per_week=item.times_per_week, start=item.start_on, end=item.end_on
        )
        for item in planned
    ]
    logs = (
        PracticeLog.objects.for_child(child)
        .in_force()
        .filter(practised_on__range=(first, on), activity_id__in=[item.key for item in inputs])
        .values_list("activity_id", "practised_on", "how")
    )
    practised = [adherence.Practised(activity=key, on=day, how=how) for key, day, how in logs]
    return adherence.data(inputs, practised, on=on, weeks=weeks)
