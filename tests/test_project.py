"""Project-wide guarantees: migrations are complete, production settings pass Django's deploy checks."""

import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

ROOT = Path(__file__).resolve().parent.parent


def _production_env(**overrides: str) -> dict[str, str]:
    """The process environment without the test settings' DJANGO_* relaxations."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")}
    env["DJANGO_SETTINGS_MODULE"] = "config.settings"
    env.update(overrides)
    return env


@pytest.mark.django_db
def test_no_pending_migrations():
    out = StringIO()
    try:
        call_command("makemigrations", "--check", "--dry-run", stdout=out, stderr=out)
    except SystemExit:
        pytest.fail(f"Models changed without a migration:\n{out.getvalue()}")


PRODUCTION = {
    "DJANGO_SECRET_KEY": "x7#kq9!vz2@pl5$mw8^nb3&hr6*tj4(yc1)ud0-fs_ge+ai=ox{lw}ek[qm]",
    "DJANGO_ALLOWED_HOSTS": "tracker.example.org",
    # A production server sends its email and has its backup directory (tracker/checks.py).
    "DJANGO_EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
}


def _deploy_check(**env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=_production_env(**env),
        capture_output=True,
        text=True,
        check=False,
    )


def test_deploy_checks_pass_under_production_settings(tmp_path):
    """`check --deploy` with the settings a real server runs with: no warning at all."""
    result = _deploy_check(**PRODUCTION, BACKUP_DIR=str(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_deploy_checks_report_console_email_and_a_missing_backup_dir(tmp_path):
    result = _deploy_check(
        **PRODUCTION | {"DJANGO_EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"},
        BACKUP_DIR=str(tmp_path / "not-mounted"),
    )
    assert result.returncode != 0
    assert "tracker.W003" in result.stderr
    assert "tracker.W005" in result.stderr


def test_the_server_refuses_to_start_without_a_secret_key():
    """gunicorn loads config.wsgi: with no configuration at all it must not start."""
    result = subprocess.run(
        [sys.executable, "-c", "import config.wsgi"],
        cwd=ROOT,
        env=_production_env(),
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_manage_py_with_debug_off_refuses_to_run_without_a_secret_key():
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=_production_env(DJANGO_DEBUG="0"),
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_plain_makemigrations_check_works_on_a_fresh_checkout(tmp_path):
    """With no configuration, manage.py is a developer's tool and runs in development mode."""
    env = _production_env(DATABASE_URL=f"sqlite:///{tmp_path / 'fresh.sqlite3'}")
    result = subprocess.run(
        [sys.executable, "manage.py", "makemigrations", "--check", "--dry-run"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No changes detected" in result.stdout


def test_nonsense_boolean_setting_is_refused():
    env = _production_env(DJANGO_DEBUG="yes please")
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    assert "DJANGO_DEBUG must be one of" in result.stderr


def test_views_never_look_up_children_unscoped():
    """Every child lookup in a view goes through tracker/permissions.py (Zulip's lint rule)."""
    offenders = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "tracker" / "views").glob("*.py")
        if "Child.objects.get(" in path.read_text() or "get_object_or_404(Child" in path.read_text()
    ]
    assert offenders == []


def test_security_headers_on_a_page(client):
    response = client.get("/accounts/login/")
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "object-src 'none'" in csp
    assert "base-uri 'none'" in csp
    assert "frame-ancestors 'none'" in csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
