"""FUZZ: Hypothesis posts random input to every form view; no response is a server error.

Each form field gets, at random, a plausible value or junk: any text (NUL and other control
characters included), numbers out of range, malformed and impossible dates, empty values, strings
just over each length limit and of 60,000 characters, and choice values outside the scale. The GET
filters (timeline, notes search, progress review, charts, caseload) get the same treatment. A write
that succeeds is followed by the pages that draw what it stored (checklist, skill chart, milestones,
goals chart), and a fixed set of awkward texts (TeX-like dollars, format and template syntax, bidi
overrides, emoji) is put where the charts draw it, so text that reaches matplotlib is fuzzed too.
Bounded: MAX_EXAMPLES per view, no deadline, derandomized so CI runs are repeatable; on whichever
database the suite runs on (CI runs it on SQLite and on PostgreSQL).
"""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tracker.models import Domain, Goal, Skill

from .support import build_world, clients_for, hidden_fields, undone

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("fast_templates"),
    # Emoji have no glyph in the chart font: drawn as boxes, warned about, not an error.
    pytest.mark.filterwarnings("ignore:Glyph .* missing from font"),
]


MAX_EXAMPLES = 25

JUNK = st.one_of(
    st.just(""),
    st.text(max_size=40),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=1, max_size=300),
    # Just over the limits (withdrawal reason, observation note, password, note section) and far over.
    st.sampled_from([201, 2_001, 4_097, 20_001, 60_000]).map(lambda n: "x" * n),
    st.integers().map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.dates().map(str),
    st.sampled_from(
        ["2026-02-30", "0000-00-00", "9999-12-31", "1900-01-01", "31/12/2025", "\x00", "a\x00b", "-1", "1e309"]
    ),
    st.sampled_from(["$\\frac$", "$x^$", "$$", "\\", "%s%d", "{{x}}", "{% now %}", "\u202e", "\ufeff", "👶" * 50]),
)


def field(*plausible) -> st.SearchStrategy:
    """A field's value: one of its plausible values or junk."""
    return st.one_of(st.sampled_from([str(value) for value in plausible]), JUNK) if plausible else JUNK


