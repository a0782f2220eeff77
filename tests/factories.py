"""Factories for test data: people, children and their care teams."""

from datetime import date, timedelta

import factory

from accounts.models import User
from tracker import services
from tracker.models import (
    CareTeamMembership,
    Child,
    Discipline,
    Domain,
    Goal,
    Invitation,
    Note,
    Observation,
    Report,
    Role,
    Skill,
)

PASSWORD = "a-long-test-password-123"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    name = factory.Sequence(lambda n: f"Person {n}")
    profession = "parent"
    email_verified = True
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class ChildFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Child

    given_name = factory.Sequence(lambda n: f"Child{n}")
    family_name = "Example"
    date_of_birth = date(2025, 3, 10)
    gestational_days = None


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CareTeamMembership

    child = factory.SubFactory(ChildFactory)
    user = factory.SubFactory(UserFactory)
    role = Role.GUARDIAN
    discipline = ""


def therapist(child: Child, discipline: str = Discipline.PHYSIOTHERAPY, **user_fields) -> User:
    profession = "ot" if discipline == Discipline.OCCUPATIONAL_THERAPY else "pt"
    user = UserFactory(profession=profession, **user_fields)
    MembershipFactory(child=child, user=user, role=Role.THERAPIST, discipline=discipline)
    return user


def invitation(
    child: Child, *, email: str = "invitee@example.org", role: str = Role.THERAPIST, by=None
) -> tuple[Invitation, str]:
    """A saved pending invitation and its clear-text token."""
    inv = Invitation(
        child=child, email=email, role=role, discipline="OT" if role == Role.THERAPIST else "", invited_by=by
    )
    token = inv.issue_token()
    inv.save()
    return inv, token


def observation(
    child: Child, by: User, *, skill: str = "gm-walks-alone", status: str = "emerging", on: date | None = None
) -> Observation:
    """Record an observation the way the app does (current status kept up to date)."""
    obs = Observation(
        child=child, skill=Skill.objects.get(slug=skill), status=status, observed_on=on or date(2026, 1, 5)
    )
    return services.record_observation(observation=obs, by=by)


def note(
    child: Child,
    by: User,
    *,
    kind: str = "general",
    visibility: str = "team",
    body: str = "A note.",
    on: date | None = None,
) -> Note:
    """Write a note the way the app does (author, discipline, audit)."""
    new = Note(child=child, kind=kind, visibility=visibility, body=body, session_date=on or date(2026, 1, 5))
    if kind == "session":
        new.body, new.subjective = "", body
    return services.add_note(note=new, by=by, skills=[], goals=[])[0]


def goal(
    child: Child,
    by: User,
    *,
    domain: str = "gross-motor",
    skill: str | None = None,
    description: str = "Walks 3 metres alone, 3 times out of 4, within 8 weeks.",
    target: date | None = None,
    baseline: int | None = -1,
    weight: int = 1,
) -> Goal:
    """Set a goal the way the app does (owner, data version, audit)."""
    new = Goal(
        child=child,
        domain=Domain.objects.get(slug=domain),
        skill=Skill.objects.get(slug=skill) if skill else None,
        description=description,
        target_date=target or date(2026, 12, 31),
        baseline_level=baseline,
        weight=weight,
    )
    return services.set_goal(goal=new, by=by)


def activity(
    child: Child,
    by: User,
    *,
    title: str = "Walks with a push toy",
    times_per_week: int = 3,
    start: date | None = None,
    end: date | None = None,
    goal: Goal | None = None,
    skills: tuple[str, ...] = ("gm-walks-alone",),
):
    """Set a home activity the way the app does (set by a therapist, data version, audit)."""
    from django.utils import timezone

    from tracker import programme
    from tracker.models import Activity

    new = Activity(
        child=child,
        title=title,
        instructions="Walk together across the room, five times.",
        times_per_week=times_per_week,
        start_on=start or timezone.localdate() - timedelta(days=7),
        end_on=end,
        goal=goal,
    )
    return programme.set_activity(activity=new, skills=[Skill.objects.get(slug=s) for s in skills], by=by)


# A stand-in PDF for tests about access, sharing, export and erasure; tests that read a report's text make a real one.
STUB_PDF = b"%PDF-1.4\n% a stand-in report for tests\n%%EOF\n"


def report(
    child: Child, by: User, *, kind: str = "family", team_only: bool = False, start: date | None = None
) -> Report:
    """A stored report with a stand-in PDF (rendering a real one takes a second or more)."""
    start = start or date(2026, 1, 1)
    return Report.objects.create(
        child=child,
        kind=kind,
        scope="joint" if kind == "therapist" else "",
        period_start=start,
        period_end=start + timedelta(days=90),
        author=by,
        author_name=by.name,
        author_role="Physiotherapy" if kind == "therapist" else "Parent or guardian",
        team_only=team_only,
        fingerprint=f"stub-{kind}-{team_only}-{start}",
        pdf=STUB_PDF,
        pdf_sha256="0" * 64,
        pages=1,
    )
