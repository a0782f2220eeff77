"""The benchmark's report (bench/run.py): each endpoint is measured against the baseline slices around it."""

import pytest

from bench.run import _verdict, baseline_row, with_references


def _run(name: str, rps: float, p99: float = 10.0) -> dict:
    return {"name": name, "rps": rps, "p50_ms": p99 / 2, "p99_ms": p99, "errors": 0, "locked": 0}


def test_each_endpoint_is_compared_with_the_slices_either_side():
    # The machine slows down during the run: the baseline falls from 1,000 to 500 requests/s.
    slices = [_run("baseline", 1000, 10), _run("baseline", 800, 12), _run("baseline", 500, 20)]
    rows = with_references([_run("caseload", 450, 30), _run("checklist", 300, 50)], slices)
    assert [(row["base_rps"], row["base_p99"]) for row in rows] == [(900, 11), (650, 16)]
    # 300 requests/s is 0.46× the slices around it; against the run's mean (766.7) it would read 0.39×.
    assert round(rows[1]["rps"] / rows[1]["base_rps"], 2) == 0.46
    assert _verdict(rows[1], "postgresql") == "below 0.5×"
    assert _verdict(rows[0], "postgresql") == "ok"


def test_the_baseline_row_is_the_mean_of_its_slices_with_their_range():
    row = baseline_row([_run("baseline", 1000, 10), _run("baseline", 800, 12), _run("baseline", 600, 20)])
    assert (row["rps"], row["base_rps"], row["p99_ms"], row["slices"]) == (800, 800, 14, 3)
    assert row["rps_range"] == (600, 1000)
    assert _verdict(row, "sqlite") == ""


def test_a_missing_slice_is_refused_rather_than_misaligned():
    with pytest.raises(ValueError, match="one after each"):
        with_references([_run("caseload", 450), _run("checklist", 300)], [_run("baseline", 1000)] * 2)
