"""What the security and reliability proofs share: a cast with two children, every URL with its rule, snapshots.

- `build_world(text)` makes child A and child B with a record in every free-text field, the text coming from
  `text` (unique markers for the leak test, an XSS corpus for the escaping test), and the cast of ACTORS.
- `url_targets(world)` walks EVERY pattern of the resolver and fills its kwargs from KWARGS (keyed by the
  kwarg's name). A pattern with a kwarg KWARGS does not know, or a name RULES does not know, is *untested*:
  the access-matrix test fails on it, so a new URL cannot ship without someone deciding who may use it.
- RULES says, per URL name and method, who may use it: a row of DESIGN.md's access matrix for a child's
  URLs, or PUBLIC / SIGNED_IN / NO (method not allowed) for the rest.
- `db_fingerprint()` hashes every table except sessions, django-axes' and the audit trail (checked apart).
- `undone()` runs requests in a savepoint that is always rolled back, so one cast serves a thousand requests.
"""

import hashlib
import itertools
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from html import unescape

import django_otp
from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.db import connection, transaction
from django.template.base import Template
from django.test import Client
from django.test import utils as test_utils
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import email as addresses
from accounts import two_factor
from accounts.models import KeptForm, User
from tracker import checklist, programme, services
from tracker.models import (
    Activity,
    AuditEvent,
    CareTeamMembership,
    Child,
    Discipline,
    Domain,
    Goal,
    GoalReview,
    Note,
    Observation,
    Report,
    ReportShare,
    Role,
    Skill,
)
from tracker.reminders import unsubscribe_token
from tracker.reports import services as report_services

from ..factories import ChildFactory, MembershipFactory, UserFactory, invitation, report, therapist

# --- The cast -------------------------------------------------------------------------

# Everyone the access matrix tries, in the order the figures name them.
ACTORS = [
    "anonymous",
    "guardian_a",  # parent of child A
    "guardian_b",  # parent of child B only
    "ot_a",  # occupational therapist on A's team
    "pt_none",  # physiotherapist on no team at all
    "removed_therapist",  # was a therapist on A's team, then removed
    "viewer_a",  # read-only member of A's team (a grandparent)
    "staff",  # is_staff=True, past the second step (as staff must be), on no team: no access to children
]
# The role each actor holds on child A's team; everyone else is outside it.
ROLE_ON_A = {"guardian_a": Role.GUARDIAN, "ot_a": Role.THERAPIST, "viewer_a": Role.VIEWER}
MEMBERS_OF_A = list(ROLE_ON_A)

# Which roles may do what, read from DESIGN.md's access matrix (not from tracker/permissions.py:
# the matrix is what the code is checked against).
G, T, V = Role.GUARDIAN, Role.THERAPIST, Role.VIEWER
MATRIX = {
    "view": {G, T, V},  # see profile, checklists, charts; read notes shared with family
    "record": {G, T},  # record / correct observations
    "write_notes": {G, T},  # guardians family updates, therapists any kind
    "goals_write": {T},  # goals: read for all, write for therapists
    "manage_team": {G},  # remove members
    "invite": {G, T},  # guardians invite anyone, therapists invite therapists
    "edit_profile": {G, T},
    "archive_delete": {G},
    "export": {G, T},
    "audit_log": {G, T},
    "custom_skill": {T},  # "a therapist may add a custom skill for one child"
    "review_loss": {T},  # mark a skill that is no longer seen as reviewed
    "programme_write": {T},  # set, change and end home-programme activities (issue 17)
    "practice": {G, T},  # log practice of a home activity, undo one's own
    "reports_read": {G, T},  # the report history (a report holding team-only notes: therapists only)
    "report_make": {G, T},  # guardians the family report, therapists either (issue 16)
    "share": {G},  # share a report by link, revoke any link, allow the therapists to share too
}


@dataclass
class ChildRecords:
    """One child and a record in every place free text can go."""

    child: Child
    guardian: User
    therapist: User
    observation: Observation
    withdrawn_observation: Observation
    custom_skill: Skill
    notes: dict[str, Note]
    goal: Goal
    review: GoalReview
    invitation_id: int
    invitation_token: str
    extra_viewer: CareTeamMembership
    activity: Activity | None = None  # a home activity running today, practised today by the guardian and the OT
    report: Report | None = None  # a family report, with links the guardian made
    team_report: Report | None = None  # a therapist report holding a care-team-only note
    share: ReportShare | None = None  # the guardian's active link to `report`
    share_tokens: dict[str, str] = field(default_factory=dict)  # valid, with a passcode, expired, revoked


@dataclass
class World:
    a: ChildRecords
    b: ChildRecords
    users: dict[str, User | None]
    reset_uid: str
    reset_token: str
    hidden: dict[str, User] = field(default_factory=dict)
    kept_form_id: int = 0  # a form guardian A posted into an expired session (accounts/kept.py)

    def role_on_a(self, actor: str) -> str | None:
        return ROLE_ON_A.get(actor)


Text = Callable[[str, str, str, int], str]
"""text(child tag "a"/"b", field name, visibility "family"/"team", max length) -> the text to store."""


