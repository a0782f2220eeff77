"""STAFF ADMIN: who may open /staff/ (config/staff.py), and a walk of every admin URL with a child's ids.

Staff sign in on the app's own log-in page (django-axes' lock-out) and pass the second step before any
admin page; everyone else is sent to log in. Staff are on no child's team: the walk fills every admin
URL pattern's ids with a child's and their records' ids and fails on any page that shows the child's
name or a word of their records, and on an admin URL pattern it does not know how to fill.
"""

import itertools
import re

import pytest
from django.contrib.auth import SESSION_KEY
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django_otp.plugins.otp_totp.models import TOTPDevice
from pytest_django.asserts import assertContains

from tracker import audit
from tracker.models import AuditAction, Child, Note, Observation, Skill

from ..factories import PASSWORD, ChildFactory, MembershipFactory, UserFactory, goal, note, observation, therapist

pytestmark = pytest.mark.django_db

STAFF_LOGIN = "/staff/login/"
LOGIN = reverse("accounts:login")


def _signed_in(user) -> Client:
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


# --- Who gets in ------------------------------------------------------------------------------


def test_createsuperuser_makes_a_staff_account_that_must_set_up_two_factor(monkeypatch):
    # The README's way, without make: `manage.py createsuperuser --email … --name …`.
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "a-long-staff-password-2026")
    call_command("createsuperuser", interactive=False, email="ops@clinic.example", name="Clinic IT", verbosity=0)
    client = Client()
    client.post(LOGIN, {"username": "ops@clinic.example", "password": "a-long-staff-password-2026"})
    assert client.get("/staff/")["Location"].startswith(reverse("accounts:two_factor_setup"))


def test_staff_past_the_second_step_sees_the_admin(as_staff):
    response = as_staff.get("/staff/")
    assertContains(response, "Skills tracker: staff")
    for model in ("Skills", "Sources", "Domains", "Users", "Audit events"):
        assertContains(response, model)


def test_staff_without_a_second_factor_is_sent_to_set_it_up(staff):
    response = _signed_in(staff).get("/staff/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:two_factor_setup"))


def test_staff_without_a_second_factor_is_sent_to_set_it_up_from_any_page(staff):
    response = _signed_in(staff).get(reverse("tracker:child_list"))
    assert response["Location"].startswith(reverse("accounts:two_factor_setup"))


def test_the_setup_page_tells_staff_why(staff):
    assertContains(
        _signed_in(staff).get(reverse("accounts:two_factor_setup")), "Staff accounts sign in with a second step"
    )


def test_staff_with_a_device_must_pass_the_second_step_in_this_session(staff):
    TOTPDevice.objects.create(user=staff, name="phone", confirmed=True)
    response = _signed_in(staff).get("/staff/tracker/skill/")
    assert response["Location"].startswith(reverse("accounts:two_factor_verify"))


@override_settings(REQUIRE_2FA_FOR_THERAPISTS=False)
def test_staff_need_a_second_factor_whatever_the_therapists_setting(staff):
    assert _signed_in(staff).get("/staff/")["Location"].startswith(reverse("accounts:two_factor_setup"))


@pytest.mark.parametrize("role", ["guardian", "ot", "viewer", "outsider"])
def test_a_non_staff_account_is_sent_to_the_staff_log_in_and_refused_there(role, request):
    client = _signed_in(request.getfixturevalue(role))
    response = client.get("/staff/tracker/skill/")
    assert response.status_code == 302
    assert response["Location"] == f"{STAFF_LOGIN}?next=/staff/tracker/skill/"
    refused = client.get(response["Location"])
    assert refused.status_code == 403
    assertContains(refused, "Your account is not a staff account", status_code=403)


def test_a_non_staff_account_with_a_second_factor_is_refused_too(guardian):
    TOTPDevice.objects.create(user=guardian, name="phone", confirmed=True)
    client = _signed_in(guardian)
    client.session.save()
    assert client.get("/staff/").status_code == 302


def test_anonymous_is_sent_to_the_apps_log_in_page():
    client = Client()
    response = client.get("/staff/accounts/user/")
    assert response["Location"] == f"{STAFF_LOGIN}?next=/staff/accounts/user/"
    onward = client.get(response["Location"])
    assert onward["Location"] == f"{LOGIN}?next=/staff/accounts/user/"


def test_staff_already_in_are_sent_on_from_the_staff_log_in_page(as_staff):
    assert as_staff.get(STAFF_LOGIN)["Location"] == "/staff/"


def test_the_admin_log_in_page_takes_no_password(staff):
    # Only the app's own log-in page authenticates, so django-axes' lock-out and the second step apply.
    client = Client()
    response = client.post(STAFF_LOGIN, {"username": staff.email, "password": PASSWORD})
    assert response["Location"].startswith(LOGIN)
    assert SESSION_KEY not in client.session


def test_a_locked_out_staff_account_cannot_log_in(staff, settings):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(LOGIN, {"username": staff.email, "password": "wrong-password-1"})
    response = client.post(LOGIN, {"username": staff.email, "password": PASSWORD})
    assert response.status_code == 429
    assert SESSION_KEY not in client.session


def test_a_deactivated_staff_account_loses_the_admin(as_staff, staff):
    staff.is_active = False
    staff.save(update_fields=["is_active"])
    assert as_staff.get("/staff/")["Location"] == f"{STAFF_LOGIN}?next=/staff/"


