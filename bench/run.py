"""The benchmark harness: `make bench`, or `.venv/bin/python -m bench.run --db sqlite --children 200`.

For each database (SQLite, PostgreSQL) and size (200, 2,000 children) it:
1. migrates a database of its own (bench/.data/bench_<N>.sqlite3, or the
   PostgreSQL database bench_<N>) and seeds it with `seed_demo`, unless the
   same size and seed are already there (bench/.data/state.json);
2. runs bench/probe.py in-process: picks the child, counts each page's SQL
   queries (test client + CaptureQueriesContext), times chart renders
   against matplotlib's floor;
3. serves the app with gunicorn (config/gunicorn.py: 2 sync workers,
   preload) on a free 127.0.0.1 port with production settings — DEBUG off, a
   generated secret key, 127.0.0.1 as the only host, whitenoise for static
   files — except DJANGO_SECURE_SSL_REDIRECT=0 and DJANGO_SECURE_COOKIES=0,
   because this is plain HTTP on loopback and the load generator cannot
   follow an HTTPS redirect or send a Secure cookie over HTTP;
4. logs in as a therapist and as a guardian through the login form;
5. drives wrk (one thread, 8 connections, bench/wrk.lua) at every endpoint
   in 1 s chunks interleaved with chunks of the baseline (baseline, endpoint,
   endpoint, baseline, …): every endpoint is reported against the baseline
   measured in the same seconds;
6. reads each worker's peak resident memory (VmHWM), counts "database is
   locked" in the server's log;
7. weighs each page as a phone's first visit downloads it, with and without
   gzip (bench/weight.py: HTML, charts, static files; requests; budgets);
8. tops the measured child's audit trail up to 100,000 events, resets the
   workers' peak memory and downloads the child's JSON and zip exports:
   time, size and the workers' peak (issue 15's target: under 150 MB);
9. stops the server and writes bench/results/<date>-<db>-<N>.md (and a
   summary across runs).

Only ever 127.0.0.1. Bounded: about 14 s per endpoint, about 18 minutes for
the whole `make bench` on a 2-core machine (half a minute of it to seed each
data set the first time).
"""

import argparse
import http.client
import json
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
from datetime import UTC, datetime
from http.cookies import SimpleCookie
from pathlib import Path

from bench import weight

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench" / ".data"
RESULTS = ROOT / "bench" / "results"
LUA = ROOT / "bench" / "wrk.lua"
VENV_BIN = ROOT / ".venv" / "bin"
PYTHON = str(VENV_BIN / "python") if (VENV_BIN / "python").exists() else sys.executable
GUNICORN = str(VENV_BIN / "gunicorn") if (VENV_BIN / "gunicorn").exists() else "gunicorn"
PASSWORD = "bench-password-2026"  # noqa: S105 (seed_demo's published benchmark password)
HOST = "127.0.0.1"  # the only address this harness ever sends traffic to

# The issue's targets, reported (not enforced): ratios to the baseline measured in the same run.
PAGE_MIN_RATIO, PAGE_MAX_P99_RATIO = 0.5, 4.0
CACHED_CHART_MIN_RATIO, COLD_CHART_MAX_FLOOR_RATIO = 0.8, 2.0
WRITE_MIN_RATIO, WORKER_MAX_MB = 0.3, 150
EXPORT_EVENTS = 100_000  # issue 15: a child with this many audit events exports with workers under WORKER_MAX_MB
REMINDER_RUN_MAX_SECONDS = 30  # issue 17: a reminder run over 2,000 children


def log(message: str) -> None:
    print(f"[bench {datetime.now():%H:%M:%S}] {message}", flush=True)


# --- tools and databases -----------------------------------------------------------------


def ensure_wrk() -> str:
    """wrk's path; installs Debian's package when running as root with apt-get, else says how."""
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() == 0 and shutil.which("apt-get"):
        log("wrk is missing: installing Debian's package (apt-get install -y wrk)")
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=False)  # noqa: S607
        found = shutil.which("wrk")
        if not found:
            subprocess.run(["apt-get", "update", "-qq"], check=False)  # noqa: S607
            subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=False)  # noqa: S607
            found = shutil.which("wrk")
    if not found:
        sys.exit("The benchmark needs wrk: `sudo apt-get install wrk` (Debian/Ubuntu) or `brew install wrk`.")
    return found


def redis_reachable(url: str) -> bool:
    parsed = urllib.parse.urlparse(url)
    try:
        import redis  # noqa: F401  (Django's RedisCache needs the client library)

        with socket.create_connection((parsed.hostname or HOST, parsed.port or 6379), timeout=1):
            return True
    except (ImportError, OSError):
        return False


def database_url(db: str, children: int, pg_base: str) -> str:
    if db == "sqlite":
        return f"sqlite:///{DATA / f'bench_{children}.sqlite3'}"
    return f"{pg_base.rstrip('/')}/bench_{children}"


