"""The reminder run at scale, for the benchmark (bench/run.py) or by hand.

`python -m bench.reminders OUT.json` (with the run's DATABASE_URL and settings) runs the whole reminder job
over the seeded data set as the scheduled task would at 09:00 today (every kind is due then), sending to
Django's in-memory mail backend (the work is ours, not a mail server's), inside a transaction that is rolled
back, so every run measures the same job. It writes the time, the SQL query count and what was sent.

The URLconf (and with it the views and matplotlib) is loaded before the clock starts: a worker
(`manage.py db_worker`) loads it at its first task, once, and a run there pays only the job.
"""

import json
import sys
import time
from datetime import datetime
from datetime import time as clock

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext, override_settings  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from tracker import reminders  # noqa: E402
from tracker.models import Child  # noqa: E402


def measure() -> dict:
    reverse("tracker:reminder_settings")  # load the URLconf, as a running worker already has
    now = timezone.make_aware(datetime.combine(timezone.localdate(), clock(9, 0)))
    with (
        override_settings(
            EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
            SITE_URL=settings.SITE_URL or "https://tracker.example",
        ),
        transaction.atomic(),
    ):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            report = reminders.run(now=now)
            seconds = time.perf_counter() - started
        transaction.set_rollback(True)
    return {
        "children": Child.objects.count(),
        "seconds": round(seconds, 2),
        "queries": len(queries),
        "batch_size": reminders.BATCH,
        **report.as_dict(),
    }


if __name__ == "__main__":
    result = measure()
    with open(sys.argv[1], "w") as out:
        json.dump(result, out, indent=2)
    print(json.dumps(result))
