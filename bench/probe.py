"""The Django side of the benchmark, run by bench/run.py against one seeded database.

`python -m bench.probe OUT.json` (with DJANGO_SETTINGS_MODULE=bench.settings
and the run's DATABASE_URL) picks what to load — therapist1's oldest child (a
long history), its guardian, its most observed skill, the largest domain (and,
for the saves, another child of the same therapist with its own guardian, so
that writes never grow the history the read pages are measured on) —
resolves every endpoint's URL, counts each page's SQL queries with Django's
test client and CaptureQueriesContext, and times each chart's cold render
against matplotlib's floor (a bare Figure of the same size and format with one
line) in this process. It writes a JSON file for the harness.
"""

import io
import json
import statistics
import struct
import sys
import time
import uuid
from datetime import timedelta

import django

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import NoReverseMatch, reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from config import gunicorn as gunicorn_config  # noqa: E402
from tracker import programme  # noqa: E402
from tracker.models import Activity, CareTeamMembership, Child, Domain, Observation, Role, Skill  # noqa: E402

THERAPIST = "therapist1@bench.example"
RENDER_SAMPLES = 5
COLD_DAYS = 2000  # distinct ?to= days for cold chart requests: one render each (six 1 s chunks need ~1,100)
# Which of those days each part uses, so that no cold request meets a chart drawn before.
RENDER_DAYS, COUNT_DAYS, LOAD_DAYS = slice(0, 60), slice(60, 80), slice(80, None)
OT, FAMILY = "status=achieved&assistance=independent", "status=emerging"


def targets() -> dict:
    User = get_user_model()
    therapist = User.objects.get(email=THERAPIST)
    # The oldest child on the caseload (a long history), chosen by birth date so that rows
    # added by earlier runs never change which child is read.
    caseload = Child.objects.visible_to(therapist)
    child = caseload.annotate(history=Count("observations")).order_by("date_of_birth", "pk").first()
    guardian = CareTeamMembership.objects.select_related("user").get(child=child, role=Role.GUARDIAN).user
    # Saves go to another child on the same caseload, with another guardian.
    writes_to = caseload.exclude(care_team__user=guardian).order_by("-date_of_birth", "pk").first()
    writer = CareTeamMembership.objects.select_related("user").get(child=writes_to, role=Role.GUARDIAN).user
    skill = (
        Skill.objects.catalogue()
        .filter(observations__child=child)
        .annotate(n=Count("observations"))
        .order_by("-n", "pk")
        .first()
    )
    domain = Domain.objects.annotate(n=Count("skills")).order_by("-n", "pk").first()
    yesterday = timezone.localdate() - timedelta(days=1)
    activity = practice_target(writes_to, therapist)
    first = child.date_of_birth + timedelta(days=31)
    span = max(1, (yesterday - first).days)
    # Newest first: a cold request asks for the chart as it stood on a recent day, as a person would.
    days = sorted({first + timedelta(days=round(i * span / COLD_DAYS)) for i in range(COLD_DAYS)}, reverse=True)
    return {
        "therapist": therapist,
        "guardian": guardian,
        "writer": writer,
        "child": child,
        "writes_to": writes_to,
        "activity": activity,
        "skill": skill,
        "domain": domain,
        "cold_days": [d.isoformat() for d in days],
        "summary": {
            "therapist": therapist.email,
            "guardian": guardian.email,
            "writer": writer.email,
            "child": str(child.public_id),
            "child_observations": child.history,
            "child_age_days": (timezone.localdate() - child.date_of_birth).days,
            "skill": skill.slug,
            "domain": domain.slug,
            "caseload": Child.objects.visible_to(therapist).count(),
        },
    }


def practice_target(child: Child, therapist) -> Activity:
    """A home activity of `child` running today, for the practice tap; set by `therapist` if it has none."""
    today = timezone.localdate()
    running = Activity.objects.for_child(child).running_between(today, today).order_by("pk").first()
    if running is not None:
        return running
    new = Activity(
        child=child,
        title="Walks with a push toy",
        instructions="Push the toy across the room and back.",
        times_per_week=5,
        start_on=today - timedelta(days=14),
    )
    return programme.set_activity(activity=new, skills=[], by=therapist)