# --- The walk: every admin URL with a child's ids -----------------------------------------------

GIVEN, FAMILY = "Zebedee", "Quillfeather"
PLANTED = {
    "note": "Planted note text: Zebedee's sore knee",
    "observation": "Planted observation note: hops on one foot",
    "goal": "Planted goal: climbs the frame to the top",
    "custom skill": "Planted custom skill: rides the red trike",
    "summary": "Planted summary: achieved gm-walks-alone",
}


@pytest.fixture
def child_world():
    """A child with a name, a note, an observation, a goal and a custom skill; every id a walk can use."""
    child = ChildFactory(given_name=GIVEN, family_name=FAMILY)
    guardian = UserFactory(name="Greta Parentson", email="greta@example.org")
    MembershipFactory(child=child, user=guardian, role="guardian")
    ot = therapist(child, "OT", name="Otto Therapist", email="otto@example.org")
    written = note(child, ot, body=PLANTED["note"])
    seen = observation(child, ot)
    seen.note = PLANTED["observation"]
    seen.save(update_fields=["note"])
    aim = goal(child, ot, description=PLANTED["goal"])
    custom = Skill.objects.create(
        domain=Skill.objects.get(slug="gm-walks-alone").domain,
        slug="zebedee-own",
        name=PLANTED["custom skill"],
        child=child,
        created_by=ot,
    )
    audit.record(ot, AuditAction.CHANGED, child, seen, summary=PLANTED["summary"])
    membership = MembershipFactory(child=child, user=UserFactory(), role="viewer")
    ids = {child.pk, str(child.public_id), written.pk, seen.pk, aim.pk, custom.pk, membership.pk}
    return {"child": child, "ids": sorted(map(str, ids)), "guardian": guardian}


def staff_patterns() -> list[tuple[str, str, tuple[str, ...]]]:
    """(name, route, kwargs) of every URL pattern under /staff/, walked through the resolver."""
    found = []

    def walk(patterns, namespace: str, prefix: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, pattern.namespace or namespace, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern) and prefix.startswith("staff/"):
                name = f"{namespace}:{pattern.name}" if pattern.name else ""
                found.append((name, prefix + str(pattern.pattern), tuple(pattern.pattern.regex.groupindex)))

    walk(get_resolver().url_patterns, "", "")
    return found


# Paths the catch-all pattern is tried with: the admin URLs a child's models would have if registered.
CHILD_MODELS = ["child", "observation", "note", "goal", "careteammembership", "activity", "invitation", "skill"]


def fillings(kwarg: str, world) -> list[str]:
    """The values a walk tries for one kwarg of an admin URL; a kwarg not here fails the walk."""
    if kwarg == "object_id":
        return world["ids"]
    if kwarg == "content_type_id":
        return [str(ContentType.objects.get_for_model(model).pk) for model in (Child, Note, Observation)]
    if kwarg == "app_label":
        return ["tracker", "accounts"]
    if kwarg == "url":
        return [f"tracker/{model}/{i}/change/" for model in CHILD_MODELS for i in world["ids"][:3]]
    raise KeyError(kwarg)


def staff_urls(world) -> list[str]:
    urls = []
    for _name, route, kwargs in staff_patterns():
        for combo in itertools.product(*(fillings(kwarg, world) for kwarg in kwargs)):
            path = route
            for kwarg, value in zip(kwargs, combo, strict=True):
                path = re.sub(rf"<(?:\w+:)?{kwarg}>|\(\?P<{kwarg}>[^)]*\)", value, path)
            urls.append("/" + path.lstrip("^").rstrip("$"))
    return sorted(set(urls))


def test_every_admin_url_pattern_is_known_to_the_walk(child_world):
    unknown = [
        (name or route, kwargs)
        for name, route, kwargs in staff_patterns()
        if set(kwargs) - {"object_id", "app_label", "url", "content_type_id"}
    ]
    assert unknown == []
    assert len(staff_urls(child_world)) > 50


def test_no_admin_page_shows_a_childs_record_to_staff(as_staff, child_world, figure):
    secrets = [GIVEN, FAMILY, str(child_world["child"].date_of_birth), *PLANTED.values()]
    shown, statuses = [], {}
    for url in staff_urls(child_world):
        response = as_staff.get(url, follow=True)
        statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
        body = response.content.decode(errors="replace")
        shown += [f"{url}: {secret!r}" for secret in secrets if secret in body]
    figure(
        f"STAFF ADMIN: {sum(statuses.values())} admin URLs walked as staff with a child's ids, {len(shown)} leaks; "
        f"statuses {dict(sorted(statuses.items()))}"
    )
    assert shown == []


@pytest.mark.parametrize("who", ["anonymous", "guardian"])
def test_every_admin_url_sends_a_non_staff_visitor_to_log_in(who, child_world):
    """Anonymous ends on the app's log-in page; a signed-in non-staff account on the staff-only refusal."""
    client = Client() if who == "anonymous" else _signed_in(child_world["guardian"])
    end = (LOGIN, 200) if who == "anonymous" else (STAFF_LOGIN, 403)
    wrong = []
    for url in staff_urls(child_world):
        for method in ("get", "post"):
            response = getattr(client, method)(url, follow=True)
            landed = response.redirect_chain[-1][0] if response.redirect_chain else url
            if not (landed.startswith(end[0]) and response.status_code == end[1]):
                wrong.append(f"{method.upper()} {url}: {response.status_code} at {landed}")
    assert wrong == []