def plain_text(tag: str, field_name: str, visibility: str, max_length: int) -> str:
    return f"{field_name} of child {tag}"[:max_length]


def _populate(tag: str, child: Child, guardian: User, ot: User, text: Text, extra_viewer: User) -> ChildRecords:
    today = timezone.localdate()
    fam, team = "family", "team"
    observation = services.record_observation(
        observation=Observation(
            child=child,
            skill=Skill.objects.get(slug="gm-walks-alone"),
            status="emerging",
            observed_on=today - timedelta(days=3),
            note=text(tag, "observation.note", fam, 2000),
        ),
        by=guardian,
    )
    withdrawn = services.record_observation(
        observation=Observation(
            child=child,
            skill=Skill.objects.get(slug="gm-sits-without-support"),
            status="achieved",
            observed_on=today - timedelta(days=5),
            note=text(tag, "withdrawn.note", fam, 2000),
        ),
        by=ot,
    )
    services.withdraw_observation(observation=withdrawn, by=ot, reason=text(tag, "withdrawal_reason", fam, 200))
    custom = services.add_custom_skill(
        child=child,
        skill=Skill(
            domain=Domain.objects.get(slug="gross-motor"),
            name=text(tag, "skill.name", fam, 120),
            description=text(tag, "skill.description", fam, 2000),
            source_detail=text(tag, "skill.source_detail", fam, 300),
        ),
        by=ot,
    )
    services.record_observation(
        observation=Observation(
            child=child, skill=custom, status="achieved", observed_on=today - timedelta(days=2), note=""
        ),
        by=ot,
    )
    # Both skills the sweeps name are no longer seen: achieved before, not yet or emerging now.
    services.record_observation(
        observation=Observation(child=child, skill=custom, status="not_yet", observed_on=today - timedelta(days=1)),
        by=guardian,
    )
    services.record_observation(
        observation=Observation(
            child=child,
            skill=Skill.objects.get(slug="gm-walks-alone"),
            status="achieved",
            observed_on=today - timedelta(days=10),
        ),
        by=guardian,
    )

    def add(by: User, kind: str, visibility: str, name: str) -> Note:
        note = Note(child=child, kind=kind, visibility=visibility, session_date=today - timedelta(days=1))
        if kind == "session":
            for section in ("subjective", "objective", "assessment", "plan"):
                setattr(note, section, text(tag, f"{name}.{section}", visibility, 5000))
        else:
            note.body = text(tag, f"{name}.body", visibility, 5000)
        return services.add_note(note=note, by=by, skills=[], goals=[])[0]

    notes = {
        "team_general_by_ot": add(ot, "general", team, "team_general"),
        "family_general_by_ot": add(ot, "general", fam, "family_general"),
        "team_session_by_ot": add(ot, "session", team, "team_session"),
        "family_update_by_guardian": add(guardian, "family_update", fam, "family_update"),
    }
    # A note written for the team, later shared with the family: its first version stays team-only.
    shared_later = add(ot, "general", team, "shared_later_v1")
    services.edit_note(
        note_id=shared_later.pk,
        changes={
            "kind": "general",
            "visibility": fam,
            "session_date": shared_later.session_date,
            "body": text(tag, "shared_later_v2.body", fam, 5000),
            "subjective": "",
            "objective": "",
            "assessment": "",
            "plan": "",
        },
        skills=[],
        goals=[],
        expected_version=1,
        by=ot,
    )
    notes["team_then_family_by_ot"] = Note.objects.get(pk=shared_later.pk)
    goal = services.set_goal(
        goal=Goal(
            child=child,
            domain=Domain.objects.get(slug="gross-motor"),
            description=text(tag, "goal.description", fam, 2000),
            target_date=today + timedelta(days=90),
            baseline_level=-1,
            **{
                name: text(tag, f"goal.{name}", fam, 500)
                for name in ("level_minus_2", "level_minus_1", "level_0", "level_plus_1", "level_plus_2")
            },
        ),
        by=ot,
    )
    review = services.review_goal(
        review=GoalReview(goal=goal, reviewed_on=today, level=0, comment=text(tag, "review.comment", fam, 2000)),
        by=ot,
    )
    inv, token = invitation(child, email=f"invited-therapist-{tag}@example.org", role=Role.THERAPIST, by=guardian)
    extra = MembershipFactory(child=child, user=extra_viewer, role=Role.VIEWER)
    activity = programme.set_activity(
        activity=Activity(
            child=child,
            title=text(tag, "activity.title", fam, 120),
            instructions=text(tag, "activity.instructions", fam, 4000),
            times_per_week=3,
            goal=goal,
            start_on=today - timedelta(days=7),
        ),
        skills=[Skill.objects.get(slug="gm-walks-alone")],
        by=ot,
    )
    for by in (guardian, ot):
        programme.log_practice(activity=activity, by=by, how="hard", comment=text(tag, "practice.comment", fam, 1000))
    family_report = report(child, guardian)
    team_report = report(child, ot, kind="therapist", team_only=True)
    tokens = {}
    share, tokens["valid link"], _ = report_services.share_report(
        report=family_report, by=guardian, days=14, with_passcode=False, shared_with=text(tag, "share.with", fam, 120)
    )
    _, tokens["link with a passcode"], _ = report_services.share_report(
        report=family_report, by=guardian, days=14, with_passcode=True
    )
    expired, tokens["expired link"], _ = report_services.share_report(
        report=family_report, by=guardian, days=1, with_passcode=False
    )
    ReportShare.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(hours=1))
    revoked, tokens["revoked link"], _ = report_services.share_report(
        report=family_report, by=guardian, days=14, with_passcode=False
    )
    report_services.revoke_share(share=revoked, by=guardian)
    report_services.record_open(share=share, address="192.0.2.10")
    return ChildRecords(
        child=Child.objects.get(pk=child.pk),
        guardian=guardian,
        therapist=ot,
        observation=observation,
        withdrawn_observation=withdrawn,
        custom_skill=custom,
        notes=notes,
        goal=goal,
        review=review,
        invitation_id=inv.pk,
        invitation_token=token,
        extra_viewer=extra,
        activity=activity,
        report=family_report,
        team_report=team_report,
        share=share,
        share_tokens=tokens,
    )