def fuzz_views(world, clients) -> list[tuple[str, str, str, dict]]:
    """(actor, method, url, {field: strategy}) for every form view and filter."""
    a = world.a
    child = a.child.public_id
    today = timezone.localdate()
    dates = [today.isoformat(), (today - timedelta(days=30)).isoformat(), "2025-03-10"]
    later = [(today + timedelta(days=60)).isoformat(), *dates]
    domain = Domain.objects.get(slug="gross-motor").pk
    note = a.notes["family_general_by_ot"]
    goal = Goal.objects.get(pk=a.goal.pk)
    goal_page = clients["ot_a"].request("GET", reverse("tracker:goal_edit", args=[child, goal.pk]))
    goal_version = hidden_fields(goal_page.content.decode()).get("version", "")
    text = field("Walked to the door", "")
    levels = {f"level_{n}": text for n in ("minus_2", "minus_1", "0", "plus_1", "plus_2")}
    note_fields = {
        "kind": field("session", "general", "family_update", "letter"),
        "visibility": field("team", "family", "world"),
        "session_date": field(*dates),
        "body": text,
        "subjective": text,
        "objective": text,
        "assessment": text,
        "plan": text,
        "skills": field(a.custom_skill.pk, 1, 999999),
        "goals": field(a.goal.pk, world.b.goal.pk),
    }
    observation = {
        "status": field("not_yet", "emerging", "achieved", "mastered"),
        "observed_on": field(*dates),
        "assistance": field("independent", "dependent", "telekinesis"),
        "note": text,
    }
    period = {"from": field(*dates), "to": field(*dates)}
    url = reverse
    return [
        (
            "anonymous",
            "POST",
            url("accounts:signup"),
            {
                "email": field("new-person@example.org", "not-an-email"),
                "name": text,
                "profession": field("parent", "ot", "pt", "wizard"),
                "password1": field("a-long-test-password-123"),
                "password2": field("a-long-test-password-123"),
            },
        ),
        ("anonymous", "POST", url("accounts:login"), {"username": field("guardian-a@example.org"), "password": JUNK}),
        (
            "guardian_a",
            "POST",
            url("accounts:profile"),
            {
                "name": text,
                "email": field("guardian-a@example.org"),
                "profession": field("parent", "pt", "wizard"),
            },
        ),
        (
            "guardian_a",
            "POST",
            url("accounts:password_change"),
            {
                "old_password": field("a-long-test-password-123"),
                "new_password1": JUNK,
                "new_password2": JUNK,
            },
        ),
        ("guardian_a", "POST", url("accounts:delete_account"), {"password": JUNK}),
        (
            "guardian_a",
            "POST",
            url("tracker:child_create"),
            {
                "given_name": text,
                "family_name": text,
                "date_of_birth": field(*dates),
                "gestational_age": field("23+6", "30+2", "42+6", "43+0", "36+7", "abc", ""),
            },
        ),
        (
            "guardian_a",
            "POST",
            url("tracker:child_edit", args=[child]),
            {
                "given_name": text,
                "family_name": text,
                "date_of_birth": field(*dates),
                "gestational_age": field("23+6", "30+2", "42+6", "43+0", "36+7", "abc", ""),
            },
        ),
        ("guardian_a", "POST", url("tracker:child_delete", args=[child]), {"name": field(a.child.given_name)}),
        (
            "guardian_a",
            "POST",
            url("tracker:team", args=[child]),
            {
                "email": field("someone@example.org", "ot-a@example.org"),
                "role": field("therapist", "viewer", "guardian", "owner"),
                "discipline": field("OT", "PT", "other", "XX", ""),
            },
        ),
        ("ot_a", "POST", url("tracker:record", args=[child, "gm-walks-alone"]), observation),
        ("ot_a", "POST", url("tracker:record", args=[child, a.custom_skill.slug]), observation),
        ("ot_a", "POST", url("tracker:correct", args=[child, a.observation.pk]), observation),
        ("ot_a", "POST", url("tracker:withdraw", args=[child, a.observation.pk]), {"reason": text}),
        (
            "ot_a",
            "POST",
            url("tracker:custom_skill_create", args=[child]),
            {
                "domain": field(domain, 0, 999),
                "name": text,
                "description": text,
                "window_start_months": field(0, 12, -5, 1000, "12.55"),
                "window_end_months": field(18, 216, 217, 12),
                "source": text,
            },
        ),
        (
            "ot_a",
            "POST",
            url("tracker:note_create", args=[child]),
            {
                **note_fields,
                "submission_id": field("8a5e3f0e-62b5-4a33-9b7e-2c1f5d9c0a11", "not-a-uuid"),
            },
        ),
        (
            "ot_a",
            "POST",
            url("tracker:note_edit", args=[child, note.pk]),
            {**note_fields, "version": field(1, 2, 0, -1)},
        ),
        (
            "ot_a",
            "POST",
            url("tracker:goal_create", args=[child]),
            {
                "domain": field(domain, 999),
                "skill": field(a.custom_skill.pk, world.b.custom_skill.pk),
                "description": text,
                "target_date": field(*later),
                "weight": field(1, 10, 0, 11),
                "baseline_level": field(-2, 0, 2, 3, -3),
                **levels,
            },
        ),
        (
            "ot_a",
            "POST",
            url("tracker:goal_edit", args=[child, goal.pk]),
            {
                "domain": field(domain, 999),
                "description": text,
                "target_date": field(*later),
                "status": field("active", "achieved", "discontinued", "forgotten"),
                "weight": field(1, 10, 0, 11),
                "baseline_level": field(-2, 0, 2, 3),
                "version": field(goal_version, "0" * 32, "yesterday"),
                **levels,
            },
        ),
        (
            "ot_a",
            "POST",
            url("tracker:goal_review", args=[child, goal.pk]),
            {
                "reviewed_on": field(*dates),
                "level": field(-2, 0, 2, 3, -3),
                "comment": text,
            },
        ),
        (
            "ot_a",
            "GET",
            url("tracker:timeline", args=[child]),
            {
                "voice": field("OT", "PT", "family", "cat"),
                "kind": field("session", "observation", "goal_review", "team", "nothing"),
                "date_from": field(*dates),
                "date_to": field(*dates),
                "page": field(1, 2, 0, -1, "last"),
            },
        ),
        ("ot_a", "GET", url("tracker:note_list", args=[child]), {"q": text, "page": field(1, 99, "last")}),
        (
            "ot_a",
            "GET",
            url("tracker:note_create", args=[child]),
            {"skill": field("gm-walks-alone", a.custom_skill.slug)},
        ),
        ("ot_a", "GET", url("tracker:progress_review", args=[child]), period),
        ("ot_a", "GET", url("tracker:chart_progress", args=[child, "gross-motor", "svg"]), period),
        (
            "ot_a",
            "GET",
            url("tracker:chart_milestones", args=[child, "gross-motor", "svg"]),
            {**period, "all": field(1, 0)},
        ),
        ("ot_a", "GET", url("tracker:caseload"), {"sort": field("overdue", "name", "x"), "page": field(1, 2, "x")}),
        ("guardian_a", "GET", url("tracker:child_list"), {"page": field(1, 2, "x", -1)}),
    ]


