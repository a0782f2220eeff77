"""Load a small demo family: one parent, one OT, one PT, two children (one born early).

Safe to run again: people and children are found by email and name, not duplicated.
"""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from tracker import ages, programme, services
from tracker.models import (
    Activity,
    ActivityTemplate,
    CareTeamMembership,
    Channel,
    Child,
    Discipline,
    GasLevel,
    Goal,
    GoalReview,
    Note,
    Observation,
    ReminderSettings,
    Role,
    Skill,
    Voice,
)

# The README's demo ages ("Maya, 1 year 8 months"): tests/test_load_demo.py holds the two to each other.
MAYA_MONTHS, LEO_MONTHS = 20, 7
DEMO_PASSWORD = "demo-password-2026"  # noqa: S105 (published demo login, local only)
# The demo goal's mid-block review, before its target date 60 days on: the goal pages show both.
DEMO_REVIEW_DAYS = 18
PEOPLE = [
    ("parent@example.org", "Sam Parent", "parent"),
    ("ot@example.org", "Olivia Hand", "ot"),
    ("pt@example.org", "Peter Move", "pt"),
]


def born_months_ago(today, months: int):
    """A birthday `months` calendar months and 5 days before `today`: the age reads "N months" for a few days."""
    return ages.add_months(today, -months) - timedelta(days=5)


class Command(BaseCommand):
    help = "Load the demo family (idempotent) and print the demo logins."

    @transaction.atomic
    def handle(self, *args, **options) -> None:
        User = get_user_model()
        people = {}
        for email, name, profession in PEOPLE:
            user, created = User.objects.get_or_create(
                email=email, defaults={"name": name, "profession": profession, "email_verified": True}
            )
            if created:
                user.set_password(DEMO_PASSWORD)
                user.save(update_fields=["password"])
            people[profession] = user

        today = timezone.localdate()
        demo_children = [
            # A term toddler, and a baby born at 30 weeks whose corrected age matters. Calendar months (and a
            # few days), so the ages the app shows are the README's, whatever day the demo is loaded on.
            ("Maya", "Demo", born_months_ago(today, MAYA_MONTHS), None),
            ("Leo", "Demo", born_months_ago(today, LEO_MONTHS), 30 * 7),
        ]
        for given, family, born, gestational_days in demo_children:
            child, _ = Child.objects.get_or_create(
                given_name=given,
                family_name=family,
                care_team__user=people["parent"],
                defaults={"date_of_birth": born, "gestational_days": gestational_days},
            )
            for profession, role, discipline in [
                ("parent", Role.GUARDIAN, ""),
                ("ot", Role.THERAPIST, Discipline.OCCUPATIONAL_THERAPY),
                ("pt", Role.THERAPIST, Discipline.PHYSIOTHERAPY),
            ]:
                CareTeamMembership.objects.get_or_create(
                    child=child, user=people[profession], defaults={"role": role, "discipline": discipline}
                )
            if not child.observations.exists():
                self._history(child, people, today)
            if not child.activities.exists():
                self._programme(child, people, today)
        self._reminders(people)

        self.stdout.write(f"Demo logins (password for each: {DEMO_PASSWORD}):")
        for email, name, _ in PEOPLE:
            self.stdout.write(f"  {email:22} {name}")

    def _programme(self, child: Child, people: dict, today) -> None:
        """A home programme set by the OT and the PT from the library, with a week of practice logged."""
        for who, slug, times, started in DEMO_PROGRAMME[child.given_name]:
            template = ActivityTemplate.objects.get(slug=slug)
            activity = Activity(
                child=child,
                template=template,
                title=template.title,
                instructions=template.instructions,
                times_per_week=times,
                goal=child.goals.filter(status="active").first() if who == "pt" else None,
                start_on=today - timedelta(days=started),
            )
            programme.set_activity(activity=activity, skills=list(template.skills.all()), by=people[who])
            # Practice on some of the last days of the week so far, as a family would log it.
            monday = today - timedelta(days=today.weekday())
            for day in range((today - max(monday, activity.start_on)).days):
                if day % 2 == 0:
                    practised = max(monday, activity.start_on) + timedelta(days=day)
                    programme.log_practice(activity=activity, by=people["parent"], how="easy", on=practised)

    def _reminders(self, people: dict) -> None:
        """The family chose checkpoint and home-programme emails; the therapists goal reviews and What's new."""
        chosen = {"parent": ["checkpoint", "programme"], "ot": ["goal_review", "whats_new"], "pt": ["goal_review"]}
        for who, kinds in chosen.items():
            ReminderSettings.objects.get_or_create(user=people[who], defaults=dict.fromkeys(kinds, Channel.EMAIL))

    def _history(self, child: Child, people: dict, today) -> None:
        """A few months of observations, notes and a goal, so every page has something to show."""
        plan = DEMO_HISTORY[child.given_name]
        for slug, status, days_ago, who, assistance in plan["observations"]:
            observation = Observation(
                child=child,
                skill=Skill.objects.get(slug=slug),
                status=status,
                observed_on=today - timedelta(days=days_ago),
                assistance=assistance,
            )
            services.record_observation(observation=observation, by=people[who])
        for kind, visibility, days_ago, who, text in plan["notes"]:
            fields = {"subjective": text[0], "objective": text[1], "assessment": text[2], "plan": text[3]}
            note = Note(
                child=child,
                kind=kind,
                visibility=visibility,
                session_date=today - timedelta(days=days_ago),
                **(fields if kind == "session" else {"body": text}),
            )
            services.add_note(note=note, by=people[who], skills=[], goals=[])
        if "goal" in plan:
            slug, description, levels, reviews = plan["goal"]
            skill = Skill.objects.get(slug=slug)
            goal = Goal.objects.create(
                child=child,
                domain=skill.domain,
                skill=skill,
                description=description,
                target_date=today + timedelta(days=60),
                review_on=today + timedelta(days=DEMO_REVIEW_DAYS),
                owner=people["pt"],
                owner_name=people["pt"].name,
                baseline_level=GasLevel.MUCH_LESS,
                **dict(
                    zip(
                        ["level_minus_2", "level_minus_1", "level_0", "level_plus_1", "level_plus_2"],
                        levels,
                        strict=True,
                    )
                ),
            )
            # Set on its baseline date (the first review's), not on the day the demo is loaded: the goal
            # markers on the charts and "set on" read `created_at`.
            set_days_ago = max(days_ago for days_ago, _, _ in reviews)
            Goal.objects.filter(pk=goal.pk).update(created_at=timezone.now() - timedelta(days=set_days_ago))
            for days_ago, level, comment in reviews:
                GoalReview.objects.create(
                    goal=goal,
                    reviewed_on=today - timedelta(days=days_ago),
                    level=level,
                    comment=comment,
                    reviewed_by=people["pt"],
                    reviewed_by_name=people["pt"].name,
                    reviewer_voice=Voice.PHYSIOTHERAPY,
                )