def build_world(text: Text = plain_text, *, user_name: Callable[[str], str] | None = None) -> World:
    """Children A and B, their teams and records, and every actor of ACTORS."""
    name = user_name or (lambda actor: actor.replace("_", " ").title())
    child_a = ChildFactory(
        given_name=text("a", "given_name", "family", 100), family_name=text("a", "family_name", "family", 100)
    )
    child_b = ChildFactory(
        given_name=text("b", "given_name", "family", 100), family_name=text("b", "family_name", "family", 100)
    )

    def member(actor: str, child: Child, role: str, profession: str = "parent") -> User:
        user = UserFactory(name=name(actor), email=f"{actor.replace('_', '-')}@example.org", profession=profession)
        MembershipFactory(child=child, user=user, role=role)
        return user

    guardian_a = member("guardian_a", child_a, Role.GUARDIAN)
    guardian_b = member("guardian_b", child_b, Role.GUARDIAN)
    ot_a = therapist(child_a, Discipline.OCCUPATIONAL_THERAPY, name=name("ot_a"), email="ot-a@example.org")
    ot_b = therapist(child_b, Discipline.OCCUPATIONAL_THERAPY, name=name("ot_b"), email="ot-b@example.org")
    viewer_a = member("viewer_a", child_a, Role.VIEWER, "other")
    removed = therapist(child_a, Discipline.PHYSIOTHERAPY, name=name("removed_therapist"), email="removed@example.org")
    services.remove_member(membership=CareTeamMembership.objects.get(child=child_a, user=removed), by=guardian_a)
    pt_none = UserFactory(name=name("pt_none"), email="pt-none@example.org", profession="pt")
    staff = UserFactory(name=name("staff"), email="staff@example.org", profession="other", is_staff=True)
    TOTPDevice.objects.create(user=staff, name="phone", confirmed=True)  # staff cannot go anywhere without it
    extra_a = UserFactory(name="Extra Viewer A", email="extra-a@example.org", profession="other")
    extra_b = UserFactory(name="Extra Viewer B", email="extra-b@example.org", profession="other")

    records_a = _populate("a", child_a, guardian_a, ot_a, text, extra_a)
    records_b = _populate("b", child_b, guardian_b, ot_b, text, extra_b)
    return World(
        a=records_a,
        b=records_b,
        users={
            "anonymous": None,
            "guardian_a": guardian_a,
            "guardian_b": guardian_b,
            "ot_a": ot_a,
            "pt_none": pt_none,
            "removed_therapist": removed,
            "viewer_a": viewer_a,
            "staff": staff,
        },
        hidden={"ot_b": ot_b, "extra_a": extra_a, "extra_b": extra_b},
        reset_uid=urlsafe_base64_encode(force_bytes(guardian_a.pk)),
        reset_token=default_token_generator.make_token(guardian_a),
        kept_form_id=KeptForm.objects.create(
            user=guardian_a,
            path=reverse("tracker:note_create", args=[records_a.child.public_id]),
            fields=[["body", text("a", "kept.body", "family", 5000)]],
        ).pk,
    )


# --- Clients ----------------------------------------------------------------------------


class ActorClient:
    """A test client signed in as one actor, whose session survives any request made through it.

    Requests run inside `undone()`, so a log-out or a password change in one request must not carry
    over to the next: the session cookie is put back before each request.
    """

    def __init__(self, user: User | None, **client_options) -> None:
        self.user = user
        self.client = Client(raise_request_exception=False, **client_options)
        if user is not None:
            self.client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
            device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
            if device is not None:  # past the second step, as `django_otp.login` leaves a session
                session = self.client.session
                session[django_otp.DEVICE_ID_SESSION_KEY] = device.persistent_id
                session[two_factor.PENDING] = False
                session.save()
        self.cookie = self.client.cookies.get(settings.SESSION_COOKIE_NAME)
        self.cookie_value = self.cookie.value if self.cookie is not None else None

    def request(self, method: str, url: str, data: dict | None = None, **extra):
        self.client.cookies.clear()
        if self.cookie_value is not None:
            self.client.cookies[settings.SESSION_COOKIE_NAME] = self.cookie_value
        if method == "GET":
            return self.client.get(url, data or {}, **extra)
        return self.client.post(url, data or {}, **extra)


