"""Background tasks of the accounts app (run by `manage.py db_worker`, enqueued by tracker/scheduler.py)."""

try:
    from django.tasks import task
except ImportError:  # Django 5.2: the backport, the same API
    from django_tasks import task

from . import kept


@task()
def forget_kept_forms() -> int:
    """Delete forms kept from expired sessions once they are past KEPT_FOR, whether or not anyone logs in."""
    return kept.forget_old()
