"""The permission matrix, walked over every URL that takes a child id.

Each named URL with a `child_id` must have an entry in EXPECTED, or the
sweep fails: a new child URL cannot ship without deciding who may use it.
Statuses are for an empty POST body: an allowed role reaching a form gets it
back with errors (200); a redirect (302) means the action was carried out.
"""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tracker.models import Role
from tracker.reports import services as report_services

from ..factories import activity, goal, invitation, note, observation, report

ROLES = ["guardian", "therapist", "viewer", "outsider", "anonymous"]


def _row(get: dict[str, int], post: dict[str, int]) -> dict[str, dict[str, int]]:
    return {"GET": get, "POST": post}


def _same(status: int) -> dict[str, int]:
    return dict.fromkeys(["guardian", "therapist", "viewer"], status)


_POST_ONLY = _same(405)

# role -> status for members; outsiders always get 404 and anonymous users a login redirect.
EXPECTED = {
    "child_detail": _row(get=_same(200), post=_same(405)),
    "child_edit": _row(
        get={"guardian": 200, "therapist": 200, "viewer": 403},
        post={"guardian": 200, "therapist": 200, "viewer": 403},
    ),
    "child_archive": _row(get=_POST_ONLY, post={"guardian": 302, "therapist": 403, "viewer": 403}),
    "child_restore": _row(get=_POST_ONLY, post={"guardian": 302, "therapist": 403, "viewer": 403}),
    "child_delete": _row(
        get={"guardian": 200, "therapist": 403, "viewer": 403},
        post={"guardian": 200, "therapist": 403, "viewer": 403},
    ),
    "team": _row(get=_same(200), post={"guardian": 200, "therapist": 200, "viewer": 403}),
    "member_remove": _row(get=_POST_ONLY, post={"guardian": 302, "therapist": 403, "viewer": 403}),
    "invitation_revoke": _row(get=_POST_ONLY, post={"guardian": 302, "therapist": 302, "viewer": 403}),
    "checklist": _row(get=_same(200), post=_same(405)),
    "skill_history": _row(get=_same(200), post=_same(405)),
    "record": _row(
        get={"guardian": 200, "therapist": 200, "viewer": 403},
        post={"guardian": 200, "therapist": 200, "viewer": 403},
    ),
    "correct": _row(
        get={"guardian": 200, "therapist": 200, "viewer": 403},
        post={"guardian": 200, "therapist": 200, "viewer": 403},
    ),
    "withdraw": _row(get=_POST_ONLY, post={"guardian": 400, "therapist": 400, "viewer": 403}),
    # The observation is the guardian's, just recorded: they undo it; a therapist is told it is not theirs.
    "undo": _row(get=_POST_ONLY, post={"guardian": 302, "therapist": 302, "viewer": 403}),
    # Only a therapist marks a skill that is no longer seen as reviewed (here none is: a message, back to the page).
    "loss_review": _row(get=_POST_ONLY, post={"guardian": 403, "therapist": 302, "viewer": 403}),
    # Confirming earlier skills records observations: guardians and therapists (an empty form comes back).
    "catch_up": _row(
        get={"guardian": 200, "therapist": 200, "viewer": 403},
        post={"guardian": 200, "therapist": 200, "viewer": 403},
    ),
    "note_list": _row(get=_same(200), post=_same(405)),
    "note_create": _row(
        get={"guardian": 200, "therapist": 200, "viewer": 403},
        post={"guardian": 200, "therapist": 200, "viewer": 403},
    ),
    # The note is the therapist's own, shared with the family.
    "note_detail": _row(get=_same(200), post=_same(405)),
    "note_edit": _row(
        get={"guardian": 403, "therapist": 200, "viewer": 403},
        post={"guardian": 403, "therapist": 200, "viewer": 403},
    ),
    "note_withdraw": _row(get=_POST_ONLY, post={"guardian": 403, "therapist": 302, "viewer": 403}),
    "timeline": _row(get=_same(200), post=_same(405)),
    "audit_log": _row(get={"guardian": 200, "therapist": 200, "viewer": 403}, post=_same(405)),
    # The data export: guardians and therapists take everything they may read away; viewers may not.
    "export_json": _row(get={"guardian": 200, "therapist": 200, "viewer": 403}, post=_same(405)),
    "export_zip": _row(get={"guardian": 200, "therapist": 200, "viewer": 403}, post=_same(405)),
    "custom_skill_create": _row(
        get={"guardian": 403, "therapist": 200, "viewer": 403},
        post={"guardian": 403, "therapist": 200, "viewer": 403},
    ),
    # Goals and charts: everyone on the team reads goals and charts; only therapists set and review goals.
    "goal_list": _row(get=_same(200), post=_same(405)),
    "goal_detail": _row(get=_same(200), post=_same(405)),
    "goal_create": _row(
        get={"guardian": 403, "therapist": 200, "viewer": 403},
        post={"guardian": 403, "therapist": 200, "viewer": 403},
    ),
    "goal_edit": _row(
        get={"guardian": 403, "therapist": 200, "viewer": 403},
        post={"guardian": 403, "therapist": 200, "viewer": 403},
    ),
    "goal_review": _row(
        get={"guardian": 403, "therapist": 200, "viewer": 403},
        post={"guardian": 403, "therapist": 200, "viewer": 403},
    ),
    "progress_review": _row(get=_same(200), post=_same(405)),
    "chart_milestones": _row(get=_same(200), post=_same(405)),
    "chart_progress": _row(get=_same(200), post=_same(405)),
    "chart_skill": _row(get=_same(200), post=_same(405)),
    "chart_goals": _row(get=_same(200), post=_same(405)),
    # The home programme: everyone reads it; therapists set it; guardians and therapists log practice and undo
    # their own latest tap (with none to undo: a message, back to the week).
    "programme": _row(get=_same(200), post=_same(405)),
    "activity_create": _row(
        get={"guardian": 403, "therapist": 200, "viewer": 403},
        post={"guardian": 403, "therapist": 200, "viewer": 403},
    ),
    "activity_edit": _row(
        get={"guardian": 403, "therapist": 200, "viewer": 403},
        post={"guardian": 403, "therapist": 200, "viewer": 403},
    ),
    "activity_end": _row(get=_POST_ONLY, post={"guardian": 403, "therapist": 302, "viewer": 403}),
    "practise": _row(get=_POST_ONLY, post={"guardian": 302, "therapist": 302, "viewer": 403}),
    "practice_undo": _row(get=_POST_ONLY, post={"guardian": 302, "therapist": 302, "viewer": 403}),
    "chart_adherence": _row(get=_same(200), post=_same(405)),
    # Reports (issue 16): guardians and therapists read and make them (an empty form comes back, 400); only the
    # family shares a report by link, revokes any link and lets therapists share (here they may not).
    "report_list": _row(get={"guardian": 200, "therapist": 200, "viewer": 403}, post=_same(405)),
    "report_create": _row(
        get={"guardian": 200, "therapist": 200, "viewer": 403},
        post={"guardian": 200, "therapist": 200, "viewer": 403},
    ),
    "report_pdf": _row(get={"guardian": 200, "therapist": 200, "viewer": 403}, post=_same(405)),
    "share_create": _row(get=_POST_ONLY, post={"guardian": 400, "therapist": 403, "viewer": 403}),
    "share_revoke": _row(get=_POST_ONLY, post={"guardian": 302, "therapist": 403, "viewer": 403}),
    "share_consent": _row(get=_POST_ONLY, post={"guardian": 302, "therapist": 403, "viewer": 403}),
}