@contextmanager
def plain_template_rendering() -> Iterator[None]:
    """Render templates without the test runner's instrumentation (a context copy per template rendered,
    kept for `response.context`), which costs more than the rendering itself on form pages. For sweeps
    of many requests that never read `response.context`."""
    saved = getattr(getattr(test_utils, "_TestState", None), "saved_data", None)
    if saved is None:  # the test environment is not set up: nothing is instrumented
        yield
        return
    instrumented = Template._render
    Template._render = saved.template_render
    try:
        yield
    finally:
        Template._render = instrumented


def clients_for(world: World, actors: list[str] | None = None) -> dict[str, ActorClient]:
    people = {**world.users, **world.hidden}
    return {actor: ActorClient(people[actor]) for actor in (actors or ACTORS)}


# --- The database, before and after ----------------------------------------------------

# Tables a denied request may legitimately write: sessions (the idle-timeout stamp), django-axes'
# log-in records, and the audit trail, which the tests check separately.
UNHASHED_PREFIXES = (
    "django_session",
    "accounts_session",
    "axes_",
    "tracker_auditevent",
    "django_cache",
    "django_migrations",
)


def db_fingerprint() -> dict[str, tuple[int, str]]:
    """(row count, content hash) of every table except UNHASHED_PREFIXES."""
    result = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names()):
            if table.startswith(UNHASHED_PREFIXES):
                continue
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608 (introspected name)
            rows = sorted(repr(row) for row in cursor.fetchall())
            result[table] = (len(rows), hashlib.sha256("\n".join(rows).encode()).hexdigest())
    return result


def fingerprint_diff(before: dict, after: dict) -> list[str]:
    return sorted(table for table in before.keys() | after.keys() if before.get(table) != after.get(table))


class _Undo(Exception):
    pass


@contextmanager
def undone() -> Iterator[None]:
    """Run the block in a savepoint that is always rolled back."""
    try:
        with transaction.atomic():
            yield
            raise _Undo
    except _Undo:
        pass


def audit_count() -> int:
    return AuditEvent.objects.count()


# --- Every URL pattern and how to fill it ----------------------------------------------


@dataclass(frozen=True)
class Pattern:
    name: str  # "tracker:note_edit"
    route: str
    kwargs: tuple[str, ...]


