"""The benchmark's data generator: `manage.py seed_demo --children N --seed S [--reset]`.

Small N here (the 2,000-child timing is the benchmark's business, not a test's).
60 children give one OT and one PT caseload of 48 each (60% see both, 20% one).
"""

import hashlib
import random
from collections import Counter
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import check_password
from django.core.management import CommandError, call_command
from django.db.models import Count, Q

from tracker import ages
from tracker.management.commands.seed_demo import BENCH_PASSWORD, INTAKE_DAYS, caseload_sizes
from tracker.models import (
    AuditEvent,
    CareTeamMembership,
    Child,
    Goal,
    GoalReview,
    Note,
    NoteKind,
    Observation,
    Role,
    Visibility,
    Voice,
)

pytestmark = pytest.mark.django_db

CHILDREN = 60


def seed(children: int = CHILDREN, seed: int = 7, **options) -> str:
    out = StringIO()
    call_command("seed_demo", children=children, seed=seed, stdout=out, **options)
    return out.getvalue()


def fingerprint() -> str:
    """The generated content, without database ids, in an order that depends only on the content.

    Rows are sorted on every value taken, not on a few columns: two observations of one skill can
    share a time (both written up after the end of the data set's last day), and the database may
    return such ties in any order.
    """
    tables = [
        Child.objects.order_by("public_id").values_list(
            "public_id", "given_name", "family_name", "date_of_birth", "gestational_days", "data_version"
        ),
        Observation.objects.values_list(
            "child__public_id",
            "skill__slug",
            "observed_on",
            "status",
            "assistance",
            "recorded_by__email",
            "recorded_at",
            "withdrawn_at",
            "is_current",
        ),
        Note.objects.values_list(
            "child__public_id", "author__email", "kind", "visibility", "body", "plan", "session_date", "version"
        ),
    ]
    rows = [sorted(table, key=repr) for table in tables]
    return hashlib.sha256(repr(rows).encode()).hexdigest()


def test_makes_the_children_asked_for():
    seed()
    assert Child.objects.count() == CHILDREN


def test_every_child_has_one_guardian_and_an_ot_or_a_pt():
    seed()
    teams = Child.objects.annotate(
        guardians=Count("care_team", filter=Q(care_team__role=Role.GUARDIAN)),
        therapists=Count("care_team", filter=Q(care_team__role=Role.THERAPIST)),
    )
    assert {(c.guardians, 1 <= c.therapists <= 2) for c in teams} == {(1, True)}


def test_each_family_has_one_guardian_for_one_or_more_children():
    seed()
    guardians = CareTeamMembership.objects.filter(role=Role.GUARDIAN).values("user").annotate(n=Count("child"))
    assert {row["n"] for row in guardians} <= {1, 2, 3}


def test_caseloads_are_between_20_and_60_children():
    seed()
    sizes = CareTeamMembership.objects.filter(role=Role.THERAPIST).values("user").annotate(n=Count("child"))
    assert all(20 <= row["n"] <= 60 for row in sizes)


@pytest.mark.parametrize("slots", [20, 37, 59, 61, 100, 799, 1600])
def test_caseload_sizes_stay_within_20_to_60_and_cover_everyone(slots):
    sizes = caseload_sizes(slots, random.Random(slots))  # noqa: S311
    assert sum(sizes) == slots
    assert all(20 <= size <= 60 for size in sizes)


def test_observations_per_child_are_about_100_to_300():
    seed()
    per_child = list(Observation.objects.values("child").annotate(n=Count("id")).values_list("n", flat=True))
    assert len(per_child) == CHILDREN
    assert 100 <= sum(per_child) / len(per_child) <= 300
    assert min(per_child) >= 50


def test_skills_long_past_when_the_child_joined_are_recorded_once_at_intake():
    # A six-year-old who joins is not seen going from "not yet" to "achieved" on a baby skill.
    seed(children=20)
    past = learning = 0
    for child in Child.objects.all():
        joined = child.created_at.date()
        at_joining = ages.effective_age_in_months(child.date_of_birth, child.gestational_days, joined)
        in_force = Observation.objects.in_force().filter(child=child).select_related("skill")
        days_by_skill = {}
        for obs in in_force:
            days_by_skill.setdefault(obs.skill, []).append(obs.observed_on)
        for skill, days in days_by_skill.items():
            if skill.window_end_months is not None and skill.window_end_months < at_joining:
                past += 1
                assert len(days) == 1, (child.given_name, skill.slug, days)
                assert (days[0] - joined).days <= INTAKE_DAYS
            elif len(days) > 1:
                learning += 1
    assert past > 100  # the check above had children who joined after many windows had closed
    assert learning > 100  # and histories of several observations went to the skills still being learned


