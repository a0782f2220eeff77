"""Progress on long commands: a redrawn bar on a terminal, plain periodic lines otherwise, nothing at verbosity 0."""

import io
import time
from unittest import mock

import pytest
from django.core.management import call_command

from tracker.progress import Progress, while_running


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def lines(out: io.StringIO) -> list[str]:
    return out.getvalue().splitlines()


def test_off_a_terminal_a_line_at_every_tenth():
    out = io.StringIO()
    with Progress(out, "seed_demo", total=200, unit="children", clock=Clock()) as progress:
        for _ in range(200):
            progress.advance()
    written = lines(out)
    assert len(written) == 10
    assert written[0] == "seed_demo:  10% 20/200 children, 0 s"
    assert written[-1] == "seed_demo: 100% 200/200 children, 0 s"
    assert "\r" not in out.getvalue()


def test_off_a_terminal_slow_work_still_reports_every_interval():
    out, clock = io.StringIO(), Clock()
    progress = Progress(out, "export", total=1000, unit="children", interval=10, clock=clock)
    for _ in range(30):
        clock.now += 1
        progress.advance()
    assert lines(out) == [
        "export:   1% 10/1,000 children, 10 s",
        "export:   2% 20/1,000 children, 20 s",
        "export:   3% 30/1,000 children, 30 s",
    ]


def test_on_a_terminal_a_bar_redrawn_in_place():
    out, clock = Terminal(), Clock()
    with Progress(out, "seed_demo", total=4, unit="children", clock=clock) as progress:
        for _ in range(4):
            clock.now += 1
            progress.advance()
    text = out.getvalue()
    assert text.count("\r") == 5  # four redraws and the last
    assert text.endswith(f"\rseed_demo: [{'#' * 30}] 100% 4/4 children, 4 s\n")
    assert f"[{'#' * 15}{' ' * 15}]  50% 2/4" in text


def test_nothing_at_verbosity_zero():
    for out in (io.StringIO(), Terminal()):
        with Progress(out, "backup", total=10, verbosity=0) as progress:
            progress.advance(10)
        assert out.getvalue() == ""


def test_unknown_amount_reports_elapsed_time_while_one_long_call_runs():
    out = io.StringIO()
    progress = Progress(out, "restore", interval=0.05)
    assert while_running(progress, lambda: time.sleep(0.3) or "restored", tick=0.02) == "restored"
    written = lines(out)
    assert len(written) >= 3  # periodic lines, then the last
    assert all(line.startswith("restore: ") and line.endswith(" s") for line in written)


@pytest.mark.django_db
def test_load_catalogue_reports_its_steps_off_a_terminal():
    out = io.StringIO()
    call_command("load_catalogue", verbosity=1, stdout=out)
    progress = [line for line in lines(out) if line.startswith("load_catalogue:")]
    assert [line.split(",")[0] for line in progress] == [
        "load_catalogue:  33% 1/3 steps",
        "load_catalogue:  67% 2/3 steps",
        "load_catalogue: 100% 3/3 steps",
    ]


@pytest.mark.django_db
def test_load_catalogue_is_quiet_at_verbosity_zero():
    out = io.StringIO()
    call_command("load_catalogue", verbosity=0, stdout=out)
    assert out.getvalue() == ""


@pytest.mark.django_db
def test_seed_demo_reports_children_done_off_a_terminal():
    out = io.StringIO()
    call_command("seed_demo", children=5, seed=3, stdout=out)
    assert "seed_demo: 100% 5/5 children" in out.getvalue()


@pytest.mark.django_db
def test_seed_demo_shows_no_progress_at_verbosity_zero():
    out = io.StringIO()
    call_command("seed_demo", children=5, seed=3, verbosity=0, stdout=out)
    assert "seed_demo:" not in out.getvalue()


def slow_backup(destination, *, alias):
    """Stands in for the database copy (tests/reliability covers the real one): 3 MB over 0.3 s."""
    with open(destination, "wb") as file:
        for _ in range(3):
            file.write(b"x" * 2**20)
            file.flush()
            time.sleep(0.1)
    return destination


def test_backup_reports_megabytes_written_and_is_quiet_at_verbosity_zero(tmp_path):
    out, quiet = io.StringIO(), io.StringIO()
    with mock.patch("tracker.backup.backup", side_effect=slow_backup):
        call_command("backup", output=str(tmp_path / "one.sqlite3"), stdout=out)
        call_command("backup", output=str(tmp_path / "two.sqlite3"), verbosity=0, stdout=quiet)
    assert lines(out)[0].startswith("backup: 3 MB written, ")
    assert lines(out)[1].startswith("Backed up the default database to ")
    assert quiet.getvalue() == ""


@pytest.mark.django_db
def test_send_reminders_reports_batches_but_not_in_json(settings):
    out = io.StringIO()
    call_command("send_reminders", stdout=out)
    assert lines(out)[0].startswith("reminders: ")
    assert " batches, " in lines(out)[0]
    assert ", 0 stuck (claimed by a run that stopped" in lines(out)[-1]
    as_json = io.StringIO()
    call_command("send_reminders", "--json", stdout=as_json)
    assert as_json.getvalue().startswith("{") and '"stuck": 0' in as_json.getvalue()