def all_patterns() -> list[Pattern]:
    """Every URL pattern of the project, walked generically through the resolver.

    But the staff admin's (/staff/, config/staff.py): staff are on no child's team, and
    tests/security/test_staff_admin.py walks every one of its patterns with a child's ids.
    """
    found = []

    def walk(patterns, namespace: str, prefix: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver) and pattern.namespace == "staff":
                continue
            if isinstance(pattern, URLResolver):
                inner = pattern.namespace or namespace
                walk(pattern.url_patterns, inner, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                name = f"{namespace}:{pattern.name}" if namespace and pattern.name else (pattern.name or "")
                kwargs = tuple(pattern.pattern.regex.groupindex)
                found.append(Pattern(name=name, route=prefix + str(pattern.pattern), kwargs=kwargs))

    walk(get_resolver().url_patterns, "", "/")
    return found


@dataclass(frozen=True)
class Variant:
    label: str
    value: object
    facts: tuple = ()  # (key, value) pairs the rule may read, e.g. ("note", note)
    shared: bool = False  # the same object for every child (a catalogue skill): no id to swap


def _one(label: str, value, **facts) -> list[Variant]:
    return [Variant(label, value, tuple(facts.items()))]


def _notes(records: ChildRecords, url: str) -> list[Variant]:
    return [Variant(key, note.pk, (("note", note),)) for key, note in records.notes.items()]


def _skills(records: ChildRecords, url: str) -> list[Variant]:
    return [
        Variant("catalogue skill", "gm-walks-alone", shared=True),
        Variant("custom skill", records.custom_skill.slug, (("custom_skill", True),)),
    ]


def _fmt(records: ChildRecords, url: str) -> list[Variant]:
    if "chart" in url:
        return [Variant("svg", "svg"), Variant("png", "png")]
    return [Variant("json", "json"), Variant("zip", "zip")]


def _token(records: ChildRecords, url: str, world: "World") -> list[Variant]:
    if url == "accounts:password_reset_confirm":
        return _one("password reset token", world.reset_token)
    if url == "accounts:verify_email":
        guardian = world.users["guardian_a"]
        return _one("guardian A's confirmation link", addresses.make_token(guardian, "verify", e=guardian.email, n=""))
    if url == "accounts:email_undo":
        guardian = world.users["guardian_a"]
        token = addresses.make_token(guardian, "undo", old="old-guardian-a@example.org", new=guardian.email)
        return _one("guardian A's undo link", token)
    return _one("invitation token", records.invitation_token)


# Keyed by the URL kwarg's name: how to fill it for one child's records. A kwarg not here is untested.
KWARGS: dict[str, Callable[..., list[Variant]]] = {
    "domain_slug": lambda r, url: _one("gross-motor", "gross-motor"),
    "skill_slug": _skills,
    "observation_id": lambda r, url: _one("observation", r.observation.pk),
    "note_id": _notes,
    "membership_id": lambda r, url: _one("another viewer's membership", r.extra_viewer.pk),
    "invitation_id": lambda r, url: _one("pending therapist invitation", r.invitation_id),
    "goal_id": lambda r, url: _one("goal", r.goal.pk),
    "review_id": lambda r, url: _one("goal review", r.review.pk),
    "activity_id": lambda r, url: _one("home activity", r.activity.pk),
    "fmt": _fmt,
    "report_id": lambda r, url: [
        Variant("family report", r.report.pk, (("report", r.report),)),
        Variant("report with team-only notes", r.team_report.pk, (("report", r.team_report),)),
    ],
    "share_id": lambda r, url: _one("the guardian's share link", r.share.pk),
    "share_token": lambda r, url: [Variant(label, token) for label, token in r.share_tokens.items()],
}
# Kwargs that need the world, not just one child's records.
WORLD_KWARGS = {
    "token": _token,
    "uidb64": lambda r, url, world: _one("guardian A's uid", world.reset_uid),
    "kept_id": lambda r, url, world: _one("guardian A's kept form", world.kept_form_id, kept_owner="guardian_a"),
    "signed": lambda r, url, world: _one(
        "guardian A's checkpoint unsubscribe link", unsubscribe_token(world.users["guardian_a"].pk, "checkpoint")
    ),
}
# The kwargs that point at one object of a child (used for the cross-child id-swap tries).
OBJECT_KWARGS = {
    "observation_id",
    "note_id",
    "membership_id",
    "invitation_id",
    "goal_id",
    "review_id",
    "skill_slug",
    "activity_id",
    "report_id",
    "share_id",
}


@dataclass(frozen=True)
class Target:
    name: str  # "tracker:note_edit"
    url: str
    variant: str  # "note=team_general_by_ot"
    facts: tuple
    child_tag: str | None  # "a" or "b" for a child's URL, None otherwise
    swapped: bool = False  # child B's id with child A's object ids

    def fact(self, key: str, default=None):
        return dict(self.facts).get(key, default)


def untested_patterns(patterns: list[Pattern] | None = None) -> list[str]:
    """Patterns with no name, no rule, or a kwarg nobody knows how to fill."""
    problems = []
    for pattern in patterns or all_patterns():
        if not pattern.name or pattern.name not in RULES:
            problems.append(f"{pattern.name or pattern.route}: no rule in RULES")
        unknown = [k for k in pattern.kwargs if k != "child_id" and k not in KWARGS and k not in WORLD_KWARGS]
        if unknown:
            problems.append(f"{pattern.name or pattern.route}: unknown kwargs {unknown}")
    return problems


def url_targets(world: World, *, child_tag: str = "a", swap_objects: bool = False) -> list[Target]:
    """Every (URL, kwargs variant) of every pattern with a rule and known kwargs.

    With `swap_objects`, only the child URLs that name an object are returned, with child B's id and
    child A's object ids: the classic id-swap a member of B could try.
    """
    records = world.a if child_tag == "a" else world.b
    targets = []
    for pattern in all_patterns():
        if pattern.name not in RULES or untested_patterns([pattern]):
            continue
        if swap_objects and not ("child_id" in pattern.kwargs and OBJECT_KWARGS & set(pattern.kwargs)):
            continue
        choices = []
        for kwarg in pattern.kwargs:
            if kwarg == "child_id":
                child = world.b.child if swap_objects else records.child
                choices.append([Variant(f"child {'b' if swap_objects else child_tag}", child.public_id)])
            elif kwarg in KWARGS:
                choices.append(KWARGS[kwarg](records, pattern.name))
            else:
                choices.append(WORLD_KWARGS[kwarg](records, pattern.name, world))
        for combo in itertools.product(*choices):
            objects = [v for k, v in zip(pattern.kwargs, combo, strict=True) if k in OBJECT_KWARGS]
            if swap_objects and all(variant.shared for variant in objects):
                continue
            kwargs = {kwarg: variant.value for kwarg, variant in zip(pattern.kwargs, combo, strict=True)}
            label = ", ".join(f"{k}={v.label}" for k, v in zip(pattern.kwargs, combo, strict=True) if k != "child_id")
            facts = tuple(fact for variant in combo for fact in variant.facts)
            targets.append(
                Target(
                    name=pattern.name,
                    url=reverse(pattern.name, kwargs=kwargs),
                    variant=label,
                    facts=facts,
                    child_tag=("b" if swap_objects else child_tag) if "child_id" in pattern.kwargs else None,
                    swapped=swap_objects,
                )
            )
    return targets


# --- Who may use what --------------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    kind: str  # "public", "signed_in", "no" (method not allowed), "row", "read_note", "own_note"
    row: str = ""


PUBLIC = Rule("public")
SIGNED_IN = Rule("signed_in")
NO = Rule("no")
OWN_KEPT = Rule("own_kept")  # a form kept when its session expired: only the person who typed it
READ_NOTE = Rule("read_note")  # notes shared with family: every member; team-only notes: therapists
OWN_NOTE = Rule("own_note")  # edit or withdraw a note: its author only
READ_REPORT = Rule("read_report")  # a report: guardians and therapists; one holding team-only notes therapists only
SHARE_REPORT = Rule("share_report")  # share a report by link: guardians, never a report holding team-only notes


def row(name: str) -> Rule:
    assert name in MATRIX, name
    return Rule("row", name)


VIEW = row("view")

# url name -> (rule for GET, rule for POST). Child URLs name a row of DESIGN.md's matrix.
RULES: dict[str, tuple[Rule, Rule]] = {
    # accounts
    "accounts:signup": (PUBLIC, PUBLIC),
    "accounts:login": (PUBLIC, PUBLIC),
    "accounts:logout": (NO, PUBLIC),
    "accounts:profile": (SIGNED_IN, SIGNED_IN),
    "accounts:email_change": (SIGNED_IN, SIGNED_IN),
    "accounts:kept_forms": (SIGNED_IN, NO),
    "accounts:kept_discard": (NO, OWN_KEPT),
    "accounts:keepalive": (NO, SIGNED_IN),
    "accounts:two_factor": (SIGNED_IN, NO),
    "accounts:two_factor_setup": (SIGNED_IN, SIGNED_IN),
    "accounts:two_factor_verify": (SIGNED_IN, SIGNED_IN),
    "accounts:two_factor_codes": (SIGNED_IN, SIGNED_IN),
    "accounts:two_factor_disable": (SIGNED_IN, SIGNED_IN),
    "accounts:verify_resend": (NO, SIGNED_IN),
    # Whoever holds a link from a mail may follow it (it is signed, expiring and single-use).
    "accounts:verify_email": (PUBLIC, PUBLIC),
    "accounts:email_undo": (PUBLIC, PUBLIC),
    "accounts:delete_account": (SIGNED_IN, SIGNED_IN),
    "accounts:password_change": (SIGNED_IN, SIGNED_IN),
    "accounts:password_change_done": (SIGNED_IN, NO),
    "accounts:password_reset": (PUBLIC, PUBLIC),
    "accounts:password_reset_done": (PUBLIC, NO),
    "accounts:password_reset_confirm": (PUBLIC, PUBLIC),
    "accounts:password_reset_complete": (PUBLIC, NO),
    # tracker, about no child in particular (lists are scoped to the user: see the aggregate-leak test)
    "tracker:home": (PUBLIC, PUBLIC),
    "tracker:child_list": (SIGNED_IN, NO),
    "tracker:child_list_archived": (SIGNED_IN, NO),
    "tracker:child_create": (SIGNED_IN, SIGNED_IN),
    "tracker:changes": (SIGNED_IN, NO),
    "tracker:changes_seen": (NO, SIGNED_IN),
    "tracker:caseload": (SIGNED_IN, NO),
    # Whoever holds an invitation link may see whom it invites; accepting needs the invited account.
    "tracker:invitation_accept": (PUBLIC, PUBLIC),
    # a child's URLs
    "tracker:child_detail": (VIEW, NO),
    "tracker:child_edit": (row("edit_profile"), row("edit_profile")),
    "tracker:child_archive": (NO, row("archive_delete")),
    "tracker:child_restore": (NO, row("archive_delete")),
    "tracker:child_delete": (row("archive_delete"), row("archive_delete")),
    "tracker:team": (VIEW, row("invite")),
    "tracker:member_remove": (NO, row("manage_team")),
    "tracker:invitation_revoke": (NO, row("invite")),  # a therapist's invitation: guardians and therapists
    "tracker:checklist": (VIEW, NO),
    "tracker:custom_skill_create": (row("custom_skill"), row("custom_skill")),
    "tracker:skill_history": (VIEW, NO),
    "tracker:record": (row("record"), row("record")),
    "tracker:correct": (row("record"), row("record")),
    "tracker:withdraw": (NO, row("record")),
    "tracker:undo": (NO, row("record")),  # and only one's own tap of the last minutes (refused with a message)
    "tracker:loss_review": (NO, row("review_loss")),
    "tracker:catch_up": (row("record"), row("record")),
    "tracker:note_list": (VIEW, NO),
    "tracker:note_create": (row("write_notes"), row("write_notes")),
    "tracker:note_detail": (READ_NOTE, NO),
    "tracker:note_edit": (OWN_NOTE, OWN_NOTE),
    "tracker:note_withdraw": (NO, OWN_NOTE),
    "tracker:timeline": (VIEW, NO),
    "tracker:audit_log": (row("audit_log"), NO),
    "tracker:goal_list": (VIEW, NO),
    "tracker:goal_create": (row("goals_write"), row("goals_write")),
    "tracker:goal_detail": (VIEW, NO),
    "tracker:goal_edit": (row("goals_write"), row("goals_write")),
    "tracker:goal_review": (row("goals_write"), row("goals_write")),
    "tracker:progress_review": (VIEW, NO),
    "tracker:chart_milestones": (VIEW, NO),
    "tracker:chart_progress": (VIEW, NO),
    "tracker:chart_skill": (VIEW, NO),
    "tracker:chart_goals": (VIEW, NO),
    "tracker:export_json": (row("export"), NO),
    "tracker:export_zip": (row("export"), NO),
    # The home programme (issue 17): everyone on the team reads it; therapists set it; the family and
    # therapists log practice (and undo their own latest tap of the day).
    "tracker:programme": (VIEW, NO),
    "tracker:activity_create": (row("programme_write"), row("programme_write")),
    "tracker:activity_edit": (row("programme_write"), row("programme_write")),
    "tracker:activity_end": (NO, row("programme_write")),
    "tracker:practise": (NO, row("practice")),
    "tracker:practice_undo": (NO, row("practice")),
    "tracker:chart_adherence": (VIEW, NO),
    # The library is our own text and the viewer's own templates: anyone signed in may read it.
    "tracker:activity_templates": (SIGNED_IN, NO),
    "tracker:reminder_settings": (SIGNED_IN, SIGNED_IN),
    # The signed link in every reminder: no log-in, and it turns off one kind for one person only.
    "tracker:unsubscribe": (PUBLIC, PUBLIC),
    # Reports (issue 16): guardians and therapists read the history (team-only reports: therapists) and make
    # reports; guardians share them by link (therapists only if the family allows it: not in this world).
    "tracker:report_list": (row("reports_read"), NO),
    "tracker:report_create": (row("report_make"), row("report_make")),
    "tracker:report_pdf": (READ_REPORT, NO),
    "tracker:share_create": (NO, SHARE_REPORT),
    "tracker:share_revoke": (NO, row("share")),
    "tracker:share_consent": (NO, row("share")),
    # Whoever holds a share link (and its passcode) opens one PDF; expired and revoked links say so (410).
    "tracker:shared_report": (PUBLIC, PUBLIC),
}

# Chart images are not audited one by one: the page that embeds them records the view (tracker/views/charts.py).
AUDIT_EXEMPT = {
    "tracker:chart_milestones",
    "tracker:chart_progress",
    "tracker:chart_skill",
    "tracker:chart_goals",
    "tracker:chart_adherence",
}


def _first_to_check(child: Child, domain: Domain) -> str:
    """A skill of `domain` nobody has recorded whose window has passed: one the family can confirm."""
    skills = Skill.objects.for_child(child).filter(domain=domain).with_current_observation(child)
    age = child.effective_age_in_months(timezone.localdate())
    return next(skill.slug for skill in checklist.assess(skills, age) if skill.standing == "to_check")


def rule_for(target: Target, method: str) -> Rule:
    return RULES[target.name][0 if method == "GET" else 1]


def may_use(world: World, target: Target, method: str, actor: str) -> bool:
    """Whether the matrix lets `actor` use `target` with `method` (the request is then carried out or answered)."""
    rule = rule_for(target, method)
    user = world.users.get(actor) or world.hidden.get(actor)
    if rule.kind == "public":
        return True
    if rule.kind == "no":
        return False
    if rule.kind == "signed_in":
        return user is not None
    if rule.kind == "own_kept":
        return actor == target.fact("kept_owner")
    # A child's URL: only child A's team, and never with object ids swapped in from another child.
    if target.child_tag != "a" or target.swapped:
        return False
    role = world.role_on_a(actor)
    if role is None:
        return False
    if rule.kind == "row":
        return role in MATRIX[rule.row]
    if rule.kind in ("read_report", "share_report"):
        shown = target.fact("report")
        if rule.kind == "read_report":
            return role == T or (role == G and not shown.team_only)
        return role == G and not shown.team_only
    note = target.fact("note")
    if rule.kind == "read_note":
        return role == T or note.visibility == "family"
    if rule.kind == "own_note":
        return note.author_id == user.pk
    raise AssertionError(rule)


def who_may(world: World, target: Target, method: str) -> list[str]:
    return [actor for actor in ACTORS if may_use(world, target, method, actor)]


def response_bytes(response) -> bytes:
    """A response's bytes, whether sent whole or streamed (the exports are streamed as they are read)."""
    return b"".join(response.streaming_content) if response.streaming else response.content


def is_login_redirect(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))


