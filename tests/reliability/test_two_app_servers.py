"""Two app servers over one PostgreSQL: a session and a cached chart work across them (docs/deployment.md).

Starts two gunicorn servers (one worker each, production settings over plain HTTP on 127.0.0.1) against
the test database, with Redis as the cache when one answers on REDIS_URL (default 127.0.0.1:6379), else
the database cache table. Logs in on server A and uses the cookie on server B; has A draw a chart and
shows B answering from the shared cache; logs out on A and shows B refusing the old cookie.

PostgreSQL only: the point is several processes, possibly on several machines, over one database; a
SQLite file is not shared across machines. Transactional: the data must be committed for the servers,
other processes, to see it. The flush after the test empties the catalogue loaded at session start, so
the `catalogue_kept` fixture loads it again afterwards.
"""

import http.client
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections.abc import Iterator
from datetime import timedelta
from http.cookies import SimpleCookie
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.core.cache.backends.db import DatabaseCache
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from django_redis.cache import RedisCache

from tracker import services
from tracker.models import Discipline, Domain, Observation, Role, Skill

from ..factories import ChildFactory, MembershipFactory, UserFactory, therapist

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
HOST = "127.0.0.1"
PASSWORD = "two-servers-password-2026"
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")


def _redis_answers() -> bool:
    parsed = urllib.parse.urlparse(REDIS_URL)
    try:
        import redis  # noqa: F401

        with socket.create_connection((parsed.hostname or HOST, parsed.port or 6379), timeout=1):
            return True
    except (ImportError, OSError):
        return False


@pytest.fixture
def catalogue_kept(django_db_blocker) -> Iterator[None]:
    """Set up before `transactional_db` and torn down after its flush: put the catalogue back."""
    yield
    with django_db_blocker.unblock():
        if not Domain.objects.exists():
            call_command("load_catalogue", verbosity=0)


@pytest.fixture
def postgresql(transactional_db) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (DATABASE_URL=postgres://…): several app servers share one database server")
    # An earlier transactional test's flush may have taken the catalogue.
    if not Domain.objects.exists():
        call_command("load_catalogue", verbosity=0)


def _database_url() -> str:
    db = settings.DATABASES["default"]  # the test database: its NAME is pytest-django's test_… database
    quote = urllib.parse.quote
    credentials = quote(db["USER"] or "") + (f":{quote(db['PASSWORD'])}" if db.get("PASSWORD") else "")
    return f"postgres://{credentials}@{db['HOST'] or HOST}:{db['PORT'] or 5432}/{db['NAME']}"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def request(port: int, method: str, path: str, *, cookies: dict | None = None, body: str = "", headers=None):
    """(status, headers, body bytes) of one request to 127.0.0.1:port."""
    headers = dict(headers or {})
    if cookies:
        headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
    if body:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    conn = http.client.HTTPConnection(HOST, port, timeout=30)
    try:
        conn.request(method, path, body=body or None, headers=headers)
        response = conn.getresponse()
        return response.status, response.headers, response.read()
    finally:
        conn.close()


def _set_cookies(headers, cookies: dict) -> dict:
    jar = SimpleCookie()
    for value in headers.get_all("Set-Cookie") or []:
        jar.load(value)
    return {**cookies, **{name: morsel.value for name, morsel in jar.items()}}


def log_in(port: int, email: str) -> dict:
    """Log in through the form, as a browser does; the session and CSRF cookies."""
    _, headers, html = request(port, "GET", "/accounts/login/")
    cookies = _set_cookies(headers, {})
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1).decode()
    form = urllib.parse.urlencode({"username": email, "password": PASSWORD, "csrfmiddlewaretoken": token})
    status, headers, _ = request(port, "POST", "/accounts/login/", cookies=cookies, body=form)
    assert status == 302, "the login form did not accept the credentials"
    return _set_cookies(headers, cookies)


