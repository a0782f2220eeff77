"""Progress on long management commands: a bar on a terminal, plain periodic lines otherwise.

`seed_demo` runs for one to two minutes, a backup or restore of a large database for longer;
silence looks like a hang. On a terminal (the command's stdout is a tty) a bar is redrawn in place
at most ten times a second; in a log file, a cron mail or CI, where a redrawn bar is noise, a plain
line is written at every tenth of the work and at least every `interval` seconds. Nothing at
`--verbosity 0`. Written to the command's own stdout (Django's OutputWrapper or any stream), so
`call_command(..., stdout=...)` captures it. Twenty lines of our own rather than tqdm: the commands
need a bar, a percentage and an elapsed time, nothing more.
"""

import threading
import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")
BAR_WIDTH = 30
REDRAW_EVERY = 0.1  # seconds between two redraws of a terminal bar


class Progress:
    """How far a command is: `advance()` as work is done, `finish()` at the end (or use it as a context manager).

    `total` None means the amount of work is not known in advance: a count and the elapsed time are shown.
    """

    def __init__(
        self,
        out,
        label: str,
        *,
        total: int | None = None,
        unit: str = "",
        verbosity: int = 1,
        interval: float = 10.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.out, self.label, self.total, self.unit = out, label, total, unit
        self.quiet = verbosity < 1
        self.tty = bool(getattr(out, "isatty", lambda: False)())
        self.interval, self.clock = interval, clock
        self.done = 0
        self.started = self.last_line = clock()
        self.last_step = 0  # tenths of the total already reported
        self.last_draw = float("-inf")

    def __enter__(self) -> "Progress":
        return self

    def __exit__(self, kind, error, traceback) -> None:
        if kind is None:
            self.finish()
        elif self.tty and not self.quiet:
            self._write("\n")

    def advance(self, amount: int = 1) -> None:
        self.update(self.done + amount)

    def update(self, done: int) -> None:
        """Say that `done` units of work are finished."""
        self.done = done
        if self.quiet:
            return
        now = self.clock()
        if self.tty:
            if now - self.last_draw >= REDRAW_EVERY:
                self.last_draw = now
                self._write("\r" + self.describe(now, bar=True))
            return
        step = self.done * 10 // self.total if self.total else 0
        if step > self.last_step or now - self.last_line >= self.interval:
            self.last_step, self.last_line = max(step, self.last_step), now
            self._write(self.describe(now) + "\n")

    def finish(self) -> None:
        if self.quiet:
            return
        now = self.clock()
        if self.tty:
            self._write("\r" + self.describe(now, bar=True) + "\n")
        elif self.total is None or self.last_step < 10:
            self._write(self.describe(now) + "\n")

    def describe(self, now: float, *, bar: bool = False) -> str:
        """`label [#####-----] 50% 100/200 children, 12 s` (a bar only for a terminal)."""
        unit = f" {self.unit}" if self.unit else ""
        elapsed = f"{now - self.started:.0f} s"
        if not self.total:
            return f"{self.label}: {self.done:,}{unit}, {elapsed}" if unit else f"{self.label}: {elapsed}"
        share = min(self.done / self.total, 1.0)
        drawn = f"[{'#' * round(share * BAR_WIDTH):{BAR_WIDTH}}] " if bar else ""
        return f"{self.label}: {drawn}{share:4.0%} {self.done:,}/{self.total:,}{unit}, {elapsed}"

    def _write(self, text: str) -> None:
        try:
            self.out.write(text, ending="")  # Django's OutputWrapper adds a newline unless told not to
        except TypeError:
            self.out.write(text)
        flush = getattr(self.out, "flush", None)
        if flush is not None:
            flush()


def while_running(
    progress: Progress, work: Callable[[], T], *, measure: Callable[[], int] | None = None, tick: float = 0.5
) -> T:
    """Run `work()` here while a second thread reports elapsed time and, if given, `measure()` (bytes written, say).

    For one long call that reports nothing itself (pg_dump, pg_restore, SQLite's backup in one step).
    """
    stop = threading.Event()

    def report() -> None:
        while not stop.wait(tick):
            progress.update(measure() if measure else progress.done)

    ticker = threading.Thread(target=report, daemon=True)
    ticker.start()
    try:
        result = work()
    finally:
        stop.set()
        ticker.join()
    if measure:
        progress.update(measure())
    progress.finish()
    return result


def file_size(path) -> Callable[[], int]:
    """A `measure` for `while_running`: the size of a file being written, in MB (0 before it exists)."""

    def size() -> int:
        try:
            return path.stat().st_size // 2**20
        except OSError:
            return 0

    return size