DENIED_STATUSES = {403, 404, 405}


def judge(response, *, allowed: bool, anonymous: bool, public: bool = False) -> str:
    """'ok', 'leak' (2xx/3xx to someone denied), 'error' (5xx), 'wrong status' or 'over-denied'."""
    status = response.status_code
    if status >= 500:
        return "error"
    if public:
        return "ok"  # anyone may use it; what it shows is the aggregate-leak test's business
    if allowed:
        if status in DENIED_STATUSES or status == 401 or is_login_redirect(response):
            return "over-denied"
        return "ok"
    if is_login_redirect(response):
        return "ok" if anonymous else "leak"
    if status in DENIED_STATUSES:
        return "ok"
    if status < 400:
        return "leak"
    return "wrong status"


# --- A valid submission for every write (used by the audit and CSRF proofs) ----------------


HIDDEN_INPUT = re.compile(r"<input\b[^>]*>", re.I)
ATTRIBUTE = re.compile(r"""(\w+)=["']([^"']*)["']""")


def hidden_fields(html: str) -> dict[str, str]:
    """The hidden inputs of a page's forms (a note's version, a goal's fingerprint, a submission id)."""
    found = {}
    for tag in HIDDEN_INPUT.findall(html):
        attributes = dict(ATTRIBUTE.findall(tag))
        if attributes.get("type", "").lower() == "hidden" and attributes.get("name") not in (
            None,
            "csrfmiddlewaretoken",
        ):
            found[attributes["name"]] = unescape(attributes.get("value", ""))
    return found