FOLLOW_UPS_PER_VIEW = 3  # charts are drawn once per change: a few successes per view are enough

# Text that has broken chart libraries and templates elsewhere: TeX-like dollars (matplotlib's
# mathtext), format and template syntax, bidi overrides, wide emoji, and the longest names allowed.
AWKWARD = [
    "$x^$",
    "$\\frac$",
    "Uses $5 and $10 coins",
    "%s %d %(name)s {0} {{ x }} {% now %}",
    "\u202eright-to-left override",
    "👶🏽" * 30,
    "W" * 120,
]


def _follow_ups(world, url: str) -> list[str]:
    """The pages that draw what a successful write stored."""
    child = world.a.child.public_id
    if "/skills/new/" in url:
        newest = Skill.objects.filter(child=world.a.child).order_by("-pk").first()
        return [
            reverse("tracker:checklist", args=[child, newest.domain.slug]),
            reverse("tracker:chart_skill", args=[child, newest.slug, "svg"]),
            reverse("tracker:chart_milestones", args=[child, newest.domain.slug, "svg"]),
        ]
    if "/goals/" in url:
        return [reverse("tracker:goal_list", args=[child]), reverse("tracker:chart_goals", args=[child, "svg"])]
    return []


def _awkward_writes(world) -> list[tuple[str, dict]]:
    """(url, form) posts that put AWKWARD text where the charts draw it."""
    child = world.a.child.public_id
    today = timezone.localdate()
    domain = Domain.objects.get(slug="gross-motor").pk
    posts = []
    for text in AWKWARD:
        posts.append((reverse("tracker:custom_skill_create", args=[child]), {"domain": domain, "name": text[:120]}))
        goal = {"domain": domain, "description": text, "target_date": (today + timedelta(days=30)).isoformat()}
        posts.append((reverse("tracker:goal_create", args=[child]), {**goal, "weight": 1, "level_0": text}))
    return posts


def test_no_form_input_causes_a_server_error(figure):
    world = build_world()
    clients = clients_for(world, ["anonymous", "guardian_a", "ot_a"])
    errors: list[str] = []
    examples = 0
    followed: dict[str, int] = {}

    def submit(actor: str, method: str, url: str, data: dict) -> None:
        nonlocal examples
        examples += 1
        client = clients[actor]
        with undone():
            response = client.request(method, url, data)
            responses = [(f"{method} {url}", response)]
            if method == "POST" and response.status_code == 302 and followed.get(url, 0) < FOLLOW_UPS_PER_VIEW:
                followed[url] = followed.get(url, 0) + 1
                responses += [(f"GET {page} after it", client.request("GET", page)) for page in _follow_ups(world, url)]
        for where, answer in responses:
            if answer.status_code >= 500:
                error = answer.exc_info[1] if getattr(answer, "exc_info", None) else None
                errors.append(f"{where}: {answer.status_code} {error!r} with {_short(data)}")

    def fuzzer(actor: str, method: str, url: str, fields: dict):
        @settings(
            max_examples=MAX_EXAMPLES,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
        @given(data=st.fixed_dictionaries(fields))
        def fuzz(data):
            submit(actor, method, url, data)

        return fuzz

    with undone():
        views = fuzz_views(world, clients)
    for actor, method, url, fields in views:
        fuzzer(actor, method, url, fields)()
    for url, data in _awkward_writes(world):
        followed.pop(url, None)
        submit("ot_a", "POST", url, data)

    figure(
        f"FUZZ: {examples} examples, {len(errors)} responses >= 500 "
        f"({len(views)} form views and filters at random, {len(AWKWARD)} awkward texts drawn in charts)"
    )
    assert errors == [], "\n".join(errors[:20])


def _short(data: dict) -> dict:
    return {key: (v[:60] + f"…({len(v)})" if len(v := str(value)) > 60 else value) for key, value in data.items()}