# (who sets it, library template, times a week, started this many days ago)
DEMO_PROGRAMME = {
    "Maya": [
        ("pt", "push-toy-walks", 5, 21),
        ("pt", "sofa-cruising", 3, 21),
        ("ot", "finger-food-picking", 7, 14),
        ("ot", "big-paper-scribbles", 3, 14),
    ],
    "Leo": [
        ("pt", "tummy-time-on-a-rolled-towel", 14, 14),
        ("ot", "reach-and-roll", 5, 7),
    ],
}

DEMO_HISTORY = {
    "Maya": {
        "observations": [
            ("gm-sits-without-support", "achieved", 420, "parent", ""),
            ("gm-crawls-hands-and-knees", "achieved", 330, "parent", ""),
            ("gm-stands-with-assistance", "achieved", 320, "parent", ""),
            ("gm-walks-with-assistance", "emerging", 200, "pt", "minimal"),
            ("gm-walks-with-assistance", "achieved", 120, "pt", "supervision"),
            ("gm-stands-alone", "emerging", 90, "pt", "contact_guard"),
            ("gm-stands-alone", "achieved", 40, "pt", "independent"),
            ("gm-walks-alone", "not_yet", 40, "pt", ""),
            ("gm-walks-alone", "emerging", 7, "pt", "supervision"),
            ("fm-raking-grasp", "achieved", 380, "parent", ""),
            ("fm-passes-toy-hand-to-hand", "achieved", 370, "ot", "independent"),
            ("fm-inferior-pincer-grasp", "achieved", 240, "ot", "independent"),
            ("fm-neat-pincer-grasp", "emerging", 60, "ot", "independent"),
            ("fm-scribbles", "not_yet", 30, "ot", ""),
            ("sc-eats-finger-foods", "achieved", 150, "parent", ""),
            ("sc-manages-open-cup-with-spills", "emerging", 20, "parent", ""),
        ],
        "notes": [
            (
                "session",
                "team",
                40,
                "pt",
                (
                    "Parent reports Maya pulls to stand at the sofa and cruises both ways.",
                    "Stands alone 12 s; 3 independent steps before reaching for support. Wide base.",
                    "Balance and confidence improving; walking alone emerging within the WHO window.",
                    "Barefoot walking practice daily; push-toy walking; review in 4 weeks.",
                ),
            ),
            (
                "general",
                "family",
                30,
                "ot",
                "Lovely pincer practice today with cereal pieces. Keep offering small "
                "finger foods at meals; crayons on a big sheet of paper will come next.",
            ),
            ("family_update", "family", 5, "parent", "Maya took five steps across the kitchen on her own today!"),
        ],
        "goal": (
            "gm-walks-alone",
            "Maya will walk 3 metres independently on a flat floor, 3 times out of 4, within 8 weeks.",
            [
                "Needs a hand held to step",
                "Steps alone between furniture",
                "Walks 3 m alone 3 of 4 times",
                "Walks 5 m alone and turns",
                "Walks outdoors on uneven ground",
            ],
            [(42, -2, "Baseline: stepping only with a hand held."), (7, -1, "Steps alone between furniture.")],
        ),
    },
    "Leo": {
        "observations": [
            ("gm-lifts-head-on-tummy", "achieved", 60, "parent", ""),
            ("gm-holds-head-steady", "emerging", 14, "pt", "minimal"),
            ("fm-takes-hands-to-mouth", "achieved", 30, "parent", ""),
            ("sen-calms-with-cuddles", "achieved", 45, "parent", ""),
        ],
        "notes": [
            (
                "general",
                "team",
                14,
                "pt",
                "Corrected age about 4 months. Head control emerging; prone on forearms "
                "with support. Plan: daily tummy time, 3 x 5 minutes.",
            ),
            ("family_update", "family", 3, "parent", "Leo now lifts his head for longer during tummy time."),
        ],
    },
}
