"""PDF progress reports at scale, for the benchmark (bench/run.py) or by hand.

`python -m bench.reports OUT.json TARGET_CHILD` (with the run's DATABASE_URL and settings) starts as a
gunicorn worker does (config/gunicorn.py's `when_ready`: URLconf, matplotlib and WeasyPrint loaded before
the fork), then, for the OLDEST seeded child (every area, the longest history):

- the family report and the therapist report (joint), each drawn cold (nothing cached), with the
  renderer's time split: data (queries), charts (matplotlib SVG), HTML (template), layout and PDF
  (WeasyPrint; the PDF step draws the SVG charts). The first report of a process pays one-off costs
  (fonts loaded), so a second cold family report (another period) is timed too;
- the repeat of an unchanged report: found by its fingerprint and served as stored, not drawn again;
- resident memory after 20 reports (both kinds, each period different so each is drawn), as a worker
  that made them would hold.

Those reports are rolled back. One family report of TARGET_CHILD (the child the load's guardian reads) is
kept: run.py loads its download (`endpoint`) with wrk beside the baseline page, the repeat's HTTP figure.
"""

import json
import os
import sys
import time
from datetime import timedelta
from pathlib import Path

import django

django.setup()

from django.db import transaction  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench.probe import _Server  # noqa: E402
from config import gunicorn as gunicorn_config  # noqa: E402
from tracker.models import CareTeamMembership, Child, Role  # noqa: E402
from tracker.reports import services  # noqa: E402
from tracker.reports.data import Spec, Timings  # noqa: E402

MEMORY_REPORTS = 20


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def author_of(child: Child, role: str) -> CareTeamMembership:
    return CareTeamMembership.objects.select_related("user").filter(child=child, role=role).order_by("pk").first()


def spec_for(child: Child, membership: CareTeamMembership, kind: str, months: int = 6) -> Spec:
    today = timezone.localdate()
    return Spec(
        kind=kind,
        scope="joint" if kind == "therapist" else "",
        start=max(child.date_of_birth, today - timedelta(days=round(months * 30.4))),
        end=today,
        author_name=membership.user.name,
        author_role=membership.get_discipline_display() or membership.role_label,
        made_on=today,
        recommendations="Keep up the daily practice of the goals' activities." if kind == "therapist" else "",
    )


def timed(child: Child, spec: Spec, by) -> dict:
    """Make one report, rolled back: seconds, the split, pages and size, and whether it was drawn."""
    timings = Timings()
    with transaction.atomic():
        started, cpu = time.perf_counter(), time.process_time()
        report, drawn = services.make_report(child=child, spec=spec, by=by, timings=timings)
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        result = {
            "seconds": round(seconds, 2),
            # The CPU time this process spent: the wall time on an idle core (the renderer is one thread),
            # which the wall time exceeds when the machine's cores are shared (load average above 2).
            "cpu_seconds": round(cpu, 2),
            "drawn": drawn,
            "pages": report.pages,
            "kb": len(report.pdf) // 1024,
        }
        transaction.set_rollback(True)
    split = {name: round(getattr(timings, name), 3) for name in ("data", "charts", "html", "layout", "pdf")}
    return {**result, "split": split}


def measure(target: str) -> dict:
    gunicorn_config.when_ready(_Server())
    oldest = Child.objects.order_by("date_of_birth", "pk").first()
    therapist = author_of(oldest, Role.THERAPIST)
    guardian = author_of(oldest, Role.GUARDIAN) or therapist
    age_days = (timezone.localdate() - oldest.date_of_birth).days
    result = {"child_age_days": age_days, "rss_start_mb": rss_mb(), "load_before": os.getloadavg()}
    result["family_first"] = timed(oldest, spec_for(oldest, guardian, "family"), guardian.user)
    result["family"] = timed(oldest, spec_for(oldest, guardian, "family", months=5), guardian.user)
    result["therapist"] = timed(oldest, spec_for(oldest, therapist, "therapist"), therapist.user)

    # The repeat: the same report asked for twice in one transaction; the second finds the first.
    with transaction.atomic():
        spec = spec_for(oldest, guardian, "family", months=4)
        services.make_report(child=oldest, spec=spec, by=guardian.user)
        started = time.perf_counter()
        again, drawn = services.make_report(child=oldest, spec=spec, by=guardian.user)
        bytes(again.__class__.objects.get(pk=again.pk).pdf)  # and read back for the download
        result["repeat"] = {"seconds": round(time.perf_counter() - started, 4), "drawn": drawn}
        transaction.set_rollback(True)

    for n in range(MEMORY_REPORTS):
        kind = "family" if n % 2 else "therapist"
        who = guardian if kind == "family" else therapist
        timed(oldest, spec_for(oldest, who, kind, months=7 + n), who.user)
    result["rss_after_mb"] = rss_mb()
    result["load_after"] = os.getloadavg()
    result["memory_reports"] = MEMORY_REPORTS

    child = Child.objects.get(public_id=target)
    reader = author_of(child, Role.GUARDIAN) or author_of(child, Role.THERAPIST)
    kept, _ = services.make_report(child=child, spec=spec_for(child, reader, "family"), by=reader.user)
    path = reverse("tracker:report_pdf", args=[child.public_id, kept.pk])
    result["endpoint"] = {"name": "report PDF (repeat, stored)", "who": "guardian", "method": "GET", "path": path}
    return result


if __name__ == "__main__":
    measured = measure(sys.argv[2])
    with open(sys.argv[1], "w") as out:
        json.dump(measured, out, indent=2)
    print(json.dumps(measured))
