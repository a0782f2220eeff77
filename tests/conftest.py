"""The fixed cast every test draws on, and who may do what.

- `child`: Maya, on whose team are
  - `guardian`  (parent): sees everything shared with family, manages the team, may delete the child;
  - `ot`        (occupational therapist) and `pt` (physiotherapist): record, write any note, invite therapists;
  - `viewer`    (e.g. a grandparent): read only.
- `outsider`: a parent with their own child (`outsider_child`), on no team of Maya's: gets 404 everywhere.
- anonymous: the test client without login: sent to the login page.
- `staff`: Sam, who runs the service (the staff admin at /staff/, `as_staff`): on no team, sees no child's record.
"""

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from config.cache import drawn
from tracker import page_cache
from tracker.models import CacheGeneration, Discipline, Role

from .factories import ChildFactory, MembershipFactory, UserFactory, therapist


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load the reference catalogue once, as `make run` does."""
    with django_db_blocker.unblock():
        call_command("load_catalogue", verbosity=0)


@pytest.fixture
def child(db):
    return ChildFactory(given_name="Maya", family_name="Example")


@pytest.fixture
def guardian(child):
    user = UserFactory(name="Gina Guardian", email="guardian@example.org", profession="parent")
    MembershipFactory(child=child, user=user, role=Role.GUARDIAN)
    return user


@pytest.fixture
def ot(child):
    return therapist(child, Discipline.OCCUPATIONAL_THERAPY, name="Olga OT", email="ot@example.org")


@pytest.fixture
def pt(child):
    return therapist(child, Discipline.PHYSIOTHERAPY, name="Paul PT", email="pt@example.org")


@pytest.fixture
def viewer(child):
    user = UserFactory(name="Vera Viewer", email="viewer@example.org", profession="other")
    MembershipFactory(child=child, user=user, role=Role.VIEWER)
    return user


@pytest.fixture
def outsider_child(db):
    return ChildFactory(given_name="Otto", family_name="Elsewhere")


@pytest.fixture
def outsider(outsider_child):
    user = UserFactory(name="Oscar Outsider", email="outsider@example.org", profession="parent")
    MembershipFactory(child=outsider_child, user=user, role=Role.GUARDIAN)
    return user


@pytest.fixture
def team(guardian, ot, pt, viewer):
    """The whole cast on Maya's team."""
    return {"guardian": guardian, "ot": ot, "pt": pt, "viewer": viewer}


@pytest.fixture
def login(client):
    """Log the test client in as someone: `login(guardian)`."""

    def _login(user):
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        return client

    return _login


@pytest.fixture
def staff(db):
    """Sam runs the service: a staff account (as `createsuperuser` makes), on no child's team."""
    return UserFactory(
        name="Sam Staff", email="staff@example.org", profession="other", is_staff=True, is_superuser=True
    )


@pytest.fixture
def as_staff(client, staff):
    """The client signed in as Sam, past the second step with a code from Sam's authenticator app."""
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.create(user=staff, name="phone", confirmed=True)
    client.force_login(staff, backend="django.contrib.auth.backends.ModelBackend")
    code = f"{totp(device.bin_key, step=30, t0=0, digits=6, drift=0):06d}"
    assert client.post(reverse("accounts:two_factor_verify"), {"code": code}).status_code == 302
    return client


# --- Figures: the proof tests' one-line results, printed at the end of the run ----------

_FIGURES: list[str] = []


@pytest.fixture
def figure():
    """Report one figure line, e.g. `figure("ACCESS MATRIX: 1040 tries, 0 leaks")`; printed under "Figures"."""

    def _figure(line: str) -> None:
        _FIGURES.append(line)

    return _figure


def pytest_sessionfinish(session, exitstatus):
    # Under pytest-xdist each worker hands its figures to the controller, which prints them all.
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:
        workeroutput["figures"] = list(_FIGURES)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error):
    _FIGURES.extend(getattr(node, "workeroutput", {}).get("figures", []))


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if _FIGURES:
        terminalreporter.section("Figures")
        for line in sorted(_FIGURES):
            terminalreporter.write_line(line)


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: pages and charts cached by one test never meet another's rows.

    As in a running deployment, the shared cache holds the copy of the page-cache generation
    (tracker/page_cache.py): no restore has happened, so it is the initial one.
    """
    cache.clear()
    drawn.clear()
    cache.set(page_cache.GENERATION_KEY, CacheGeneration.INITIAL, None)


@pytest.fixture(autouse=True)
def _audit_rows_may_be_flushed(request):
    """Let the flush after a transactional test empty the audit table.

    The audit table refuses DELETE in the database unless a purge permit exists (migration
    tracker/0012). PostgreSQL's flush is a TRUNCATE, which row triggers do not see; SQLite's is a
    DELETE per table. Before the flush, a permit is written; the permit table is not a model, so the
    flush leaves it, and the trigger test removes it before it tries anything.
    """
    marker = request.node.get_closest_marker("django_db")
    transactional = (marker is not None and marker.kwargs.get("transaction")) or "live_server" in request.fixturenames
    if not transactional:
        yield
        return
    request.getfixturevalue("transactional_db")  # set up first, so this is torn down before its flush
    yield
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO tracker_audit_purge_permit (reason) VALUES ('test database flush')")