def ensure_database(db: str, url: str, pg_base: str, children: int) -> bool:
    """Make the run's database if it is missing; True when it had to be made (so it needs seeding)."""
    if db == "sqlite":
        return not Path(url.removeprefix("sqlite:///")).exists()
    import psycopg

    name = f"bench_{children}"  # a fixed name: N is an integer
    with psycopg.connect(f"{pg_base.rstrip('/')}/postgres", autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            return False
        conn.execute(f'CREATE DATABASE "{name}"')
        return True


def manage(env: dict, *args: str) -> subprocess.CompletedProcess:
    result = subprocess.run(  # noqa: S603 (our own manage.py with fixed arguments)
        [PYTHON, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        sys.exit(f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result


def prepare(env: dict, url: str, children: int, seed: int, reseed: bool) -> dict:
    """Migrate, load the catalogue, and seed unless this size and seed are already there."""
    manage(env, "migrate", "--verbosity", "0")
    manage(env, "createcachetable")
    manage(env, "load_catalogue", "--verbosity", "0")
    state_file = DATA / "state.json"
    state = json.loads(state_file.read_text()) if state_file.exists() else {}
    wanted = {"children": children, "seed": seed}
    if not reseed and {k: state.get(url, {}).get(k) for k in wanted} == wanted:
        log(f"reusing the data seeded on {state[url]['date']} ({children} children, seed {seed})")
        return {"seeded": False, **state[url]}
    log(f"seeding {children} children (seed {seed}) …")
    started = time.monotonic()
    output = manage(env, "seed_demo", "--children", str(children), "--seed", str(seed), "--reset").stdout
    made = re.search(r"Made in ([\d.]+) s", output)
    state[url] = {**wanted, "date": datetime.now(UTC).date().isoformat(), "seed_seconds": float(made.group(1))}
    state_file.write_text(json.dumps(state, indent=2))
    log(f"seeded in {time.monotonic() - started:.0f} s:\n{output}")
    return {"seeded": True, **state[url], "output": output}


# --- the server --------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def start_server(env: dict, port: int, workers: int, log_path: Path) -> subprocess.Popen:
    server_env = {**env, "GUNICORN_BIND": f"{HOST}:{port}", "WEB_CONCURRENCY": str(workers)}
    with open(log_path, "w") as log_file:
        proc = subprocess.Popen(  # noqa: S603
            [GUNICORN, "-c", "config/gunicorn.py", "config.wsgi:application"],
            cwd=ROOT,
            env=server_env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            sys.exit(f"gunicorn exited:\n{log_path.read_text()}")
        try:
            status, _, _ = http_request(port, "GET", "/accounts/login/")
            if status == 200 and len(worker_pids(proc.pid)) == workers:
                return proc
        except OSError:
            pass
        time.sleep(0.3)
    stop_server(proc)
    sys.exit(f"gunicorn did not answer on {HOST}:{port} within 90 s:\n{log_path.read_text()}")


def stop_server(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def forget_cached(redis_url: str, prefix: str) -> None:
    """Delete this run's pages and charts from Redis: every run has its own key prefix, so they are never read again."""
    import redis

    client = redis.Redis.from_url(redis_url)
    keys = list(client.scan_iter(match=f"{prefix}:*", count=1000))
    for start in range(0, len(keys), 1000):
        client.delete(*keys[start : start + 1000])


def drawn_entries(redis_url: str, prefix: str) -> int:
    """How many pages and charts this run has put in Redis: each one a request that found nothing to serve."""
    import redis

    client = redis.Redis.from_url(redis_url)
    # The backend's keys are "<KEY_PREFIX>:<version>:<key>"; pages are "page:…" and charts "chart:…".
    return sum(sum(1 for _ in client.scan_iter(match=f"{prefix}:*:{kind}:*", count=1000)) for kind in ("page", "chart"))


def worker_pids(master: int) -> list[int]:
    try:
        return [int(pid) for pid in Path(f"/proc/{master}/task/{master}/children").read_text().split()]
    except OSError:
        return []


def memory_of(pid: int) -> dict:
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmHWM", "VmRSS"):
            fields[name] = round(int(value.split()[0]) / 1024, 1)
    return {"pid": pid, "peak_mb": fields.get("VmHWM"), "rss_mb": fields.get("VmRSS")}


def http_request(port: int, method: str, path: str, body: str = "", headers: dict | None = None):
    conn = http.client.HTTPConnection(HOST, port, timeout=30)
    try:
        conn.request(method, path, body=body or None, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.headers, response.read().decode(errors="replace")
    finally:
        conn.close()


def login(port: int, email: str) -> dict:
    """POST the login form with its CSRF token; return the session and CSRF cookies."""
    cookies = SimpleCookie()
    _, headers, html = http_request(port, "GET", "/accounts/login/")
    for value in headers.get_all("Set-Cookie") or []:
        cookies.load(value)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    body = urllib.parse.urlencode({"username": email, "password": PASSWORD, "csrfmiddlewaretoken": token})
    status, headers, _ = http_request(
        port,
        "POST",
        "/accounts/login/",
        body,
        {"Content-Type": "application/x-www-form-urlencoded", "Cookie": f"csrftoken={cookies['csrftoken'].value}"},
    )
    for value in headers.get_all("Set-Cookie") or []:
        cookies.load(value)
    if status != 302 or "sessionid" not in cookies:
        sys.exit(f"Logging in as {email} failed (HTTP {status}).")
    return {"sessionid": cookies["sessionid"].value, "csrftoken": cookies["csrftoken"].value}


# --- load --------------------------------------------------------------------------------


def run_wrk(wrk: str, port: int, endpoint: dict, session: dict, args, cold_days: list[str]) -> dict:
    env = {
        **os.environ,
        "BENCH_METHOD": endpoint["method"],
        "BENCH_PATH": endpoint["path"],
        "BENCH_COOKIE": f"sessionid={session['sessionid']}; csrftoken={session['csrftoken']}",
        "BENCH_CSRF": session["csrftoken"],
        "BENCH_BODY": endpoint.get("body", ""),
        "BENCH_COLD_DAYS": ",".join(cold_days) if endpoint.get("cold") else "",
        "BENCH_HTMX": "1" if endpoint.get("htmx") else "",
    }
    command = [wrk, "-t1", f"-c{args.connections}", f"-d{args.duration}s", "--timeout", "10s", "-s", str(LUA)]
    result = subprocess.run(  # noqa: S603
        [*command, f"http://{HOST}:{port}/"], env=env, capture_output=True, text=True, check=False
    )
    found = re.search(r"^BENCH_RESULT (.*)$", result.stdout, re.MULTILINE)
    if not found:
        sys.exit(f"wrk failed for {endpoint['name']}:\n{result.stdout}\n{result.stderr}")
    raw = json.loads(found.group(1))
    seconds = raw["duration_us"] / 1e6
    socket_errors = sum(raw[k] for k in ("connect_errors", "read_errors", "write_errors", "timeouts"))
    return {
        "requests": raw["requests"],
        "seconds": seconds,
        "rps": raw["requests"] / seconds if seconds else 0.0,
        "p50_ms": raw["p50_us"] / 1000,
        "p99_ms": raw["p99_us"] / 1000,
        "errors": raw["status_errors"] + socket_errors,
    }


def drain(port: int, workers: int) -> None:
    """Wait until the requests wrk left queued are served, so they do not slow the next endpoint."""
    for _ in range(workers * 2):
        http_request(port, "GET", "/accounts/login/")


def warm_up(wrk: str, port: int, endpoint: dict, session: dict, args) -> None:
    if endpoint.get("cold"):
        return  # every request must be a first render
    quick = argparse.Namespace(connections=args.connections, duration=1)
    run_wrk(wrk, port, endpoint, session, quick, [])
    drain(port, args.workers)


def in_process(env: dict, module: str, out: Path, *args: str) -> dict:
    """Run `bench.<module>` with the run's settings; it writes its measurements to `out` as JSON."""
    run = subprocess.run(  # noqa: S603 (our own module, fixed arguments)
        [PYTHON, "-m", f"bench.{module}", str(out), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if run.returncode != 0:
        sys.exit(f"bench/{module}.py failed:\n{run.stdout}\n{run.stderr}")
    return json.loads(out.read_text())


def run_one(db: str, children: int, args, wrk: str, use_redis: bool) -> dict:
    """One database at one size: seed, probe, serve, load every endpoint, write the table."""
    started = time.monotonic()
    url = database_url(db, children, args.pg_url)
    created = ensure_database(db, url, args.pg_url, children)
    stamp = datetime.now(UTC)
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_", "REDIS_"))},
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": HOST,
        # Plain HTTP on loopback: no HTTPS redirect, no Secure-only cookies (see the module docstring).
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DJANGO_SECURE_COOKIES": "0",
        "DATABASE_URL": url,
        "BENCH_CACHE_PREFIX": f"bench-{stamp:%Y%m%d%H%M%S}-{db}-{children}",
    }
    if use_redis:
        env["REDIS_URL"] = args.redis_url
    log(f"== {db}, {children} children ({url})")
    data = prepare(env, url, children, args.seed, args.reseed or created)

    log("probing: query counts and chart render cost (in-process) …")
    probed = in_process(env, "probe", DATA / f"probe-{db}-{children}.json")
    log("the reminder run over the whole data set (in-process, rolled back) …")
    reminder_run = in_process(env, "reminders", DATA / f"reminders-{db}-{children}.json")
    log("PDF reports of the oldest child: cold, repeated, memory after 20 (in-process, rolled back) …")
    report_run = in_process(env, "reports", DATA / f"reports-{db}-{children}.json", probed["targets"]["child"])
    probed["endpoints"].append(report_run["endpoint"])  # the stored report's download, loaded like the pages

    port = free_port()
    log_path = DATA / f"gunicorn-{db}-{children}.log"
    log(f"starting gunicorn ({args.workers} sync workers) on {HOST}:{port}")
    load_before = os.getloadavg()
    server = start_server(env, port, args.workers, log_path)
    try:
        first_workers = worker_pids(server.pid)
        sessions = {"therapist": login(port, probed["targets"]["therapist"])}
        sessions["guardian"] = login(port, probed["targets"]["guardian"])
        sessions["writer"] = login(port, probed["targets"]["writer"])
        baseline, *endpoints = probed["endpoints"]
        chunk = argparse.Namespace(connections=args.connections, duration=args.chunk)
        warm_up(wrk, port, baseline, sessions["therapist"], args)
        rows = []
        for endpoint in endpoints:
            warm_up(wrk, port, endpoint, sessions[endpoint["who"]], args)
            offset, cold_sent = log_path.stat().st_size, 0
            entries_before = drawn_entries(args.redis_url, env["BENCH_CACHE_PREFIX"]) if use_redis else None
            runs = {"endpoint": [], "baseline": []}
            for which in interleaving(args.rounds):
                target = endpoint if which == "endpoint" else baseline
                # A cold chart's chunks go on through the list of days, so no request meets a chart drawn before.
                days = probed["cold_days"][cold_sent:] if target.get("cold") else []
                measured = run_wrk(wrk, port, target, sessions[target["who"]], chunk, days)
                cold_sent += measured["requests"] + args.connections if target.get("cold") else 0
                drain(port, args.workers)
                runs[which].append(measured)
            with open(log_path, errors="replace") as server_log:
                server_log.seek(offset)
                new_lines = server_log.read()
            row = {**endpoint, **paired(runs["endpoint"], runs["baseline"])}
            row["locked"] = new_lines.count("database is locked")
            row["tracebacks"] = new_lines.count("Traceback")
            row["queries"] = probed["queries"].get(endpoint["name"], {}).get("queries")
            row["drawn_queries"] = probed["queries"].get(endpoint["name"], {}).get("drawn_queries")
            row["cold_days"] = len(probed["cold_days"]) if endpoint.get("cold") else None
            if use_redis and endpoint["method"] == "GET":
                row["drawn"] = drawn_entries(args.redis_url, env["BENCH_CACHE_PREFIX"]) - entries_before
            rows.append(row)
            log(
                f"{endpoint['name']:34} {row['rps']:8.1f} req/s (baseline {row['base_rps']:6.1f})  "
                f"p50 {row['p50_ms']:7.1f} ms  p99 {row['p99_ms']:7.1f} ms  errors {row['errors']}  "
                f"locked {row['locked']}"
            )
        counted = probed["queries"].get(baseline["name"], {})
        rows = [baseline_row(rows, {**baseline, "queries": counted.get("queries"), "drawn_queries": None}), *rows]
        workers = [memory_of(pid) for pid in worker_pids(server.pid)]
        restarted = sorted(set(first_workers) - {w["pid"] for w in workers})
        log("weighing pages as a phone downloads them (bench/weight.py) …")
        cookies = {who: f"sessionid={s['sessionid']}; csrftoken={s['csrftoken']}" for who, s in sessions.items()}
        weights = weight.measure(port, probed["weight_pages"], cookies)
        for row in weights:
            log(
                f"{row['name']:30} HTML {row['html_gzip'] / 1000:6.1f} kB gzipped ({row['html_plain'] / 1000:.1f}); "
                f"first visit {row['total_gzip'] / 1000:6.1f} kB in {row['requests']} requests: {weight.verdict(row)}"
            )
        exported = measure_export(env, port, server.pid, sessions["guardian"], probed["targets"]["child"])
    finally:
        stop_server(server)
        if use_redis:
            forget_cached(args.redis_url, env["BENCH_CACHE_PREFIX"])
    preloaded = "Preloaded the URLconf and matplotlib" in log_path.read_text(errors="replace")
    result = {
        "db": db,
        "children": children,
        "stamp": stamp.isoformat(timespec="seconds"),
        "data": {k: v for k, v in data.items() if k != "output"},
        "probe": {
            k: probed.get(k) for k in ("targets", "queries", "render", "health", "missing", "observations", "children")
        },
        "reminders": reminder_run,
        "reports": report_run,
        "rows": rows,
        "workers": workers,
        "restarted_workers": restarted,
        "export": exported,
        "weight": weights,
        "preloaded": preloaded,
        "cache": "Redis" if use_redis else "database cache table",
        "load": {"before": load_before, "after": os.getloadavg()},
        "args": {"rounds": args.rounds, "chunk": args.chunk, "connections": args.connections, "workers": args.workers},
        "seconds": round(time.monotonic() - started),
    }
    path = RESULTS / f"{stamp:%Y-%m-%d}-{db}-{children}.md"
    path.write_text(markdown(result))
    (DATA / f"result-{db}-{children}.json").write_text(json.dumps(result, indent=2, default=str))
    log(f"wrote {path.relative_to(ROOT)} ({result['seconds']} s)")
    for worker in workers:
        log(f"worker {worker['pid']}: peak RSS {worker['peak_mb']} MB (now {worker['rss_mb']} MB)")
    return result


# --- the export of a long audit trail -------------------------------------------------------


def reset_peak(pid: int) -> bool:
    """Reset a process's peak resident memory (VmHWM) to its current size (Linux, same user or root)."""
    try:
        Path(f"/proc/{pid}/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def measure_export(env: dict, port: int, master: int, session: dict, child: str) -> list[dict]:
    """Export a child with EXPORT_EVENTS audit events as JSON and as a zip: time, size, workers' peak memory.

    The workers' peaks are reset first, so the figure is what the export itself took them to. Each
    download is read in 64 kB pieces, as a browser would, by a client that keeps none of it.
    """
    top_up = subprocess.run(  # noqa: S603 (our own module, fixed arguments)
        [PYTHON, "-m", "bench.audit_trail", child, str(EXPORT_EVENTS)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if top_up.returncode != 0:
        sys.exit(f"bench/audit_trail.py failed:\n{top_up.stdout}\n{top_up.stderr}")
    events = int(top_up.stdout.strip())
    measured = []
    for kind in ("json", "zip"):
        pids = worker_pids(master)
        reset = all(reset_peak(pid) for pid in pids)
        before = {pid: memory_of(pid)["rss_mb"] for pid in pids}
        cookie = f"sessionid={session['sessionid']}; csrftoken={session['csrftoken']}"
        conn = http.client.HTTPConnection(HOST, port, timeout=300)
        started, size = time.monotonic(), 0
        try:
            conn.request("GET", f"/children/{child}/export.{kind}", headers={"Cookie": cookie})
            response = conn.getresponse()
            while piece := response.read(65536):
                size += len(piece)
            status = response.status
        finally:
            conn.close()
        seconds = time.monotonic() - started
        peaks = [memory_of(pid) for pid in pids]
        row = {
            "kind": kind,
            "status": status,
            "events": events,
            "seconds": round(seconds, 2),
            "mb": round(size / 1e6, 1),
            "peak_mb": max((w["peak_mb"] or 0) for w in peaks),
            "rss_before_mb": max(before.values() or [0]),
            "peak_reset": reset,
        }
        measured.append(row)
        log(
            f"export.{kind} of a child with {events:,} audit events: HTTP {status}, {row['mb']} MB in "
            f"{row['seconds']} s; worker peak {row['peak_mb']} MB (resident before {row['rss_before_mb']} MB)"
        )
    return measured


# --- reporting ---------------------------------------------------------------------------


def interleaving(rounds: int) -> list[str]:
    """The order of an endpoint's chunks: baseline, endpoint, endpoint, baseline, and so on.

    Why chunks, and in this order: on a shared machine the baseline moved from
    535 to 900 requests/s within one run, and a fixed Python loop took 53–101 ms
    from one second to the next (2026-11-23). An endpoint measured in other
    seconds than its baseline would carry that swing into its ratio; chunks a
    second apart see the same machine, and the mirrored order cancels a steady
    drift.
    """
    pair = ["baseline", "endpoint"]
    return [which for i in range(rounds) for which in (pair if i % 2 == 0 else pair[::-1])]


def paired(endpoint_runs: list[dict], baseline_runs: list[dict]) -> dict:
    """An endpoint's figures from its chunks, with those of the baseline chunks measured between them.

    Throughput is requests over time across all chunks; p50 and p99 are the
    means of the chunks' own percentiles.
    """

    def combined(runs: list[dict]) -> dict:
        seconds = sum(run["seconds"] for run in runs)
        return {
            "requests": sum(run["requests"] for run in runs),
            "rps": sum(run["requests"] for run in runs) / seconds if seconds else 0.0,
            "p50_ms": sum(run["p50_ms"] for run in runs) / len(runs),
            "p99_ms": sum(run["p99_ms"] for run in runs) / len(runs),
            "errors": sum(run["errors"] for run in runs),
        }

    endpoint, base = combined(endpoint_runs), combined(baseline_runs)
    return {
        **endpoint,
        "base_rps": base["rps"],
        "base_p50": base["p50_ms"],
        "base_p99": base["p99_ms"],
        "base_errors": base["errors"],
        "base_chunks": [run["rps"] for run in baseline_runs],
    }


def baseline_row(rows: list[dict], baseline: dict) -> dict:
    """The baseline's own row: every chunk of it in the run, with the range of their throughput."""
    chunks = [rps for row in rows for rps in row["base_chunks"]]
    n = len(rows)
    return {
        **baseline,
        "rps": sum(row["base_rps"] for row in rows) / n,
        "p50_ms": sum(row["base_p50"] for row in rows) / n,
        "p99_ms": sum(row["base_p99"] for row in rows) / n,
        "errors": sum(row["base_errors"] for row in rows),
        "locked": 0,
        "chunks": len(chunks),
        "rps_range": (min(chunks), max(chunks)),
        "base_rps": sum(row["base_rps"] for row in rows) / n,
        "base_p99": sum(row["base_p99"] for row in rows) / n,
    }


def _baseline(rows: list[dict]) -> tuple[float, float]:
    """The run's baseline: the mean throughput and p99 of all its chunks."""
    return rows[0]["base_rps"], rows[0]["base_p99"]


def _queries(row: dict) -> str:
    """The served count, and the drawn count in brackets when it differs."""
    served, drawn = row.get("queries"), row.get("drawn_queries")
    if served is None:
        return "–"
    return str(served) if drawn in (None, served) else f"{served} [{drawn}]"


def _verdict(row: dict, db: str) -> str:
    ratio, p99_ratio = row["rps"] / row["base_rps"], row["p99_ms"] / row["base_p99"]
    name = row["name"]
    if name.startswith("baseline"):
        return ""
    if " cold" in name:
        return "see render table"
    if " cached" in name:
        return "ok" if ratio >= CACHED_CHART_MIN_RATIO else f"below {CACHED_CHART_MIN_RATIO}×"
    if "save" in name:
        problems = []
        if db == "postgresql" and ratio < WRITE_MIN_RATIO:
            problems.append(f"below {WRITE_MIN_RATIO}×")
        if row["errors"] or row["locked"]:
            problems.append("errors")
        return ", ".join(problems) or "ok"
    problems = []
    if ratio < PAGE_MIN_RATIO:
        problems.append(f"below {PAGE_MIN_RATIO}×")
    if p99_ratio > PAGE_MAX_P99_RATIO:
        problems.append(f"p99 over {PAGE_MAX_P99_RATIO:g}×")
    return ", ".join(problems) or "ok"


def markdown(result: dict) -> str:
    rows, db = result["rows"], result["db"]
    base = rows[0]
    targets = result["probe"]["targets"]
    data = result["data"]
    how = f"generated in {data['seed_seconds']} s" if data.get("seeded") else f"seeded {data['date']}, reused"
    commit = subprocess.run(  # noqa: S603
        ["git", "rev-parse", "--short", "HEAD"],  # noqa: S607 (read-only)
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    args = result["args"]
    lines = [
        f"# Benchmark: {db}, {result['children']:,} children — {result['stamp']}",
        "",
        f"- Commit {commit or 'unknown'} (with any uncommitted changes in the tree), Python "
        f"{platform.python_version()}, {os.cpu_count()} cores; load average before/after "
        f"{result['load']['before'][0]:.2f} / {result['load']['after'][0]:.2f} (other processes share this machine).",
        f"- gunicorn, {args['workers']} sync workers, preload ({'URLconf and matplotlib preloaded' if result['preloaded'] else 'NOT preloaded'}); "  # noqa: E501
        f"production settings over plain HTTP on 127.0.0.1; cache: {result['cache']}.",
        f"- wrk, 1 thread, {args['connections']} connections. Each endpoint: a 1 s warm-up (none for cold charts), "
        f"then {args['rounds']} chunks of {args['chunk']} s interleaved with {args['rounds']} chunks of the baseline "
        "(baseline, endpoint, endpoint, baseline, …); its ratios are to the baseline chunks measured between its "
        f"own (the 'baseline req/s' column). The baseline's {base['chunks']} chunks in this run ranged from "
        f"{base['rps_range'][0]:.0f} to {base['rps_range'][1]:.0f} req/s.",
        f"- Data: {result['probe']['children']:,} children, {result['probe']['observations']:,} observations "
        f"(seed {data['seed']}, {how}). Pages load {targets['therapist']}'s oldest child "
        f"({targets['child_observations']} observations, {targets['child_age_days']} days old; caseload "
        f"{targets['caseload']}), the {targets['domain']} checklist and the {targets['skill']} skill; "
        f"guardian {targets['guardian']}. Saves go to another child on the caseload (guardian "
        f"{targets['writer']}), so they never grow the history the pages read.",
        "",
        "| page | req/s | baseline req/s | × baseline | p50 ms | p99 ms | p99 × baseline | errors | db locked "
        "| SQL queries | target |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for row in rows:
        lines.append(
            f"| {row['name']} | {row['rps']:.1f} | {row['base_rps']:.1f} | {row['rps'] / row['base_rps']:.2f} | "
            f"{row['p50_ms']:.1f} | {row['p99_ms']:.1f} | {row['p99_ms'] / row['base_p99']:.1f} | {row['errors']} | "
            f"{row['locked']} | {_queries(row)} | {_verdict(row, db)} |"
        )
    cold = [r for r in rows if r.get("cold")]
    if any(r["requests"] > (r["cold_days"] or 0) for r in cold):
        lines += ["", "Note: a cold chart run sent more requests than there were distinct days; later ones hit."]
    lines += [
        "",
        "Errors are non-2xx/3xx responses plus socket errors and timeouts; 'db locked' counts "
        "\"database is locked\" in the server's log. SQL queries: one request with Django's test client and "
        "CaptureQueriesContext against the same database: the second load, as the load test repeats it (a "
        "page or chart served from the cache; a cold chart with a new date), then the first load in brackets "
        "when it differs (the page drawn, since each run's cache starts empty).",
        "",
    ]
    lines += cache_lines(rows)
    render = result["probe"]["render"]
    if render:
        lines += [
            "## Chart render cost (in-process, median of 5 cold requests)",
            "",
            "Against matplotlib's floor measured in the same process: a bare Figure of the same size and format "
            "with one line. A cold request includes its queries and the cache write.",
            "",
            "| chart | size px | cold ms | floor ms | × floor | cached hit ms | target (≤ 2× floor) |",
            "|---|---|---:|---:|---:|---:|---|",
        ]
        for name, cost in render.items():
            verdict = "ok" if cost["ratio_to_floor"] <= COLD_CHART_MAX_FLOOR_RATIO else "over"
            size = "×".join(map(str, cost["size_px"]))
            lines.append(
                f"| {name} | {size} | {cost['cold_ms']} | {cost['floor_ms']} | {cost['ratio_to_floor']} | "
                f"{cost['cached_ms']} | {verdict} |"
            )
        lines.append("")
    for missing in result["probe"]["missing"]:
        lines.append(f"- TODO: {missing} has no URL yet; not measured.")
    if result["probe"].get("health"):
        lines += health_lines(result["probe"]["health"])
    if result.get("weight"):
        lines += weight.markdown(result["weight"])
    if result.get("reminders"):
        lines += reminder_lines(result["reminders"])
    if result.get("reports"):
        lines += report_lines(result["reports"], result["rows"])
    lines += ["## Worker memory after the run", "", "| worker pid | peak RSS (VmHWM) MB | RSS now MB | target |"]
    lines.append("|---|---:|---:|---|")
    for worker in result["workers"]:
        verdict = "ok" if (worker["peak_mb"] or 0) < WORKER_MAX_MB else f"over {WORKER_MAX_MB} MB"
        lines.append(f"| {worker['pid']} | {worker['peak_mb']} | {worker['rss_mb']} | {verdict} |")
    if result["restarted_workers"]:
        lines.append(f"\nWorkers replaced during the run (timeout or crash): {result['restarted_workers']}")
    lines += [
        "",
        f"## Export of a child with {EXPORT_EVENTS:,} audit events",
        "",
        "After the load: the child's audit trail topped up to the figure, each worker's peak memory reset, "
        "then the download read in 64 kB pieces.",
        "",
        "| export | HTTP | events | seconds | MB sent | worker peak RSS MB | resident before MB | target |",
        "|---|---|---:|---:|---:|---:|---:|---|",
    ]
    for row in result.get("export", []):
        verdict = "ok" if row["peak_mb"] < WORKER_MAX_MB and row["peak_reset"] else f"over {WORKER_MAX_MB} MB"
        lines.append(
            f"| {row['kind']} | {row['status']} | {row['events']:,} | {row['seconds']} | {row['mb']} | "
            f"{row['peak_mb']} | {row['rss_before_mb']} | {verdict} |"
        )
    return "\n".join(lines) + "\n"


def cache_lines(rows: list[dict]) -> list[str]:
    """The shared cache's section (Redis runs only): how many of each page's requests were served without drawing."""
    counted = [row for row in rows if row.get("drawn") is not None]
    if not counted:
        return []
    lines = [
        "## Pages and charts served from the cache (Redis, django-redis)",
        "",
        "Drawn: new page and chart entries in Redis under this run's key prefix during the endpoint's measured "
        "chunks, each one a request that found nothing in a worker's memory or in Redis. A cached page should "
        "draw nothing once warmed up; a cold chart draws every request by design.",
        "",
        "| page | requests | drawn | served from the cache |",
        "|---|---:|---:|---:|",
    ]
    for row in counted:
        if row.get("cold"):
            # Each request asks for a new day; requests still in flight when a chunk ends draw too, uncounted.
            served = "none, by design"
        else:
            served = f"{max(0.0, 1 - row['drawn'] / row['requests']) if row['requests'] else 0.0:.1%}"
        lines.append(f"| {row['name']} | {row['requests']:,} | {row['drawn']:,} | {served} |")
    return [*lines, ""]


def health_lines(health: dict) -> list[str]:
    """The health endpoints' section: what a load balancer probing every second costs a worker."""
    lines = [
        "## Health endpoints (in-process, Django's test client)",
        "",
        "A load balancer may probe every second (config/health.py): the cost per call, over consecutive calls.",
        "",
        "| path | calls | µs per call | SQL queries per call | HTTP status |",
        "|---|---:|---:|---:|---|",
    ]
    for path, cost in health.items():
        statuses = ", ".join(map(str, cost["statuses"]))
        per_call = f"{cost['us_per_call']} | {cost['queries_per_call']:g}"
        lines.append(f"| {path} | {cost['calls']} | {per_call} | {statuses} |")
    return [*lines, ""]


def reminder_lines(run: dict) -> list[str]:
    """The reminder run's section: time and queries against the targets (under 30 s, queries per batch)."""
    batches = max(run["batches"], 1)
    verdict = "ok" if run["seconds"] < REMINDER_RUN_MAX_SECONDS else f"over {REMINDER_RUN_MAX_SECONDS} s"
    kinds = ", ".join(f"{kind} {count:,}" for kind, count in sorted(run["by_kind"].items())) or "none"
    return [
        "## Reminder run (in-process, every kind due, rolled back)",
        "",
        "| children | seconds | SQL queries | batches | queries per batch | emails | target |",
        "|---:|---:|---:|---:|---:|---:|---|",
        f"| {run['children']:,} | {run['seconds']} | {run['queries']} | {batches} | {run['queries'] / batches:.1f} "
        f"| {run['sent']:,} | {verdict} (< {REMINDER_RUN_MAX_SECONDS} s) |",
        "",
        f"Emails by kind: {kinds}; batches of up to {run['batch_size']} children or therapists, each a fixed "
        "number of queries (tracker/reminders.py).",
        "",
    ]


REPORT_MAX_SECONDS = {"family": 3, "therapist": 5}  # issue 16, cold, the oldest seeded child
REPORT_WORKER_MAX_MB = 200  # issue 16: a worker after 20 reports


def report_lines(run: dict, rows: list[dict]) -> list[str]:
    """The PDF reports' section: cold renders with the renderer's split, the repeat, memory after 20."""
    lines = [
        f"## PDF reports (oldest child, {run['child_age_days'] / 365.25:.1f} years; in-process, rolled back)",
        "",
        f"Load average {run['load_before'][0]:.1f} before, {run['load_after'][0]:.1f} after (2 cores): the wall "
        "time includes waiting for a core; the CPU time is what the render costs on an idle one.",
        "",
        "| report | seconds | CPU s | data | charts | HTML | layout | PDF (draws the SVG) | pages | kB | target |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for key, kind, label in (
        ("family_first", "family", "family, first in the process"),
        ("family", "family", "family, cold"),
        ("therapist", "therapist", "therapist (joint), cold"),
    ):
        row, split = run[key], run[key]["split"]
        limit = REPORT_MAX_SECONDS[kind]
        verdict = "ok" if row["seconds"] < limit else f"over {limit} s"
        lines.append(
            f"| {label} | {row['seconds']} | {row['cpu_seconds']} | {split['data']} | {split['charts']} | "
            f"{split['html']} | {split['layout']} | {split['pdf']} | {row['pages']} | {row['kb']} | "
            f"{verdict} (< {limit} s) |"
        )
    served = next((row for row in rows if row["name"] == run["endpoint"]["name"]), None)
    ratio = f"{served['rps'] / served['base_rps']:.2f}× the baseline" if served and served["base_rps"] else "not loaded"
    memory = "ok" if run["rss_after_mb"] < REPORT_WORKER_MAX_MB else f"over {REPORT_WORKER_MAX_MB} MB"
    lines += [
        "",
        f"- Repeat of an unchanged report: found by its fingerprint in {run['repeat']['seconds'] * 1000:.1f} ms, "
        f"drawn again: {run['repeat']['drawn']}; its download under load: {ratio} (target ≥ 0.5×).",
        f"- Resident memory after {run['memory_reports']} reports: {run['rss_after_mb']} MB "
        f"(started at {run['rss_start_mb']} MB): {memory} (< {REPORT_WORKER_MAX_MB} MB).",
        "",
    ]
    return lines


def summary(results: list[dict]) -> str:
    """Throughput ratio and query count of every page across the runs, side by side."""
    runs = [(r["db"], r["children"]) for r in results]
    lines = [
        f"# Benchmark summary — {results[0]['stamp'][:10]}",
        "",
        "× baseline throughput (SQL queries served [drawn]) per run. The count that must not change with size is "
        "the served one, what the load test repeats. A drawn page's count can differ with what the measured "
        "child's records hold, never with their number: the team timeline fetches each kind of entry on its "
        "first page in one query (notes with their skills and goals, observations, goal reviews, team changes) "
        "and skips a kind that is not there, so it draws in 6 to 12.",
        "",
        "| page | " + " | ".join(f"{db} {n:,}" for db, n in runs) + " | same served queries at every size |",
        "|---|" + "---:|" * len(runs) + "---|",
    ]
    names = [r["name"] for r in results[0]["rows"]]
    for name in names:
        cells, counts = [], {}
        for result in results:
            row = next((r for r in result["rows"] if r["name"] == name), None)
            if row is None:
                cells.append("–")
                continue
            cells.append(f"{row['rps'] / row['base_rps']:.2f} ({_queries(row)})")
            counts.setdefault(result["db"], set()).add(row["queries"])
        same = all(len(c) == 1 for c in counts.values())
        lines.append(f"| {name} | " + " | ".join(cells) + f" | {'yes' if same else 'NO'} |")
    lines += ["", "| run | baseline req/s | baseline p99 ms | worker peak RSS MB | cache |", "|---|---:|---:|---|---|"]
    for result in results:
        base_rps, base_p99 = _baseline(result["rows"])
        peaks = ", ".join(str(w["peak_mb"]) for w in result["workers"])
        label = f"{result['db']} {result['children']:,}"
        lines.append(f"| {label} | {base_rps:.1f} | {base_p99:.1f} | {peaks} | {result['cache']} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--db", default="sqlite,postgresql", help="sqlite, postgresql or both (comma-separated)")
    parser.add_argument("--children", default="200,2000", help="sizes, comma-separated (default 200,2000)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--reseed", action="store_true", help="seed again even if the data is there")
    parser.add_argument("--rounds", type=int, default=6, help="chunks of each endpoint and of the baseline (default 6)")
    parser.add_argument("--chunk", type=int, default=1, help="seconds per chunk (default 1)")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--pg-url", default=os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432"))
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0"))
    parser.add_argument("--cache", choices=["auto", "redis", "db"], default="auto")
    args = parser.parse_args()
    for url in (args.pg_url, args.redis_url):
        if urllib.parse.urlparse(url).hostname not in (HOST, "localhost"):
            sys.exit(f"The benchmark only talks to services on this machine, not {url}.")
    dbs = [d.strip() for d in args.db.split(",") if d.strip()]
    if not set(dbs) <= {"sqlite", "postgresql"}:
        sys.exit("--db takes sqlite, postgresql or both.")
    sizes = [int(n) for n in args.children.split(",")]
    wrk = ensure_wrk()
    use_redis = args.cache == "redis" or (args.cache == "auto" and redis_reachable(args.redis_url))
    DATA.mkdir(parents=True, exist_ok=True)
    (DATA / ".gitignore").write_text("# Benchmark databases, logs and probe output: generated, never committed.\n*\n")
    RESULTS.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    log("collecting static files (whitenoise serves them)")
    static_env = {**os.environ, "DJANGO_DEBUG": "0", "DJANGO_SECRET_KEY": "collectstatic-only-" + "x" * 40}
    manage(static_env, "collectstatic", "--noinput", "--verbosity", "0")
    results = [run_one(db, n, args, wrk, use_redis) for db in dbs for n in sizes]
    if len(results) > 1:
        runs = "-".join(f"{r['db']}-{r['children']}" for r in results)
        path = RESULTS / f"{results[0]['stamp'][:10]}-summary-{runs}.md"
        path.write_text(summary(results))
        log(f"wrote {path.relative_to(ROOT)}")
    log(f"done in {time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    main()
