"""HEADERS: every kind of response carries the security headers; a child's pages are never stored.

With the production values of the HTTPS settings (HSTS for a year with subdomains and preload) and
requests made over HTTPS, every page kind — public pages, lists, every GET of the URL table (child
pages, forms, charts, exports), redirects, 400/403/404/405, a CSRF refusal and a 500 — must carry
HSTS, a Content-Security-Policy with object-src 'none', base-uri 'none' and frame-ancestors,
X-Content-Type-Options: nosniff and a Referrer-Policy. A child's HTML pages must say
Cache-Control: no-store; a child's other responses (charts, exports) must be private or no-store.

Also `check --deploy --fail-level WARNING` under the production settings (the same run as
tests/test_project.py), reported as a figure.
"""

import subprocess
import sys

import pytest
from django.db import DatabaseError
from django.test import override_settings
from django.urls import reverse

from tracker import audit

from ..test_project import ROOT, _production_env
from .support import ActorClient, build_world, rule_for, undone, url_targets, who_may

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_templates")]


HTTPS = {
    "SECURE_HSTS_SECONDS": 31_536_000,
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
    "SECURE_HSTS_PRELOAD": True,
    "SESSION_COOKIE_SECURE": True,
    "CSRF_COOKIE_SECURE": True,
}


def missing_headers(response, *, child_page: bool) -> list[str]:
    missing = []
    hsts = response.get("Strict-Transport-Security", "")
    if "max-age=31536000" not in hsts or "includeSubDomains" not in hsts:
        missing.append(f"HSTS ({hsts!r})")
    csp = response.get("Content-Security-Policy", "")
    directives = {part.split()[0]: part.split()[1:] for part in csp.split(";") if part.strip()}
    # object-src falls back to default-src (CSP Level 3): an SVG's `default-src 'none'` covers it.
    object_src = directives.get("object-src", directives.get("default-src"))
    if object_src != ["'none'"]:
        missing.append(f"CSP object-src 'none' ({csp!r})")
    if directives.get("base-uri") != ["'none'"]:
        missing.append("CSP base-uri 'none'")
    if "frame-ancestors" not in directives:
        missing.append("CSP frame-ancestors")
    if response.get("X-Content-Type-Options") != "nosniff":
        missing.append("nosniff")
    if not response.get("Referrer-Policy"):
        missing.append("Referrer-Policy")
    cache = response.get("Cache-Control", "")
    if child_page:
        html = response.get("Content-Type", "").startswith("text/html")
        if html and "no-store" not in cache:
            missing.append(f"no-store ({cache!r})")
        if not html and not ("no-store" in cache or "private" in cache) or "public" in cache:
            missing.append(f"private or no-store ({cache!r})")
    return missing


def _fails(*args, **kwargs):
    raise DatabaseError("injected")


def test_every_page_kind_carries_the_security_headers(monkeypatch, figure):
    world = build_world()
    findings, kinds = [], set()
    with override_settings(**HTTPS):
        people = {**world.users, **world.hidden}
        clients = {
            actor: ActorClient(people[actor]) for actor in ("anonymous", "guardian_a", "ot_a", "viewer_a", "guardian_b")
        }
        csrf_client = ActorClient(world.users["guardian_a"], enforce_csrf_checks=True)

        def check(kind: str, actor: str, method: str, url: str, *, child_page: bool, data=None, client=None) -> None:
            with undone():
                response = (client or clients[actor]).request(method, url, data, secure=True)
            kinds.add(f"{kind} {response.status_code}")
            for problem in missing_headers(response, child_page=child_page):
                findings.append(f"{kind} ({method} {url} as {actor}, {response.status_code}): missing {problem}")

        for target in url_targets(world):
            if rule_for(target, "GET").kind == "no":
                continue
            allowed = [actor for actor in who_may(world, target, "GET") if actor in clients]
            actor = next((a for a in allowed if a != "anonymous"), allowed[0] if allowed else "guardian_a")
            check(target.name, actor, "GET", target.url, child_page=target.child_tag is not None)
        child = world.a.child.public_id
        check("login redirect", "anonymous", "GET", reverse("tracker:child_detail", args=[child]), child_page=False)
        check(
            "404 outside the team", "guardian_b", "GET", reverse("tracker:child_detail", args=[child]), child_page=True
        )
        check(
            "403 member without the right",
            "viewer_a",
            "GET",
            reverse("tracker:audit_log", args=[child]),
            child_page=True,
        )
        check("405 wrong method", "guardian_a", "GET", reverse("tracker:child_archive", args=[child]), child_page=True)
        check(
            "400 bad period",
            "guardian_a",
            "GET",
            reverse("tracker:progress_review", args=[child]) + "?from=x",
            child_page=True,
        )
        check(
            "302 after a write",
            "guardian_a",
            "POST",
            reverse("tracker:record", args=[child, "gm-walks-alone"]),
            child_page=True,
            data={"status": "achieved"},
        )
        check(
            "403 CSRF refusal",
            "guardian_a",
            "POST",
            reverse("tracker:child_create"),
            child_page=False,
            client=csrf_client,
        )
        with monkeypatch.context() as patch:
            patch.setattr(audit, "record", _fails)
            check(
                "500 server error", "guardian_a", "GET", reverse("tracker:child_detail", args=[child]), child_page=True
            )

    figure(
        f"HEADERS: {len(kinds)} page kinds, {'all' if not findings else f'{len(findings)} NOT all'} with HSTS, "
        "CSP (object-src 'none', base-uri 'none', frame-ancestors), nosniff, Referrer-Policy; child pages no-store"
    )
    assert findings == [], "\n".join(findings)


def test_deploy_checks_are_clean_under_production_settings(figure, tmp_path):
    env = _production_env(
        DJANGO_SECRET_KEY="x7#kq9!vz2@pl5$mw8^nb3&hr6*tj4(yc1)ud0-fs_ge+ai=ox{lw}ek[qm]",
        DJANGO_ALLOWED_HOSTS="tracker.example.org",
        # A production server sends its email and has its backup directory (tracker/checks.py).
        DJANGO_EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        BACKUP_DIR=str(tmp_path),
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    clean = result.returncode == 0 and "no issues" in result.stdout
    figure(
        "CHECK --deploy --fail-level WARNING: "
        + ("clean (0 issues) under production settings" if clean else "NOT clean under production settings")
    )
    assert clean, result.stdout + result.stderr