class Servers:
    """Two gunicorn servers, A and B, over the test database and one shared cache."""

    def __init__(self, env: dict) -> None:
        self.env = env
        self.ports = [_free_port(), _free_port()]
        self.processes: list[subprocess.Popen] = []
        # Each server's log, shown if it dies; closed in stop().
        self.logs = [tempfile.TemporaryFile() for _ in self.ports]  # noqa: SIM115

    def start(self) -> None:
        for port, log in zip(self.ports, self.logs, strict=True):
            self.processes.append(
                subprocess.Popen(  # noqa: S603 (our own gunicorn, fixed arguments)
                    [str(BIN / "gunicorn"), "-c", "config/gunicorn.py", "config.wsgi:application"],
                    cwd=ROOT,
                    env={**self.env, "GUNICORN_BIND": f"{HOST}:{port}", "WEB_CONCURRENCY": "1"},
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            )
        deadline = time.monotonic() + 90
        for port, process, log in zip(self.ports, self.processes, self.logs, strict=True):
            while True:
                if process.poll() is not None:
                    log.seek(0)
                    raise RuntimeError(f"gunicorn on {port} exited:\n{log.read().decode(errors='replace')[-3000:]}")
                try:
                    if request(port, "GET", "/accounts/login/")[0] == 200:
                        break
                except OSError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError(f"gunicorn on {port} did not answer within 90 s")
                time.sleep(0.2)

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        for log in self.logs:
            log.close()


@pytest.fixture(scope="module")
def shared_cache(django_db_setup, django_db_blocker):
    """The cache both servers use, opened here the same way: (REDIS_URL or None, a cache object)."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (DATABASE_URL=postgres://…): several app servers share one database server")
    if _redis_answers():
        return REDIS_URL, RedisCache(REDIS_URL, {})
    with django_db_blocker.unblock():
        # Named: the tests' own CACHES is the memory cache, so the command would find no table to make.
        call_command("createcachetable", "django_cache", verbosity=0)
    return None, DatabaseCache("django_cache", {})


@pytest.fixture(scope="module")
def servers(shared_cache) -> Iterator[tuple[int, int]]:
    """Servers A and B, started once for this module's tests (each test makes its own data and logins)."""
    redis_url, _ = shared_cache
    # Production settings serve static files under hashed names; the pages need the manifest.
    static_env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "DJANGO_DEBUG": "0"}
    static_env["DJANGO_SECRET_KEY"] = "collectstatic-only-" + "x" * 40
    subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
        cwd=ROOT,
        env=static_env,
        check=True,
    )
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_", "REDIS_"))},
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),  # one key for both, as a deployment shares it
        "DJANGO_ALLOWED_HOSTS": HOST,
        # Plain HTTP on loopback: no HTTPS redirect, cookies not marked Secure.
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DJANGO_SECURE_COOKIES": "0",
        "DATABASE_URL": _database_url(),
        **({"REDIS_URL": redis_url} if redis_url else {}),
    }
    running = Servers(env)
    try:
        running.start()
        yield tuple(running.ports)
    finally:
        running.stop()


@pytest.fixture
def family(postgresql):
    """A child with a guardian who can log in (a PBKDF2 hash: the servers do not use the tests' MD5)."""
    child = ChildFactory(given_name="Amara", family_name="Twoservers")
    guardian = UserFactory(email="amara.parent@example.org", name="Ada Parent")
    guardian.password = PBKDF2PasswordHasher().encode(PASSWORD, PBKDF2PasswordHasher().salt())
    guardian.save(update_fields=["password"])
    MembershipFactory(child=child, user=guardian, role=Role.GUARDIAN)
    pt = therapist(child, Discipline.PHYSIOTHERAPY)
    for days, slug, status in [(90, "gm-sits-without-support", "achieved"), (30, "gm-walks-alone", "emerging")]:
        observation = Observation(
            child=child,
            skill=Skill.objects.get(slug=slug),
            status=status,
            observed_on=timezone.localdate() - timedelta(days=days),
        )
        services.record_observation(observation=observation, by=pt)
    return child, guardian


def test_a_session_made_on_one_server_works_on_the_other(catalogue_kept, family, servers):
    child, guardian = family
    server_a, server_b = servers
    cookies = log_in(server_a, guardian.email)
    status, _, page = request(server_b, "GET", reverse("tracker:child_detail", args=[child.public_id]), cookies=cookies)
    assert status == 200
    assert b"Amara" in page


def test_a_chart_drawn_by_one_server_is_served_from_the_shared_cache_by_the_other(
    catalogue_kept, family, shared_cache, servers
):
    child, guardian = family
    _, cache = shared_cache
    server_a, server_b = servers
    cookies = log_in(server_a, guardian.email)
    chart = reverse("tracker:chart_progress", args=[child.public_id, "gross-motor", "png"])

    status, headers_a, drawn = request(server_a, "GET", chart, cookies=cookies)
    assert status == 200 and drawn.startswith(b"\x89PNG")
    key = "chart:" + headers_a["ETag"].strip('"')
    assert cache.get(key) == drawn, "server A did not put the chart in the shared cache"

    # B knows the picture is unchanged without drawing it: same validator, 304 for the browser's copy.
    status, headers_b, _ = request(
        server_b, "GET", chart, cookies=cookies, headers={"If-None-Match": headers_a["ETag"]}
    )
    assert (status, headers_b["ETag"]) == (304, headers_a["ETag"])

    # And B's full answer comes from the cache A filled: swap the entry, and B serves the swapped bytes.
    marker = b"\x89PNG served from the shared cache"
    cache.set(key, marker, 60)
    try:
        status, _, served = request(server_b, "GET", chart, cookies=cookies)
    finally:
        cache.delete(key)
    assert (status, served) == (200, marker)


def test_logging_out_on_one_server_ends_the_session_on_the_other(catalogue_kept, family, servers):
    child, guardian = family
    server_a, server_b = servers
    cookies = log_in(server_a, guardian.email)
    form = urllib.parse.urlencode({"csrfmiddlewaretoken": cookies["csrftoken"]})
    assert request(server_a, "POST", reverse("accounts:logout"), cookies=cookies, body=form)[0] == 302
    status, headers, _ = request(
        server_b, "GET", reverse("tracker:child_detail", args=[child.public_id]), cookies=cookies
    )
    assert status == 302 and "/accounts/login/" in headers["Location"]