def valid_post(world: World, target: Target, client: "ActorClient | None" = None) -> dict | None:
    """Form data that makes the POST succeed for an actor the matrix allows; None if there is no such form.

    With `client` (an actor allowed to use the form), the hidden fields of the form page are read
    first (in a rolled-back block), so version fingerprints and one-time ids are the page's own.
    """
    today = timezone.localdate()
    records = world.a
    name = target.name
    gross_motor = Domain.objects.get(slug="gross-motor")
    forms = {
        "tracker:child_create": {"given_name": "Newchild", "date_of_birth": "2025-01-02"},
        "tracker:child_edit": {
            "given_name": records.child.given_name,
            "family_name": "Changed",
            "date_of_birth": "2025-03-10",
        },
        "tracker:child_archive": {},
        "tracker:child_restore": {},
        "tracker:child_delete": {"name": records.child.given_name},
        "tracker:team": {"email": "new-therapist@example.org", "role": "therapist", "discipline": "PT"},
        "tracker:member_remove": {},
        "tracker:invitation_revoke": {},
        "tracker:record": {"status": "achieved", "observed_on": today.isoformat()},
        "tracker:correct": {"status": "not_yet", "observed_on": today.isoformat()},
        "tracker:withdraw": {"reason": "Recorded for the wrong skill"},
        "tracker:undo": {},
        "tracker:loss_review": {"note": "Talked it through with the family"},
        "tracker:catch_up": {"skills": [_first_to_check(records.child, gross_motor)]},
        "tracker:custom_skill_create": {"domain": gross_motor.pk, "name": "Climbs the frame"},
        "tracker:goal_create": {
            "domain": gross_motor.pk,
            "description": "Walks 10 m without help by spring",
            "target_date": (today + timedelta(days=60)).isoformat(),
            "weight": 1,
        },
        "tracker:goal_edit": {
            "domain": gross_motor.pk,
            "description": "Walks 20 m without help by spring",
            "target_date": (today + timedelta(days=90)).isoformat(),
            "status": "active",
            "weight": 1,
            "baseline_level": -1,
        },
        "tracker:goal_review": {"reviewed_on": today.isoformat(), "level": 1, "comment": "Better"},
        "tracker:note_withdraw": {},
        "tracker:invitation_accept": {},
        "tracker:activity_create": {
            "title": "Walks to the door",
            "instructions": "Hold both hands and walk together to the door.",
            "times_per_week": 3,
            "start_on": today.isoformat(),
        },
        "tracker:activity_edit": {
            "title": "Walks to the garden",
            "instructions": "Hold one hand and walk together to the garden.",
            "times_per_week": 4,
            "start_on": (today - timedelta(days=7)).isoformat(),
        },
        "tracker:activity_end": {},
        "tracker:practise": {"how": "easy", "comment": "Did it twice"},
        "tracker:practice_undo": {},
        "tracker:reminder_settings": {
            "checkpoint": "email",
            "goal_review": "off",
            "programme": "email",
            "whats_new": "off",
        },
        "tracker:unsubscribe": {},
        "tracker:report_create": {
            "kind": "family",
            "start": (today - timedelta(days=90)).isoformat(),
            "end": today.isoformat(),
            "paper": "a4",
        },
        "tracker:share_revoke": {},
        "tracker:share_consent": {"therapists_may_share": "on"},
    }
    if name in {"tracker:note_create", "tracker:note_edit"}:
        note = target.fact("note")
        data = {
            "kind": note.kind if note else "family_update",
            "visibility": note.visibility if note else "family",
            "session_date": today.isoformat(),
            "body": "Walked to the door today.",
            "subjective": "Walked to the door today.",
        }
        if name == "tracker:note_create":
            data["submission_id"] = "8a5e3f0e-62b5-4a33-9b7e-2c1f5d9c0a11"
        else:
            data["version"] = Note.objects.get(pk=note.pk).version
    elif name == "tracker:share_create":
        prefix = f"r{target.fact('report').pk}"
        data = {f"{prefix}-days": 14, f"{prefix}-passcode": "on", f"{prefix}-shared_with": "Dr Example"}
    elif name in forms:
        data = dict(forms[name])
    else:
        return None
    if client is not None and rule_for(target, "GET").kind != "no":
        with undone():
            page = client.request("GET", target.url)
        hidden = hidden_fields(page.content.decode("utf-8", "replace")) if page.status_code == 200 else {}
        data = {**data, **{key: value for key, value in hidden.items() if key not in data or key == "version"}}
    return data
