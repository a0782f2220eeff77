"""What runs when: each job once per time slot, however many schedulers tick.

Each machine may run `manage.py run_scheduler`. On every tick it tries to insert (job, slot) into
ScheduledRun; the unique constraint lets exactly one scheduler win each slot, and only the winner enqueues
the job, in the same transaction. The jobs themselves are safe to run twice anyway (reminders are recorded
by a unique key), so a slot's row is what keeps the queue short, not what keeps a reminder single.
"""

from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.tasks import forget_kept_forms

from .models import ScheduledRun
from .tasks import send_reminders

# job name -> (task, how often). Reminders every quarter of an hour: a quiet-hours end or a new day's digest
# waits at most that long. Kept forms hold text about children: they go within a day of KEPT_FOR, not
# only when someone next keeps a form or opens the page that lists them.
JOBS = {
    "send_reminders": (send_reminders, timedelta(minutes=15)),
    "forget_kept_forms": (forget_kept_forms, timedelta(days=1)),
}
KEEP_RUNS = timedelta(days=30)


def slot_of(now: datetime, every: timedelta) -> datetime:
    """The start of the slot `now` falls in (slots count from the Unix epoch, the same on every machine)."""
    seconds = int(every.total_seconds())
    stamp = int(now.timestamp())
    return datetime.fromtimestamp(stamp - stamp % seconds, tz=now.tzinfo or timezone.get_current_timezone())


def tick(now: datetime | None = None) -> list[str]:
    """Enqueue each job whose current slot no scheduler has taken yet; the names enqueued."""
    now = now or timezone.now()
    enqueued = []
    for name, (job, every) in JOBS.items():
        try:
            with transaction.atomic():
                ScheduledRun.objects.create(job=name, slot=slot_of(now, every))
                job.enqueue()
        except IntegrityError:
            continue  # another scheduler took this slot
        enqueued.append(name)
    ScheduledRun.objects.filter(slot__lt=now - KEEP_RUNS).delete()
    return enqueued
