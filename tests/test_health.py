"""/health/live and /health/ready: what a load balancer sees, and what a probe must never do."""

import json
from unittest import mock

import pytest
from django.contrib.sessions.models import Session
from django.db import OperationalError, connection
from django.db.migrations.recorder import MigrationRecorder

from config import health
from tracker.models import AuditEvent, Skill

READY_CHECKS = ["database", "cache", "migrations", "catalogue", "backup_disk"]


@pytest.fixture
def backups(settings, tmp_path):
    settings.BACKUP_DIR = tmp_path / "backups"
    settings.BACKUP_MIN_FREE_MB = 1
    return settings.BACKUP_DIR


def failing(response) -> list[str]:
    return [name for name, state in json.loads(response.content)["checks"].items() if state != "ok"]


def test_live_answers_without_the_database(client):
    """No django_db mark: any query would raise."""
    response = client.get("/health/live")
    assert response.status_code == 200
    assert json.loads(response.content) == {"status": "ok", "checks": {}}


@pytest.mark.django_db
def test_ready_is_200_with_every_check_ok(client, backups):
    response = client.get("/health/ready")
    assert response.status_code == 200
    assert json.loads(response.content) == {"status": "ok", "checks": dict.fromkeys(READY_CHECKS, "ok")}


@pytest.mark.django_db
def test_ready_costs_at_most_four_queries(client, backups, django_assert_max_num_queries):
    client.get("/health/ready")  # the migration graph is read from disk once per process
    with django_assert_max_num_queries(4):
        assert client.get("/health/ready").status_code == 200


@pytest.mark.django_db
def test_database_down_is_503_naming_the_database(client, backups):
    with mock.patch.object(connection, "cursor", side_effect=OperationalError("could not connect")):
        response = client.get("/health/ready")
    assert response.status_code == 503
    assert "database" in failing(response)
    assert json.loads(response.content)["status"] == "failing"


@pytest.mark.django_db
def test_cache_down_is_503_naming_the_cache(client, backups, settings):
    # Port 1 on loopback: nothing listens, the connection is refused at once.
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:1/0"}
    }
    response = client.get("/health/ready")
    assert response.status_code == 503
    assert failing(response) == ["cache"]


@pytest.mark.django_db
def test_an_unapplied_migration_is_503_naming_migrations(client, backups):
    app, name = max(node for node in health.known_migrations() if node[0] == "tracker")
    MigrationRecorder(connection).record_unapplied(app, name)
    response = client.get("/health/ready")
    assert response.status_code == 503
    assert failing(response) == ["migrations"]


@pytest.mark.django_db
def test_no_catalogue_is_503_naming_the_catalogue(client, backups):
    Skill.objects.filter(child__isnull=True).delete()
    response = client.get("/health/ready")
    assert response.status_code == 503
    assert failing(response) == ["catalogue"]


@pytest.mark.django_db
def test_backup_dir_that_cannot_be_made_is_503_naming_the_disk(client, settings, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    settings.BACKUP_DIR = blocker / "backups"
    response = client.get("/health/ready")
    assert response.status_code == 503
    assert failing(response) == ["backup_disk"]


@pytest.mark.django_db
def test_too_little_free_space_for_backups_is_503_naming_the_disk(client, backups, settings):
    settings.BACKUP_MIN_FREE_MB = 2**40  # a million terabytes
    response = client.get("/health/ready")
    assert response.status_code == 503
    assert failing(response) == ["backup_disk"]


def test_a_missing_backup_dir_that_can_be_made_is_ok(tmp_path):
    assert health.backup_dir_problem(tmp_path / "not" / "yet", 1) is None


@pytest.mark.parametrize("role", ["guardian", "ot", "viewer", "outsider", "anonymous"])
def test_every_role_gets_the_same_answer_and_no_child_data(client, login, request, role, backups, child):
    if role != "anonymous":
        login(request.getfixturevalue(role))
    response = client.get("/health/ready")
    assert response.status_code == 200
    body = response.content.decode()
    assert json.loads(body) == {"status": "ok", "checks": dict.fromkeys(READY_CHECKS, "ok")}
    for secret in (child.given_name, child.family_name, str(child.public_id), "@"):
        assert secret not in body


@pytest.mark.parametrize("path", ["/health/live", "/health/ready"])
def test_a_probe_writes_no_audit_event_touches_no_session_and_sets_no_cookie(client, login, guardian, path, backups):
    login(guardian)
    events, sessions = AuditEvent.objects.count(), list(Session.objects.values_list("session_key", "expire_date"))
    response = client.get(path)
    assert response.status_code == 200
    assert AuditEvent.objects.count() == events
    assert list(Session.objects.values_list("session_key", "expire_date")) == sessions
    assert not response.cookies
    assert "Set-Cookie" not in response.headers
    assert response["Cache-Control"] == "no-store"


@pytest.mark.django_db
def test_an_anonymous_probe_creates_no_session(client, backups):
    client.get("/health/ready")
    client.get("/health/live")
    assert Session.objects.count() == 0
    assert not client.cookies


@pytest.mark.django_db
def test_a_therapist_owing_a_second_factor_is_not_sent_to_set_it_up(client, login, ot, backups, settings):
    settings.REQUIRE_2FA_FOR_THERAPISTS = True
    login(ot)
    assert client.get("/health/ready").status_code == 200


@pytest.mark.django_db
def test_probes_by_address_over_plain_http_are_answered(client, backups, settings):
    settings.SECURE_SSL_REDIRECT = True
    response = client.get("/health/ready", HTTP_HOST="10.0.0.5:8000")
    assert response.status_code == 200


@pytest.mark.parametrize("path", ["/health/live", "/health/ready"])
def test_only_get_and_head(client, path):
    assert client.post(path).status_code == 405
    assert client.head(path.replace("ready", "live")).status_code == 200


@pytest.mark.django_db
def test_a_check_that_stays_failing_is_logged_when_it_starts_and_when_it_passes_again(
    client, backups, settings, caplog, monkeypatch
):
    monkeypatch.setattr(health, "last_reasons", {})  # what earlier probes in this process saw
    settings.BACKUP_MIN_FREE_MB = 2**40
    for _ in range(3):
        assert client.get("/health/ready").status_code == 503
    settings.BACKUP_MIN_FREE_MB = 0
    assert client.get("/health/ready").status_code == 200
    logged = [record.getMessage() for record in caplog.records if record.name == "config.health"]
    assert len(logged) == 2, logged
    assert logged[0].startswith("health check backup_disk failing: ") and "MB free" in logged[0]
    assert logged[1] == "health check backup_disk passing again"
