"""Logs: one line per request with its id, and no child's name, note text or email in any log output.

The planted test puts a child's name, a note's text and an email address in every field a request
or a log call can carry, then greps everything that was logged: pytest's caplog (every record, as
any handler would receive it) and the project's own handler in text and in JSON.
"""

import ast
import io
import json
import logging
import re
from pathlib import Path

import pytest
from django.urls import path, reverse

from config import logs
from config.urls import urlpatterns as project_urls
from tests.factories import ChildFactory, MembershipFactory, UserFactory
from tracker.models import Note, Role

GIVEN, FAMILY = "Zebedee", "Quillfeather"
NOTE = "Toileting accident at nursery today"
EMAIL = "zeb.parent@example.net"
PLANTED = [GIVEN, FAMILY, GIVEN.lower(), "Toileting accident", EMAIL, "zeb.parent", "zeb.parent%40example.net"]


def explode(request, child_id):
    """A view failing with the planted values in its message, chained to another that has them too."""
    try:
        raise KeyError(f"{GIVEN} {FAMILY} <{EMAIL}>")
    except KeyError as error:
        raise ValueError(f"could not save {NOTE!r} for {GIVEN} {FAMILY}, {EMAIL}") from error


urlpatterns = [path("explode/<uuid:child_id>/", explode), *project_urls]


@pytest.fixture
def handlers():
    """The project's handler set-up (scrub filter, text and JSON formatters), writing to memory."""
    outputs = {}
    root = logging.getLogger()
    added = []
    for name, formatter in (("text", logs.TextFormatter()), ("json", logs.JsonFormatter())):
        outputs[name] = io.StringIO()
        handler = logging.StreamHandler(outputs[name])
        handler.addFilter(logs.ScrubFilter())
        handler.setFormatter(formatter)
        root.addHandler(handler)
        added.append(handler)
    yield outputs
    for handler in added:
        root.removeHandler(handler)


@pytest.fixture
def planted_child(db):
    child = ChildFactory(given_name=GIVEN, family_name=FAMILY)
    parent = UserFactory(name=f"{GIVEN} Senior", email=EMAIL, profession="parent")
    MembershipFactory(child=child, user=parent, role=Role.GUARDIAN)
    return child, parent


def planted_text() -> str:
    return f"{GIVEN} {FAMILY} {NOTE} {EMAIL}"


def grep_everything(caplog, handlers) -> str:
    seen = [caplog.text, handlers["text"].getvalue(), handlers["json"].getvalue()]
    seen += [record.getMessage() for record in caplog.records]
    seen += [record.exc_text or "" for record in caplog.records]
    return "\n".join(seen)


@pytest.mark.urls(__name__)
def test_nothing_planted_reaches_a_log_line(client, caplog, handlers, planted_child, settings, figure):
    settings.AXES_FAILURE_LIMIT = 2  # a lock-out, so django-axes writes its warning too
    caplog.set_level(logging.DEBUG)
    child, parent = planted_child
    text = planted_text()
    headers = {
        "HTTP_USER_AGENT": text,
        "HTTP_REFERER": f"https://tracker.example/{GIVEN}?note={NOTE}",
        "HTTP_X_REQUEST_ID": text,
        "HTTP_X_FORWARDED_FOR": EMAIL,
        "HTTP_ACCEPT_LANGUAGE": GIVEN,
    }
    client.raise_request_exception = False
    # Log-in attempts with the email and a note as password, until locked out.
    for _ in range(3):
        client.post(reverse("accounts:login"), {"email": EMAIL, "password": text}, **headers)
    # Paths and queries, matched and unmatched.
    client.get(f"/{GIVEN}-{FAMILY}/{EMAIL}/", **headers)
    client.get(f"/children/{child.public_id}/skills/{GIVEN.lower()}-{FAMILY.lower()}/", **headers)
    client.get(f"/children/{child.public_id}/notes/?q={GIVEN}&email={EMAIL}&note={NOTE}", **headers)
    client.get(f"/invitations/{GIVEN}{FAMILY}/", **headers)
    # A host that is not allowed (Django logs it as a security error).
    client.get("/accounts/login/", HTTP_HOST=f"{GIVEN.lower()}.example", **headers)
    # Signed in: a note written with the planted text, then a form refused with it.
    client.force_login(parent, backend="django.contrib.auth.backends.ModelBackend")
    note_url = reverse("tracker:note_create", args=[child.public_id])
    fields = {"kind": "family_update", "visibility": "family", "session_date": "2026-01-30", "body": NOTE}
    client.post(note_url, fields, **headers)
    client.post(note_url, fields | {"session_date": f"{GIVEN} {EMAIL}"}, **headers)
    # A view that fails with the planted values in its exception's message.
    failed = client.get(f"/explode/{child.public_id}/?who={GIVEN}", **headers)
    # Log calls as code might (wrongly) write them.
    logger = logging.getLogger("tracker.planted")
    logger.info("saved %s for %s", Note.objects.get(body=NOTE), child)
    logger.warning("mail to %s bounced", EMAIL)
    logger.error(ValueError(text))
    logger.info("with extras", extra={"note": NOTE, "email": EMAIL, "child_name": GIVEN})
    try:
        raise RuntimeError(text)
    except RuntimeError:
        logger.exception("failed on %s", EMAIL)

    logged = grep_everything(caplog, handlers)
    found = [secret for secret in PLANTED if secret.lower() in logged.lower()]
    figure(f"LOG SCRUB: {len(caplog.records)} records, {len(PLANTED)} planted values, {len(found)} found in logs")
    assert found == []
    # And the logs were written: not an empty capture passing by default.
    assert failed.status_code == 500
    assert Note.objects.filter(body=NOTE).count() == 1
    assert handlers["text"].getvalue().count(" config.requests ") == 11
    assert "builtins.ValueError: [message withheld" in handlers["text"].getvalue()
    assert "builtins.KeyError: [message withheld" in handlers["text"].getvalue()
    assert f"Note #{Note.objects.get(body=NOTE).pk} for Child #{child.pk}" in logged
    assert "mail to [email] bounced" in logged


