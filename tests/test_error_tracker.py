"""The optional error tracker: off and not imported without SENTRY_DSN; with it, events carry no personal data."""

import json
import os
import subprocess
import sys
from pathlib import Path

from config import error_tracker, logs

ROOT = Path(__file__).resolve().parent.parent
GIVEN, NOTE, EMAIL = "Zebedee", "Toileting accident at nursery today", "zeb.parent@example.net"

SCRIPT = f"""
import json, logging, os
import django
django.setup()
import sentry_sdk
from sentry_sdk.transport import Transport
from config import error_tracker

client = sentry_sdk.get_client()
started = {{"active": client.is_active(), "pii": client.options["send_default_pii"],
           "scrubs": client.options["before_send"] is error_tracker.scrub_event,
           "locals": client.options["include_local_variables"]}}
sent = []

class Memory(Transport):
    def capture_envelope(self, envelope):
        sent.append(envelope.serialize().decode("utf-8", "replace"))

error_tracker.start(os.environ["SENTRY_DSN"], environment="test", transport=Memory)
sentry_sdk.add_breadcrumb(message="note for {EMAIL}", data={{"body": "{NOTE}"}})
child_name = "{GIVEN}"
try:
    raise ValueError("{NOTE} for {GIVEN}, {EMAIL}")
except ValueError:
    sentry_sdk.capture_exception()
    logging.getLogger("tracker.planted").exception("failed for %s", "{EMAIL}")
sentry_sdk.capture_message("mail to {EMAIL} bounced")
sentry_sdk.flush()
print(json.dumps({{"started": started, "sent": sent}}))
"""


def run(script: str, **env: str) -> subprocess.CompletedProcess:
    environment = {key: value for key, value in os.environ.items() if key != "SENTRY_DSN"}
    environment.update({"DJANGO_SETTINGS_MODULE": "config.test_settings", **env})
    return subprocess.run(  # noqa: S603 (this file's own scripts)
        [sys.executable, "-c", script], cwd=ROOT, env=environment, capture_output=True, text=True, check=False
    )


def test_without_a_dsn_the_sdk_is_not_even_imported():
    result = run("import django, sys; django.setup(); print('sentry_sdk' in sys.modules)")
    assert result.stdout.strip() == "False", result.stderr


def test_with_a_dsn_events_leave_without_names_notes_or_emails():
    # Port 9 on loopback (discard): the in-memory transport replaces the network one before anything is sent.
    result = run(SCRIPT, SENTRY_DSN="https://public@127.0.0.1:9/1")
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["started"] == {"active": True, "pii": False, "scrubs": True, "locals": False}
    sent = "\n".join(report["sent"])
    assert sent.count('"type":"event"') >= 2  # the exception (its logged twin is deduplicated), the message
    for secret in (GIVEN, NOTE, EMAIL, "zeb.parent"):
        assert secret not in sent
    assert logs.WITHHELD in sent
    assert "mail to [email] bounced" in sent


def test_scrub_event_keeps_route_types_and_frames_only():
    event = {
        "request": {"method": "POST", "url": f"https://t.example/x?email={EMAIL}", "data": {"body": NOTE},
                    "cookies": {"sessionid": "s"}, "headers": {"User-Agent": GIVEN}},
        "user": {"email": EMAIL, "id": 3},
        "extra": {"note": NOTE},
        "exception": {"values": [
            {"type": "ValueError", "module": None, "value": f"{GIVEN} {EMAIL}",
             "stacktrace": {"frames": [{"function": "save", "vars": {"name": GIVEN}}]}},
            {"type": "InterfaceError", "module": "django.db.utils", "value": "connection already closed"},
        ]},
        "breadcrumbs": {"values": [{"category": "query", "message": f"SELECT '{EMAIL}'", "data": {"p": GIVEN}}]},
    }  # fmt: skip
    scrubbed = error_tracker.scrub_event(event)
    text = json.dumps(scrubbed)
    for secret in (GIVEN, NOTE, EMAIL, "sessionid"):
        assert secret not in text
    assert scrubbed["request"] == {"method": "POST", "url": logs.UNMATCHED}
    assert scrubbed["exception"]["values"][0]["value"] == logs.WITHHELD
    assert scrubbed["exception"]["values"][1]["value"] == "connection already closed"
    assert scrubbed["exception"]["values"][0]["stacktrace"]["frames"] == [{"function": "save"}]