def endpoints(t: dict) -> tuple[list[dict], list[str]]:
    """Every endpoint the benchmark loads: name, who, method, path, body, and whether it is a cold chart."""
    child = t["child"].public_id
    pages = [
        ("baseline", "therapist", "bench_baseline", []),
        ("caseload", "therapist", "tracker:caseload", []),
        ("child overview (therapist)", "therapist", "tracker:child_detail", [child]),
        ("child overview (guardian)", "guardian", "tracker:child_detail", [child]),
        ("checklist", "therapist", "tracker:checklist", [child, t["domain"].slug]),
        ("team timeline (therapist)", "therapist", "tracker:timeline", [child]),
        ("team timeline (guardian)", "guardian", "tracker:timeline", [child]),
        ("this week (guardian)", "guardian", "tracker:programme", [child]),
    ]
    found = [{"name": n, "who": w, "method": "GET", "path": reverse(u, args=a)} for n, w, u, a in pages]
    missing = []
    # SVG: what the pages embed since issue 14 (PNG is for downloads); render_costs times both.
    charts = [
        ("milestones", "tracker:chart_milestones", [child, t["domain"].slug, "svg"]),
        ("progress", "tracker:chart_progress", [child, t["domain"].slug, "svg"]),
        ("skill history", "tracker:chart_skill", [child, t["skill"].slug, "svg"]),
        ("goal attainment", "tracker:chart_goals", [child, "svg"]),
    ]
    for kind, url, args in charts:
        try:
            path = reverse(url, args=args)
        except NoReverseMatch:
            missing.append(f"chart {kind} ({url})")
            continue
        found.append({"name": f"chart {kind} cold", "who": "therapist", "method": "GET", "path": path, "cold": True})
        found.append({"name": f"chart {kind} cached", "who": "therapist", "method": "GET", "path": path})
    today = timezone.localdate().isoformat()
    note = f"kind=general&visibility=team&session_date={today}&body=Benchmark+note.&submission_id={{uuid}}"
    writes_to = t["writes_to"].public_id
    record = reverse("tracker:record", args=[writes_to, t["skill"].slug])
    found += [
        # The checklist's one tap (issue 14): htmx posts it and gets back the moved row and the counts.
        {
            "name": "checklist tap save, htmx (guardian)",
            "who": "writer",
            "method": "POST",
            "path": record,
            "body": FAMILY,
            "htmx": True,
        },
        {
            "name": "note save",
            "who": "therapist",
            "method": "POST",
            "path": reverse("tracker:note_create", args=[writes_to]),
            "body": note,
        },
        {"name": "observation save (therapist)", "who": "therapist", "method": "POST", "path": record, "body": OT},
        {"name": "observation save (guardian)", "who": "writer", "method": "POST", "path": record, "body": FAMILY},
        {
            "name": "practice tap save (guardian)",
            "who": "writer",
            "method": "POST",
            "path": reverse("tracker:practise", args=[writes_to, t["activity"].pk]),
            "body": "how=easy",
        },
    ]
    return found, missing


def weight_pages(t: dict) -> list[dict]:
    """The pages bench/weight.py weighs: a parent's on a phone, and a therapist's progress review."""
    child, domain = t["child"].public_id, t["domain"].slug
    every_skill = reverse("tracker:chart_milestones", args=[child, domain, "svg"]) + "?all=1"
    pages = [
        ("overview", "guardian", reverse("tracker:child_detail", args=[child])),
        ("checklist", "guardian", reverse("tracker:checklist", args=[child, domain])),
        ("milestone chart, every skill", "guardian", every_skill),  # the "Chart every skill" link, opened
        ("progress review", "therapist", reverse("tracker:progress_review", args=[child])),
        ("notes", "guardian", reverse("tracker:note_list", args=[child])),
        ("this week", "guardian", reverse("tracker:programme", args=[child])),
        ("skill page", "guardian", reverse("tracker:skill_history", args=[child, t["skill"].slug])),
    ]
    return [{"name": name, "who": who, "path": path} for name, who, path in pages]


def client_for(user) -> Client:
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def _body(endpoint: dict) -> dict:
    text = endpoint["body"].replace("{uuid}", str(uuid.uuid4()))
    return dict(pair.split("=", 1) for pair in text.replace("+", " ").split("&"))


def request(client: Client, endpoint: dict, cold_day: str | None = None):
    path = endpoint["path"] + (f"?to={cold_day}" if cold_day else "")
    if endpoint["method"] == "POST":
        return client.post(path, _body(endpoint), headers={"HX-Request": "true"} if endpoint.get("htmx") else None)
    return client.get(path)