def request_lines(handlers) -> list[dict]:
    lines = [json.loads(line) for line in handlers["json"].getvalue().splitlines() if line.startswith("{")]
    return [line for line in lines if line["logger"] == logs.REQUEST_LOGGER]


def test_one_json_line_per_request_with_id_status_and_user_id(login, guardian, child, handlers):
    client = login(guardian)
    response = client.get(reverse("tracker:child_detail", args=[child.public_id]))
    [line] = request_lines(handlers)
    assert line["request_id"] == response["X-Request-ID"]
    assert line["status"] == 200
    assert line["user_id"] == guardian.pk
    assert line["method"] == "GET"
    assert line["path"] == f"/children/{child.public_id}/"
    assert line["duration_ms"] > 0
    assert guardian.email not in handlers["json"].getvalue()


def test_text_line_names_the_user_by_id(login, guardian, child, handlers):
    login(guardian).get(reverse("tracker:child_detail", args=[child.public_id]))
    [line] = [line for line in handlers["text"].getvalue().splitlines() if " config.requests " in line]
    assert line.endswith(f" GET /children/{child.public_id}/ 200 {line.split()[-2]} user={guardian.pk}")


@pytest.mark.django_db
def test_a_well_formed_incoming_request_id_is_kept(client, handlers):
    response = client.get("/accounts/login/", HTTP_X_REQUEST_ID="lb-7f3a9c21-0001")
    assert response["X-Request-ID"] == "lb-7f3a9c21-0001"
    assert request_lines(handlers)[0]["request_id"] == "lb-7f3a9c21-0001"


@pytest.mark.django_db
@pytest.mark.parametrize("incoming", ["short", "has spaces in it", "x" * 200, "semi;colon-0000"])
def test_a_malformed_incoming_request_id_is_replaced(client, incoming):
    response = client.get("/accounts/login/", HTTP_X_REQUEST_ID=incoming)
    assert response["X-Request-ID"] != incoming
    assert logs.REQUEST_ID.fullmatch(response["X-Request-ID"])


@pytest.mark.django_db
def test_lines_written_during_a_request_carry_its_id(client, caplog, handlers):
    caplog.set_level(logging.WARNING)
    response = client.get("/no-such-page/")
    [not_found] = [record for record in caplog.records if record.name == "django.request"]
    assert not_found.request_id == response["X-Request-ID"]
    assert not_found.getMessage() == f"Not Found: {logs.UNMATCHED}"


def test_log_format_must_be_text_or_json():
    import os
    import subprocess
    import sys

    env = {**os.environ, "LOG_FORMAT": "yaml", "DJANGO_SETTINGS_MODULE": "config.settings", "DJANGO_DEBUG": "1"}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=logs.__file__.rsplit("/config/", 1)[0], env=env,
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert "LOG_FORMAT must be text or json" in result.stderr


def test_a_record_that_cannot_be_scrubbed_is_withheld_not_raised(caplog):
    class Unprintable:
        def __str__(self) -> str:
            raise RuntimeError(GIVEN)

    logging.getLogger("tracker.planted").warning("value %s", Unprintable())
    assert caplog.records[-1].getMessage() == "[log message withheld: it could not be scrubbed]"


# The scrubbing works on types and shapes: a name handed to a log call as a plain string would be written
# as given. So every value our own code logs is listed here, reviewed as holding no name or free text; a
# new log call, or a new value in one, fails until someone has looked at it and added it.
REVIEWED_LOG_VALUES = {
    "tracker/reminders.py": {"planned.occasion", "planned.to.user_id", "report.stuck"},  # keys and counts
    "config/health.py": {"name", "reason"},  # a check's name; a path, free MB or an exception's type
}
LOG_METHODS = {"debug", "info", "warning", "error", "exception", "critical", "log"}
LOGGER = re.compile(r"(^|\.)(logger|logging|log)$|getLogger\(")


def _logged_values(source: str) -> set[str]:
    values = set()
    for node in ast.walk(ast.parse(source)):
        is_method = isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
        if is_method and node.func.attr in LOG_METHODS and LOGGER.search(ast.unparse(node.func.value)):
            values |= {ast.unparse(arg) for arg in node.args[1:]}
            values |= {f"{kw.arg}={ast.unparse(kw.value)}" for kw in node.keywords}
    return values


def test_every_value_our_code_logs_was_reviewed_for_names():
    root = Path(logs.__file__).resolve().parents[1]
    found = {
        str(path.relative_to(root)): values
        for package in ("accounts", "tracker", "config")
        for path in sorted((root / package).rglob("*.py"))
        if path.name != "logs.py" and (values := _logged_values(path.read_text()))
    }
    assert found == REVIEWED_LOG_VALUES