def _child_url_names() -> set[str]:
    names = set()

    def walk(patterns, namespace=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, pattern.namespace or namespace)
            elif isinstance(pattern, URLPattern) and "child_id" in pattern.pattern.regex.groupindex:
                names.add(f"{namespace}:{pattern.name}")

    walk(get_resolver().url_patterns)
    return names


def test_every_child_url_has_an_expectation():
    untested = {name for name in _child_url_names() if name.removeprefix("tracker:") not in EXPECTED}
    assert untested == set(), f"Add these child URLs to EXPECTED: {sorted(untested)}"


def test_expectations_name_only_real_urls():
    assert {f"tracker:{name}" for name in EXPECTED} <= _child_url_names()


@pytest.fixture
def actors(team, outsider):
    return {
        "guardian": team["guardian"],
        "therapist": team["pt"],
        "viewer": team["viewer"],
        "outsider": outsider,
        "anonymous": None,
    }


def _kwargs(name, child, team):
    kwargs = {"child_id": child.public_id}
    if name == "member_remove":
        kwargs["membership_id"] = child.care_team.get(user=team["ot"]).pk
    if name == "invitation_revoke":
        kwargs["invitation_id"] = invitation(child, role=Role.THERAPIST)[0].pk
    if name in {"checklist", "catch_up"}:
        kwargs["domain_slug"] = "gross-motor"
    if name in {"skill_history", "record", "loss_review"}:
        kwargs["skill_slug"] = "gm-walks-alone"
    if name.startswith("note_") and name not in {"note_list", "note_create"}:
        kwargs["note_id"] = note(child, team["pt"], visibility="family").pk
    if name in {"correct", "withdraw", "undo"}:
        kwargs["observation_id"] = observation(child, team["guardian"]).pk
    if name in {"goal_detail", "goal_edit", "goal_review"}:
        kwargs["goal_id"] = goal(child, team["pt"]).pk
    if name.startswith("chart_"):
        kwargs["fmt"] = "png"
    if name in {"chart_milestones", "chart_progress"}:
        kwargs["domain_slug"] = "gross-motor"
    if name == "chart_skill":
        kwargs["skill_slug"] = "gm-walks-alone"
    if name in {"activity_edit", "activity_end", "practise", "practice_undo"}:
        kwargs["activity_id"] = activity(child, team["ot"]).pk
    if name in {"report_pdf", "share_create"}:
        kwargs["report_id"] = report(child, team["guardian"]).pk
    if name == "share_revoke":
        shared = report(child, team["guardian"])
        kwargs["share_id"] = report_services.share_report(
            report=shared, by=team["guardian"], days=14, with_passcode=False
        )[0].pk
    return kwargs


CASES = [(name, method, role) for name in EXPECTED for method in ("GET", "POST") for role in ROLES]


@pytest.mark.parametrize(("name", "method", "role"), CASES, ids=["-".join(case) for case in CASES])
def test_access(client, child, team, actors, name, method, role):
    url = reverse(f"tracker:{name}", kwargs=_kwargs(name, child, team))
    if actors[role] is not None:
        client.force_login(actors[role], backend="django.contrib.auth.backends.ModelBackend")
    response = client.get(url) if method == "GET" else client.post(url, {})
    if role == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))
    elif role == "outsider":
        # A wrong method is refused before any lookup, so 405 reveals nothing either.
        assert response.status_code == (405 if EXPECTED[name][method]["guardian"] == 405 else 404)
    else:
        assert response.status_code == EXPECTED[name][method][role]


def test_unknown_child_id_is_404_for_a_member(login, guardian):
    import uuid

    response = login(guardian).get(reverse("tracker:child_detail", args=[uuid.uuid4()]))
    assert response.status_code == 404


def test_integer_key_is_not_a_public_url(login, guardian, child):
    response = login(guardian).get(f"/children/{child.pk}/")
    assert response.status_code == 404
