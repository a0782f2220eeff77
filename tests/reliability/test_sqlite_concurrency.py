"""SQLite, the default database, must not lose writes when several app processes write at once.

Against a real database FILE (not the suite's in-memory database), migrated in a subprocess: 8 worker
processes, each a separate Django process like a gunicorn worker, record one observation of the same
skill of the same child through `services.record_observation`. To make sure they collide, the test
holds SQLite's write lock while it lets them all go, then releases it: every writer has to queue on the
busy timeout. With `transaction_mode = IMMEDIATE`, WAL and a 20-second timeout (config/settings.py), all
8 observations must be kept and none may fail with "database is locked".
"""

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings

WORKERS = 8
HOLD_SECONDS = 1.0

SETUP = """
import django
django.setup()
from django.core.management import call_command
from accounts.models import User
from tracker.models import CareTeamMembership, Child
call_command("load_catalogue", verbosity=0)
child = Child.objects.create(given_name="Concurrent", date_of_birth="2025-03-10")
for n in range({workers}):
    user = User.objects.create_user(f"writer{{n}}@example.org", "a-long-test-password-123", name=f"Writer {{n}}")
    CareTeamMembership.objects.create(child=child, user=user, role="guardian")
"""

WORKER = """
import json, sys
from datetime import date
import django
django.setup()
from django.db import OperationalError
from accounts.models import User
from tracker import services
from tracker.models import Child, Observation, Skill
n = int(sys.argv[1])
child = Child.objects.get(given_name="Concurrent")
user = User.objects.get(email=f"writer{n}@example.org")
skill = Skill.objects.get(slug="gm-walks-alone")
print("ready", flush=True)
sys.stdin.readline()
observation = Observation(child=child, skill=skill, status="emerging", observed_on=date(2026, 1, 1 + n))
try:
    services.record_observation(observation=observation, by=user)
    print(json.dumps({"worker": n, "error": None}), flush=True)
except OperationalError as error:
    print(json.dumps({"worker": n, "error": str(error)}), flush=True)
"""


def _environment(database: Path) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{database}",
        "DJANGO_SETTINGS_MODULE": "config.test_settings",
        "PYTHONPATH": str(settings.BASE_DIR),
    }


def _run(args: list[str], env: dict[str, str]) -> None:
    subprocess.run(args, cwd=settings.BASE_DIR, env=env, check=True, capture_output=True, text=True, timeout=120)  # noqa: S603


@pytest.fixture(scope="module")
def template_database(tmp_path_factory) -> Path:
    """A migrated database file with the catalogue, a child and 8 writers on its team, made once."""
    database = tmp_path_factory.mktemp("sqlite") / "template.sqlite3"
    env = _environment(database)
    _run([sys.executable, "manage.py", "migrate", "--noinput", "--verbosity=0"], env)
    _run([sys.executable, "-c", SETUP.format(workers=WORKERS)], env)
    return database


@pytest.fixture
def file_database(template_database, tmp_path) -> tuple[Path, dict[str, str]]:
    """A fresh copy of the template for one test, and the environment that points Django at it."""
    database = tmp_path / "concurrency.sqlite3"
    shutil.copyfile(template_database, database)
    return database, _environment(database)


# Settings with no busy timeout: the control run, showing the race does collide.
NO_WAIT_SETTINGS = """
from config.test_settings import *  # noqa
DATABASES["default"]["OPTIONS"] = {**DATABASES["default"]["OPTIONS"], "timeout": 0}
"""


def _race(database: Path, env: dict[str, str]) -> tuple[list[dict], str]:
    """Start the workers, hold the write lock while releasing them all, and collect what each reports."""
    workers = [
        subprocess.Popen(  # noqa: S603
            [sys.executable, "-c", WORKER, str(n)],
            cwd=settings.BASE_DIR,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in range(WORKERS)
    ]
    for worker in workers:
        assert worker.stdout.readline().strip() == "ready", worker.stderr.read()
    blocker = sqlite3.connect(database, isolation_level=None, timeout=20)
    blocker.execute("BEGIN IMMEDIATE")  # every worker's write now has to wait for this one
    for worker in workers:
        worker.stdin.write("go\n")
        worker.stdin.flush()
    time.sleep(HOLD_SECONDS)
    blocker.execute("COMMIT")
    blocker.close()
    reports, errors = [], ""
    for worker in workers:
        out, err = worker.communicate(timeout=60)
        reports += [json.loads(line) for line in out.splitlines() if line.startswith("{")]
        errors += err
    return reports, errors


def _outcome(database: Path, reports: list[dict], stderr: str) -> tuple[int, int, int]:
    """(observations kept, "database is locked" errors, observations marked current)."""
    with sqlite3.connect(database) as check:
        kept = check.execute("SELECT COUNT(*) FROM tracker_observation").fetchone()[0]
        current = check.execute("SELECT COUNT(*) FROM tracker_observation WHERE is_current").fetchone()[0]
    lock_errors = sum(1 for r in reports if r["error"] and "locked" in r["error"]) + stderr.count("database is locked")
    return kept, lock_errors, current


def test_eight_processes_appending_at_once_all_keep_their_observation(file_database, figure):
    database, env = file_database
    reports, stderr = _race(database, env)
    kept, lock_errors, current = _outcome(database, reports, stderr)
    line = f"CONCURRENCY: {kept}/{WORKERS} appends kept, {lock_errors} lock errors (SQLite file)"
    figure(line)
    assert (kept, lock_errors, len(reports), current) == (WORKERS, 0, WORKERS, 1), f"{line}\n{reports}\n{stderr}"


def test_without_a_busy_timeout_the_same_race_fails_with_lock_errors(file_database, tmp_path):
    """The control: proves the writers really collide, so 0 lock errors above is earned."""
    database, env = file_database
    (tmp_path / "no_wait_settings.py").write_text(NO_WAIT_SETTINGS)
    env = {
        **env,
        "DJANGO_SETTINGS_MODULE": "no_wait_settings",
        "PYTHONPATH": f"{tmp_path}{os.pathsep}{env['PYTHONPATH']}",
    }
    reports, stderr = _race(database, env)
    kept, lock_errors, _ = _outcome(database, reports, stderr)
    assert (kept, lock_errors) == (0, WORKERS)


def test_the_file_database_runs_in_wal_mode(file_database):
    database, _ = file_database
    with sqlite3.connect(database) as check:
        assert check.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_sqlite_settings_take_the_write_lock_at_begin_and_wait_for_it():
    options = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    env = _environment(Path("/nonexistent/db.sqlite3"))
    code = (
        "import django; django.setup(); from django.conf import settings as s; print(s.DATABASES['default']['OPTIONS'])"
    )
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code], cwd=settings.BASE_DIR, env=env, check=True, capture_output=True, text=True
    )
    assert result.stdout.strip() == repr(options)