def query_counts(t: dict, found: list[dict]) -> dict[str, dict]:
    """Each page's SQL queries on its first load (drawn: the run's cache starts empty) and its second (served).

    The second load is what the load test repeats: a page or chart from the cache, with the permission
    check and the audit event. The first shows that drawing it does not grow with the data either.
    """
    clients = {who: client_for(t[who]) for who in ("therapist", "guardian", "writer")}
    days = iter(t["cold_days"][COUNT_DAYS])
    counts = {}
    for endpoint in found:
        client = clients[endpoint["who"]]
        cold = endpoint.get("cold")
        with CaptureQueriesContext(connection) as drawn:
            request(client, endpoint, next(days) if cold else None)
        with CaptureQueriesContext(connection) as queries:
            response = request(client, endpoint, next(days) if cold else None)
        counts[endpoint["name"]] = {
            "queries": len(queries),
            "drawn_queries": len(drawn),
            "status": response.status_code,
        }
    return counts


def png_size(data: bytes) -> tuple[int, int]:
    return struct.unpack(">II", data[16:24])


def floor_ms(width: int, height: int, fmt: str) -> float:
    """matplotlib's floor here: a bare Figure of the same size and format with one plain line."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    def once() -> float:
        started = time.perf_counter()
        figure = Figure(figsize=(width / 100, height / 100), dpi=100)
        FigureCanvasAgg(figure)
        figure.add_subplot().plot([0, 1, 2, 3], [0, 1, 0, 1])
        figure.savefig(io.BytesIO(), format=fmt, dpi=100)
        return (time.perf_counter() - started) * 1000

    once()
    return statistics.median(once() for _ in range(RENDER_SAMPLES))


def render_costs(t: dict, found: list[dict]) -> dict[str, dict]:
    """Median wall time of a cold chart request (a new ?to= each time), of a cached one, and the floor."""
    client = client_for(t["therapist"])
    days = iter(t["cold_days"][RENDER_DAYS])
    costs = {}
    for endpoint in [e for e in found if e.get("cold")]:
        kind = endpoint["name"].removesuffix(" cold")
        for fmt in ("png", "svg"):
            variant = {**endpoint, "path": endpoint["path"].rsplit(".", 1)[0] + f".{fmt}"}
            samples, body = [], b""
            for _ in range(RENDER_SAMPLES):
                started = time.perf_counter()
                response = request(client, variant, next(days))
                samples.append((time.perf_counter() - started) * 1000)
                body = response.content if fmt == "png" else body
            request(client, variant)  # drawn and cached, or already cached
            started = time.perf_counter()
            request(client, variant)
            cached = (time.perf_counter() - started) * 1000
            if fmt == "png":
                size = png_size(body)
            floor = floor_ms(*size, fmt)
            cold = statistics.median(samples)
            costs[f"{kind} {fmt}"] = {
                "cold_ms": round(cold, 1),
                "cached_ms": round(cached, 1),
                "floor_ms": round(floor, 1),
                "ratio_to_floor": round(cold / floor, 2),
                "size_px": list(size),
            }
    return costs


HEALTH_CALLS = 500


def health_costs() -> dict[str, dict]:
    """What a load balancer's probe costs a worker: µs and queries per call (Django's test client, in-process)."""
    costs = {}
    client = Client()
    for path in ("/health/live", "/health/ready"):
        client.get(path)  # the first readiness call reads the migration graph from disk, once per process
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            statuses = {client.get(path).status_code for _ in range(HEALTH_CALLS)}
            elapsed = time.perf_counter() - started
        costs[path] = {
            "calls": HEALTH_CALLS,
            "us_per_call": round(elapsed / HEALTH_CALLS * 1e6),
            "queries_per_call": len(queries) / HEALTH_CALLS,
            "statuses": sorted(statuses),
        }
    return costs


class _Server:
    """What config/gunicorn.py's `when_ready` hook needs of gunicorn's server: a log."""

    class log:  # noqa: N801 (gunicorn's attribute name)
        @staticmethod
        def info(message: str) -> None:
            pass


def main(out_path: str) -> None:
    started = time.monotonic()
    # Measure what a worker pays: start the way gunicorn's master does before forking (URLconf and
    # matplotlib loaded and warmed, then frozen out of garbage collection).
    gunicorn_config.when_ready(_Server())
    t = targets()
    found, missing = endpoints(t)
    result = {
        "targets": t["summary"],
        "cold_days": t["cold_days"][LOAD_DAYS],
        "endpoints": found,
        "weight_pages": weight_pages(t),
        "missing": missing,
        "vendor": connection.vendor,
        "queries": query_counts(t, found),
        "render": render_costs(t, found),
        "health": health_costs(),
        "observations": Observation.objects.count(),
        "children": Child.objects.count(),
    }
    result["seconds"] = round(time.monotonic() - started, 1)
    with open(out_path, "w") as out:
        json.dump(result, out, indent=2, default=str)


if __name__ == "__main__":
    main(sys.argv[1])
