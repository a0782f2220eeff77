"""TWO WORKERS on PostgreSQL: two processes run the same reminder job at the same instant; each reminder goes
once. The database's unique key decides who sends what, not timing: both processes plan every reminder, both
insert every claim, and each sends only the rows that carry its own claim.

Real processes (`python -c`, each with its own connection to the test database), released together at a
wall-clock instant, each counting the emails it handed to its mail backend.
"""

import json
import os
import subprocess
import sys
import time
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

from tracker.models import Channel, Domain, ReminderSettings, SentReminder

from ..factories import ChildFactory, MembershipFactory, UserFactory

ROOT = Path(__file__).resolve().parents[2]
CHILDREN = 150
WORKER = """
import json, sys, time
from datetime import datetime
import django
django.setup()
from django.core import mail
from tracker import reminders
start, now = float(sys.argv[1]), datetime.fromisoformat(sys.argv[2])
time.sleep(max(0.0, start - time.time()))
report = reminders.run(now=now)
print(json.dumps({"emails": len(getattr(mail, "outbox", [])), "sent": report.sent, "already": report.already}))
"""


@pytest.fixture
def postgresql() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (DATABASE_URL=postgres://…)")


@pytest.fixture
def committed(postgresql, transactional_db, django_db_blocker):
    if not Domain.objects.exists():
        call_command("load_catalogue", verbosity=0)
    yield
    with django_db_blocker.unblock():
        if not Domain.objects.exists():
            call_command("load_catalogue", verbosity=0)


def _database_url() -> str:
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _worker(start: float, now: datetime) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": _database_url(), "DJANGO_SETTINGS_MODULE": "config.test_settings"}
    return subprocess.Popen(  # noqa: S603 (our own interpreter and script)
        [sys.executable, "-c", WORKER, str(start), now.isoformat()],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_two_workers_at_once_send_each_reminder_once(committed, figure):
    for _ in range(CHILDREN):  # each reaches the 12-month checkpoint on 2 March 2026
        child = ChildFactory(date_of_birth=date(2025, 3, 2))
        for _guardian in range(2):
            user = UserFactory()
            MembershipFactory(child=child, user=user, role="guardian")
            ReminderSettings.objects.create(user=user, checkpoint=Channel.EMAIL)
    now = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
    start = time.time() + 4  # both processes import Django first, then start together
    workers = [_worker(start, now), _worker(start, now)]
    results = []
    for worker in workers:
        out, err = worker.communicate(timeout=120)
        assert worker.returncode == 0, err
        results.append(json.loads(out.strip().splitlines()[-1]))
    emails = sum(result["emails"] for result in results)
    again = _worker(time.time(), now)
    out, err = again.communicate(timeout=120)
    third = json.loads(out.strip().splitlines()[-1])
    figure(
        f"TWO WORKERS: {emails} emails for {CHILDREN * 2} reminders from two processes at once "
        f"(sent {results[0]['sent']} + {results[1]['sent']}, refused by the unique key "
        f"{results[0]['already']} + {results[1]['already']}); a third run sent {third['sent']}"
    )
    assert (emails, SentReminder.objects.filter(sent_at__isnull=False).count(), third["sent"]) == (
        CHILDREN * 2,
        CHILDREN * 2,
        0,
    )