def test_exactly_one_current_observation_per_child_and_skill():
    seed()
    observed = Observation.objects.values("child", "skill").distinct().count()
    current = Observation.objects.filter(is_current=True)
    assert current.count() == observed
    assert not current.values("child", "skill").annotate(n=Count("id")).filter(n__gt=1).exists()


def test_the_current_observation_is_the_latest_in_force():
    seed(children=10)
    latest = {}
    for obs in Observation.objects.in_force().order_by("observed_on", "recorded_at", "id"):
        latest[(obs.child_id, obs.skill_id)] = obs.pk
    assert set(latest.values()) == set(Observation.objects.current().values_list("pk", flat=True))


def test_corrections_point_to_withdrawn_originals():
    seed()
    corrections = Observation.objects.exclude(corrects=None).select_related("corrects")
    assert corrections.exists()
    assert all(c.corrects.withdrawn_at is not None and c.withdrawn_at is None for c in corrections)


def test_notes_of_every_kind_and_visibility_in_each_voice():
    seed()
    notes = Note.objects.all()
    assert set(notes.values_list("kind", "visibility").distinct()) == {
        (NoteKind.SESSION, Visibility.TEAM),
        (NoteKind.SESSION, Visibility.FAMILY),
        (NoteKind.GENERAL, Visibility.TEAM),
        (NoteKind.GENERAL, Visibility.FAMILY),
        (NoteKind.FAMILY_UPDATE, Visibility.FAMILY),
    }
    assert set(notes.values_list("author_voice", flat=True).distinct()) == {
        Voice.OCCUPATIONAL_THERAPY,
        Voice.PHYSIOTHERAPY,
        Voice.FAMILY,
    }


def test_goals_have_reviews():
    seed()
    assert Goal.objects.count() >= CHILDREN
    assert GoalReview.objects.exists()


def test_every_child_has_a_data_version():
    seed()
    assert not Child.objects.filter(data_version=0).exists()


def test_writes_leave_an_audit_trail():
    seed()
    assert AuditEvent.objects.filter(object_type="observation").count() >= Observation.objects.count()


def test_the_same_seed_makes_the_same_data():
    seed()
    first = fingerprint()
    seed(reset=True)
    assert fingerprint() == first


def test_another_seed_makes_other_data():
    seed()
    first = fingerprint()
    seed(seed=8, reset=True)
    assert fingerprint() != first


def test_reset_replaces_rather_than_adds():
    seed()
    seed(reset=True)
    assert Child.objects.count() == CHILDREN


def test_refuses_to_add_a_second_set_without_reset():
    seed()
    with pytest.raises(CommandError, match="--reset"):
        seed()


def test_reset_leaves_other_people_alone(child, guardian):
    seed()
    seed(reset=True)
    assert Child.objects.filter(pk=child.pk).exists()
    assert get_user_model().objects.filter(pk=guardian.pk).exists()


def test_bench_logins_share_one_known_password():
    seed()
    users = get_user_model().objects.filter(email__in=["therapist1@bench.example", "guardian1@bench.example"])
    assert len(users) == 2
    assert all(check_password(BENCH_PASSWORD, user.password) for user in users)
    assert len(set(get_user_model().objects.values_list("password", flat=True))) == 1


def test_prints_what_it_made_and_the_logins():
    out = seed()
    assert "children" in out and f"{CHILDREN:>9,}" in out
    assert "therapist1@bench.example" in out and BENCH_PASSWORD in out
    assert "Made in" in out


def test_one_account_per_guardian_and_therapist():
    seed()
    professions = Counter(get_user_model().objects.values_list("profession", flat=True))
    guardians = CareTeamMembership.objects.filter(role=Role.GUARDIAN).values("user").distinct().count()
    therapists = CareTeamMembership.objects.filter(role=Role.THERAPIST).values("user").distinct().count()
    assert professions["parent"] == guardians
    assert professions["ot"] + professions["pt"] == therapists


def test_families_chose_reminders_and_have_home_programmes_with_practice():
    from tracker.models import Activity, PracticeLog, ReminderSettings

    seed()
    seeded = ReminderSettings.objects.filter(user__email__endswith="@bench.example")
    guardians = seeded.filter(user__profession="parent")
    assert guardians.exists() and set(guardians.values_list("checkpoint", "programme").distinct()) == {
        ("email", "email")
    }
    assert Activity.objects.count() > 0 and PracticeLog.objects.in_force().count() > PracticeLog.objects.count() // 2


def test_some_goals_come_up_for_review_within_a_week():
    from datetime import timedelta

    from django.utils import timezone

    seed()
    today = timezone.localdate()
    assert Goal.objects.filter(status="active", target_date__range=(today, today + timedelta(days=7))).exists()
