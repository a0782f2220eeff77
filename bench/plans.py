"""The query plans of the hot queries, on a seeded benchmark database.

`DATABASE_URL=... DJANGO_SETTINGS_MODULE=bench.settings python -m bench.plans`
(bench/run.py seeds the databases). For each query a page makes whatever the
data size, it prints the database's plan, so an index the query relies on can
be seen to be used: a plan that scans a growing table is the thing to fix.
"""

import django

django.setup()

from django.db import connection  # noqa: E402

from tracker.models import AuditEvent, Child, Observation, Skill  # noqa: E402
from tracker.permissions import readable_notes  # noqa: E402
from tracker.timeline import TimelineFilter, _sources  # noqa: E402

from .probe import targets  # noqa: E402


def _plan_of_sql(sql: str, params: list) -> str:
    prefix = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN "
    with connection.cursor() as cursor:
        cursor.execute(prefix + sql, params)
        return "\n".join(" ".join(str(part) for part in row) for row in cursor.fetchall())


def main() -> None:
    t = targets()
    therapist, child = t["therapist"], t["child"]
    child.allowed = frozenset({"read_team_notes"})
    membership_sql = (
        "SELECT tracker_child.*, tracker_careteammembership.role FROM tracker_child INNER JOIN"
        " tracker_careteammembership ON tracker_careteammembership.child_id = tracker_child.id"
        " WHERE tracker_careteammembership.user_id = %s AND tracker_child.public_id = %s"
    )
    public_id = Child._meta.get_field("public_id").get_db_prep_value(child.public_id, connection)
    caseload_ids = list(Child.objects.visible_to(therapist).values_list("pk", flat=True))
    notes = readable_notes(child, child.notes.model.objects.all())
    sources = _sources(child, notes, TimelineFilter())
    timeline = sources[0].union(*sources[1:], all=True).order_by("-entry_day", "-entry_at", "entry", "-pk")[:25]
    skill = Skill.objects.filter(observations__child=child).first()
    plans = {
        "membership check (every child page and chart)": _plan_of_sql(membership_sql, [therapist.pk, public_id]),
        "current statuses of one child (checklist, overview)": Observation.objects.current()
        .filter(child=child)
        .explain(),
        "current statuses of a caseload": Observation.objects.current()
        .filter(child__in=caseload_ids)
        .order_by()
        .values_list("child_id", "skill_id", "status")
        .explain(),
        "one skill's history, newest first (recording)": Observation.objects.filter(child=child, skill=skill)
        .in_force()
        .newest_first()
        .values("pk")[:1]
        .explain(),
        "the audit log page": AuditEvent.objects.filter(child=child).order_by("-at", "-id")[:25].explain(),
        "the team timeline page": timeline.explain(),
    }
    print(f"# Query plans — {connection.vendor}, {Child.objects.count():,} children\n")
    for name, plan in plans.items():
        print(f"## {name}\n\n```\n{plan}\n```\n")


if __name__ == "__main__":
    main()
