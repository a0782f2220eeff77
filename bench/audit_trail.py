"""Give the benchmark's child at least N audit events, for measuring its export (bench/run.py).

`python -m bench.audit_trail <child public id> <N>` with the benchmark's settings and DATABASE_URL.
Adds page views spread over the last 30 days by the child's guardian, with the INSERT the app's own
audit path uses, many rows per statement; a child that already has N events gets none.
"""

import os
import sys
from datetime import timedelta

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
django.setup()

from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from tracker.models import AuditAction, AuditEvent, CareTeamMembership, Child, Role  # noqa: E402
from tracker.models.audit import APPEND_SQL  # noqa: E402

BATCH = 5000


def top_up(public_id: str, wanted: int) -> int:
    child = Child.objects.get(public_id=public_id)
    have = AuditEvent.objects.filter(child=child).count()
    missing = max(0, wanted - have)
    guardian = CareTeamMembership.objects.select_related("user").filter(child=child, role=Role.GUARDIAN).first().user
    field = AuditEvent._meta.get_field
    child_public_id = field("child_public_id").get_db_prep_save(child.public_id, connection)
    start = timezone.now() - timedelta(days=30)
    at = field("at")
    for first in range(0, missing, BATCH):
        rows = [
            (
                guardian.pk,
                guardian.email,
                AuditAction.VIEWED.value,
                child.pk,
                child_public_id,
                "child",
                str(child.public_id),
                "Viewed the overview",
                at.get_db_prep_save(start + timedelta(seconds=20 * n), connection),
            )
            for n in range(first, min(missing, first + BATCH))
        ]
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(APPEND_SQL, rows)
    return have + missing


if __name__ == "__main__":
    print(top_up(sys.argv[1], int(sys.argv[2])))
