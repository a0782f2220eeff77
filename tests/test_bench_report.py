"""The benchmark's report (bench/run.py): each endpoint is measured in chunks between chunks of the baseline."""

from bench.run import _verdict, baseline_row, cache_lines, interleaving, paired


def _chunk(rps: float, p99: float = 10.0, seconds: float = 1.0) -> dict:
    return {
        "requests": round(rps * seconds),
        "seconds": seconds,
        "rps": rps,
        "p50_ms": p99 / 2,
        "p99_ms": p99,
        "errors": 0,
    }


def test_the_chunks_alternate_in_mirrored_pairs():
    assert interleaving(4) == ["baseline", "endpoint", "endpoint", "baseline"] * 2
    assert interleaving(3).count("baseline") == interleaving(3).count("endpoint") == 3


def test_an_endpoint_is_compared_with_the_baseline_of_the_same_seconds():
    # The machine halves its speed half-way through: both the baseline and the page feel it.
    endpoint = [_chunk(500, 30), _chunk(500, 30), _chunk(250, 60), _chunk(250, 60)]
    baseline = [_chunk(1000, 10), _chunk(1000, 10), _chunk(500, 20), _chunk(500, 20)]
    row = {"name": "checklist", **paired(endpoint, baseline), "locked": 0}
    assert (row["rps"], row["base_rps"]) == (375, 750)  # 1,500 requests in 4 s; 3,000 in 4 s
    assert row["rps"] / row["base_rps"] == 0.5
    assert (row["p99_ms"], row["base_p99"]) == (45, 15)
    assert _verdict(row, "postgresql") == "ok"


def test_a_slower_page_is_reported_below_its_target():
    row = {"name": "caseload", **paired([_chunk(400)] * 2, [_chunk(1000)] * 2), "locked": 0}
    assert _verdict(row, "sqlite") == "below 0.5×"
    save = {"name": "note save", **paired([_chunk(250)] * 2, [_chunk(1000)] * 2), "locked": 0}
    assert _verdict(save, "postgresql") == "below 0.3×"
    assert _verdict(save, "sqlite") == "ok"


def test_the_baseline_row_gathers_every_chunk_of_the_run():
    rows = [
        paired([_chunk(400)] * 2, [_chunk(1000, 10), _chunk(600, 20)]),
        paired([_chunk(300)] * 2, [_chunk(700)] * 2),
    ]
    row = baseline_row(rows, {"name": "baseline", "queries": 2})
    assert row["chunks"] == 4
    assert row["rps_range"] == (600, 1000)
    assert row["rps"] == 750  # the mean of 800 (1,600 requests in 2 s) and 700
    assert row["p99_ms"] == 12.5  # the mean of 15 and 10
    assert row["rps"] / row["base_rps"] == 1
    assert _verdict(row, "sqlite") == ""


def test_throughput_is_all_requests_over_all_the_time_measured():
    # A chunk cut short (wrk stops at its time limit, not a request count) weighs by its own length.
    row = paired([_chunk(400, seconds=1.0), _chunk(200, seconds=0.5)], [_chunk(900), _chunk(600, seconds=0.5)])
    assert (row["requests"], round(row["rps"], 1)) == (500, 333.3)
    assert round(row["base_rps"], 1) == 800.0


def test_the_reminder_run_is_reported_with_queries_per_batch_and_its_target():
    from bench.run import reminder_lines

    run = {"children": 2000, "seconds": 12.5, "queries": 60, "batches": 12, "sent": 4100, "batch_size": 500}
    row = reminder_lines({**run, "by_kind": {"checkpoint": 100, "programme": 4000}})[4]
    assert row == "| 2,000 | 12.5 | 60 | 12 | 5.0 | 4,100 | ok (< 30 s) |"


def test_a_slow_reminder_run_is_reported_over_its_target():
    from bench.run import reminder_lines

    run = {"children": 2000, "seconds": 31, "queries": 60, "batches": 12, "sent": 1, "batch_size": 500, "by_kind": {}}
    assert "over 30 s" in reminder_lines(run)[4]


def test_the_health_endpoints_are_reported_per_call():
    from bench.run import health_lines

    health = {
        "/health/live": {"calls": 500, "us_per_call": 310, "queries_per_call": 0.0, "statuses": [200]},
        "/health/ready": {"calls": 500, "us_per_call": 1450, "queries_per_call": 4.0, "statuses": [200]},
    }
    lines = health_lines(health)
    assert "| /health/live | 500 | 310 | 0 | 200 |" in lines
    assert "| /health/ready | 500 | 1450 | 4 | 200 |" in lines


def test_the_cache_section_reports_the_share_of_requests_served_without_drawing():
    rows = [
        {"name": "baseline", "requests": 900},  # no count: not a cached page
        {"name": "checklist", "requests": 1000, "drawn": 0},
        {"name": "child overview (guardian)", "requests": 400, "drawn": 4},
        {"name": "chart milestones cold", "requests": 50, "drawn": 58, "cold": True},
    ]
    table = "\n".join(cache_lines(rows))
    assert "| checklist | 1,000 | 0 | 100.0% |" in table
    assert "| child overview (guardian) | 400 | 4 | 99.0% |" in table
    assert "| chart milestones cold | 50 | 58 | none, by design |" in table
    assert "baseline" not in table


def test_a_run_without_redis_has_no_cache_section():
    assert cache_lines([{"name": "checklist", "requests": 1000}]) == []
