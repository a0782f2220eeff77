"""Background tasks, on Django's Tasks API: `django.tasks` from Django 6, the `django_tasks` backport before.

The database backend (django-tasks-db) queues them in the app's own database; `manage.py db_worker` runs
them and `manage.py run_scheduler` enqueues the scheduled ones (docs/deployment.md).
"""

try:
    from django.tasks import task
except ImportError:  # Django 5.2: the backport, the same API
    from django_tasks import task

from . import reminders


@task()
def send_reminders() -> dict:
    """Send every reminder and digest due now that was not sent before (tracker/reminders.py)."""
    return reminders.run().as_dict()
