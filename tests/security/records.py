"""A child's complete record, made the way the app makes it: a row in every table about a child.

Used by the export and erasure tests. `full_record(child, guardian, therapist, text=...)` writes, through
the app's services, a custom skill, observations (one corrected, one withdrawn), a goal about the custom
skill with a review, notes for the team and for the family (one edited, so it has a revision, and linked to
a skill and a goal), a skill no longer seen with its therapist's review, a skill the family confirmed as
achieved before joining, an invitation, a home activity with practice logged (one undone) and the weekly
digest sent about it, a report shared by link (the family allowing the therapists to share) and opened, and the
audit events all of that leaves. `text(field)` gives the words
for each free-text field, so a test can plant markers or spreadsheet formulas in them.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime

import time_machine

from tracker import programme, reminders, services
from tracker.models import (
    Activity,
    Channel,
    Child,
    Domain,
    Goal,
    GoalReview,
    Note,
    Observation,
    ReminderSettings,
    Skill,
)
from tracker.reports import services as report_services

from ..factories import invitation, report

Text = Callable[[str], str]


@dataclass
class Record:
    custom_skill: Skill
    observations: list[Observation]
    goal: Goal
    review: GoalReview
    team_note: Note
    family_note: Note


def _observe(child: Child, by, skill: Skill, status: str, on: date, note: str) -> Observation:
    obs = Observation(child=child, skill=skill, status=status, observed_on=on, note=note)
    return services.record_observation(observation=obs, by=by)


def _write(child: Child, by, *, kind: str, visibility: str, body: str, skills=(), goals=()) -> Note:
    new = Note(child=child, kind=kind, visibility=visibility, body=body, session_date=date(2026, 1, 5))
    return services.add_note(note=new, by=by, skills=list(skills), goals=list(goals))[0]


def _edit(note: Note, by, body: str) -> Note:
    changes = {name: getattr(note, name) for name in services.NOTE_TEXT_FIELDS}
    changes["body"] = body
    return services.edit_note(
        note_id=note.pk,
        changes=changes,
        skills=list(note.skills.all()),
        goals=list(note.goals.all()),
        expected_version=note.version,
        by=by,
    )


def _home_programme(child: Child, guardian, therapist, goal: Goal, text: Text) -> None:
    """An activity for the goal, practice logged (one tap undone), and the weekly digest sent about it."""
    with time_machine.travel(datetime(2026, 1, 6, 12, 0, tzinfo=UTC), tick=False):  # a Tuesday of its first week
        activity = programme.set_activity(
            activity=Activity(
                child=child,
                title=text("activity title"),
                instructions=text("activity instructions"),
                times_per_week=3,
                goal=goal,
                start_on=date(2026, 1, 5),
            ),
            skills=[Skill.objects.get(slug="gm-walks-alone")],
            by=therapist,
        )
        programme.log_practice(activity=activity, by=guardian, how="hard", comment=text("practice comment"))
        programme.log_practice(activity=activity, by=guardian)
        programme.undo_practice(activity=activity, by=guardian)
        ReminderSettings.objects.update_or_create(user=guardian, defaults={"programme": Channel.EMAIL})
        reminders.run()


def full_record(child: Child, guardian, therapist, *, text: Text) -> Record:
    """Every kind of row about `child`; `therapist` must be a therapist on its team, `guardian` a guardian."""
    fine_motor = Domain.objects.get(slug="fine-motor")
    custom = services.add_custom_skill(
        child=child,
        skill=Skill(
            domain=fine_motor,
            name=text("custom skill name"),
            description=text("custom skill description"),
            source_detail=text("custom skill source"),
        ),
        by=therapist,
    )
    walks = Skill.objects.get(slug="gm-walks-alone")
    kept = _observe(child, guardian, walks, "emerging", date(2026, 1, 5), text("observation note"))
    wrong = _observe(child, therapist, custom, "achieved", date(2026, 1, 6), text("wrong observation note"))
    correction = services.correct_observation(
        original=wrong,
        correction=Observation(
            child=child, skill=custom, status="emerging", observed_on=date(2026, 1, 6), note=text("correction note")
        ),
        by=therapist,
    )
    withdrawn = _observe(child, guardian, walks, "achieved", date(2026, 1, 7), text("withdrawn observation note"))
    services.withdraw_observation(observation=withdrawn, by=guardian, reason=text("withdrawal reason"))
    sits = Skill.objects.get(slug="gm-sits-without-support")
    seen = _observe(child, guardian, sits, "achieved", date(2026, 1, 2), text("sitting seen note"))
    lost = _observe(child, guardian, sits, "not_yet", date(2026, 1, 8), text("sitting lost note"))
    services.review_loss(child=child, skill=sits, by=therapist, note=text("loss review note"))
    (before_joining,) = services.record_before_joining(
        child=child, skills=[Skill.objects.get(slug="gm-lifts-head-on-tummy")], by=guardian
    )

    goal = services.set_goal(
        goal=Goal(
            child=child,
            skill=custom,
            description=text("goal description"),
            target_date=date(2026, 12, 31),
            baseline_level=-1,
            level_minus_2=text("goal level -2"),
            level_0=text("goal level 0"),
        ),
        by=therapist,
    )
    review = services.review_goal(
        review=GoalReview(goal=goal, reviewed_on=date(2026, 2, 1), level=-2, comment=text("review comment")),
        by=therapist,
    )

    team_note = _write(
        child, therapist, kind="general", visibility="team", body=text("team note"), skills=[custom], goals=[goal]
    )
    team_note = _edit(team_note, therapist, text("team note, edited"))
    family_note = _write(child, guardian, kind="family_update", visibility="family", body=text("family note"))
    family_note = _edit(family_note, guardian, text("family note, edited"))

    invitation(child, email="invited.therapist@example.net", by=guardian)
    _home_programme(child, guardian, therapist, goal, text)
    # A report (a stand-in PDF: tests that read a report's text make a real one), shared by link and opened.
    kept_report = report(child, guardian)
    report_services.set_share_consent(child=child, allowed=True, by=guardian)
    share, _, _ = report_services.share_report(
        report=kept_report, by=therapist, days=14, with_passcode=True, shared_with=text("share recipient")
    )
    report_services.record_open(share=share, address="192.0.2.20")
    return Record(
        custom_skill=custom,
        observations=[kept, wrong, correction, withdrawn, seen, lost, before_joining],
        goal=goal,
        review=review,
        team_note=team_note,
        family_note=family_note,
    )
