"""Chart 5, home-programme adherence: practice logged against plan, per activity and week.

Each activity plans `times_per_week` practices in every week it runs (pro rata
in a week it starts or ends part-way through, rounded up). A bar is the share
of the plan logged that week; a week the activity did not run has no bar (not
a zero: nothing was asked). Undone logs are left out before they get here.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from . import base

HARD, DIDNT_MANAGE = "hard", "didnt_manage"
LEGEND_CHARS = 40  # an activity's name in the legend, which has the figure's width to itself
SUBTITLE = "Practice logged as a share of the plan, by week (Monday's date)"
PLOT_PX, AXIS_PX, LEFT_PX, RIGHT_PX = 150, 44, 62, 14
HATCHES = ("", "//", "..", "xx", "\\\\", "oo", "++")


@dataclass(frozen=True)
class ActivityInput:
    key: object
    label: str
    times_per_week: int
    start: date
    end: date | None = None


@dataclass(frozen=True)
class Practised:
    activity: object
    on: date
    how: str = ""


@dataclass(frozen=True)
class WeekCell:
    """One activity in one week: planned (0 if it did not run), logged, and how many felt hard or did not work."""

    week: date  # the Monday
    planned: int
    done: int
    hard: int = 0
    didnt_manage: int = 0

    @property
    def share(self) -> float | None:
        """Logged as a share of the plan; None in a week the activity did not run."""
        return self.done / self.planned if self.planned else None

    @property
    def percent(self) -> str:
        return "—" if self.share is None else f"{round(self.share * 100)} %"


@dataclass(frozen=True)
class ActivityRow:
    number: int
    key: object
    label: str
    times_per_week: int
    cells: tuple[WeekCell, ...]

    @property
    def name(self) -> str:
        return f"A{self.number}"

    @property
    def planned(self) -> int:
        return sum(cell.planned for cell in self.cells)

    @property
    def done(self) -> int:
        return sum(cell.done for cell in self.cells)


@dataclass(frozen=True)
class AdherenceChart:
    weeks: tuple[date, ...]
    rows: tuple[ActivityRow, ...]
    on: date

    width_px = base.WIDTH_PX
    title = "Home practice"

    @property
    def keys(self) -> list[base.Key]:
        """One legend entry per activity: its colour and its hatching."""
        keys = []
        for index, row in enumerate(self.rows):
            colour = base.SERIES_COLOURS[index % len(base.SERIES_COLOURS)]
            style = (("facecolor", colour), ("edgecolor", "black"), ("hatch", HATCHES[index % 7]), ("linewidth", 0.6))
            keys.append(base.Key(f"{row.name} {base.shorten(row.label, LEGEND_CHARS)}", "patch", style))
        return keys

    @property
    def height_px(self) -> int:
        if not self.rows:
            return base.HEIGHT_PX
        return base.header_px(SUBTITLE) + PLOT_PX + AXIS_PX + base.legend_px(self.keys)

    @property
    def line(self) -> str:
        return (
            "Each bar is one activity's practice logged in a week, as a share of what was planned "
            "(the dashed line is 100 %, the plan)."
        )

    @property
    def has_practice_plan(self) -> bool:
        return any(row.planned for row in self.rows)

    def alt_text(self) -> str:
        if not self.rows:
            return f"{self.title}: no home activities in the last {len(self.weeks)} weeks."
        parts = ", ".join(f"{row.name} {row.label}: {row.done} of {row.planned} planned" for row in self.rows)
        return f"{self.title} over the last {len(self.weeks)} weeks: {parts}. The table below lists every week."


def _days_running(item: ActivityInput, monday: date, until: date) -> int:
    first = max(monday, item.start)
    last = min(monday + timedelta(days=6), item.end or until + timedelta(days=365))
    return max(0, (last - first).days + 1)


def data(
    activities: Sequence[ActivityInput], practised: Sequence[Practised], *, on: date, weeks: int = 8
) -> AdherenceChart:
    """Per activity and week (the last `weeks` weeks to `on`'s week): planned, logged, hard, didn't manage."""
    this_monday = on - timedelta(days=on.weekday())
    mondays = tuple(this_monday - timedelta(weeks=n) for n in range(weeks - 1, -1, -1))
    rows = []
    for number, item in enumerate(activities, start=1):
        cells = []
        for monday in mondays:
            days = _days_running(item, monday, on)
            planned = math.ceil(item.times_per_week * days / 7) if days else 0
            sunday = monday + timedelta(days=6)
            logged = [p for p in practised if p.activity == item.key and monday <= p.on <= sunday]
            cells.append(
                WeekCell(
                    week=monday,
                    planned=planned,
                    done=len(logged),
                    hard=sum(1 for p in logged if p.how == HARD),
                    didnt_manage=sum(1 for p in logged if p.how == DIDNT_MANAGE),
                )
            )
        rows.append(
            ActivityRow(
                number=number, key=item.key, label=item.label, times_per_week=item.times_per_week, cells=tuple(cells)
            )
        )
    return AdherenceChart(weeks=mondays, rows=tuple(rows), on=on)


def last_weeks(chart: AdherenceChart, weeks: int) -> AdherenceChart:
    """The same chart cut to its last `weeks` weeks, keeping each activity's number (A1, A2 …).

    An activity that did not run in those weeks is left out, so a long report's chart stays readable
    while its table, numbered the same way, covers the whole period.
    """
    if weeks >= len(chart.weeks):
        return chart
    rows = tuple(
        ActivityRow(
            number=row.number,
            key=row.key,
            label=row.label,
            times_per_week=row.times_per_week,
            cells=row.cells[-weeks:],
        )
        for row in chart.rows
        if any(cell.planned for cell in row.cells[-weeks:])
    )
    return AdherenceChart(weeks=chart.weeks[-weeks:], rows=rows, on=chart.on)


def render(chart: AdherenceChart, fmt: str) -> bytes:
    if not chart.rows:
        message = "No home activities in these weeks."
        return base.to_bytes(base.message_figure(chart.title, message, chart.width_px, chart.height_px), fmt)
    figure = base.new_figure(chart.width_px, chart.height_px)
    base.title(figure, chart.title, SUBTITLE)
    bottom = AXIS_PX + base.legend_px(chart.keys)
    axes = base.add_axes(figure, left=LEFT_PX, right=RIGHT_PX, top=base.header_px(SUBTITLE), bottom=bottom)
    count = len(chart.rows)
    width = 0.8 / count
    top = 1.0
    for index, row in enumerate(chart.rows):
        colour = base.SERIES_COLOURS[index % len(base.SERIES_COLOURS)]
        # Hatching as well as colour, so the activities stay apart in greyscale and for every colour vision.
        hatch = HATCHES[index % 7]
        xs, heights = [], []
        for position, cell in enumerate(row.cells):
            if cell.share is None:
                continue
            xs.append(position - 0.4 + width * (index + 0.5))
            heights.append(cell.share * 100)
            top = max(top, cell.share)
        axes.bar(xs, heights, width=width * 0.9, color=colour, edgecolor="black", linewidth=0.6, hatch=hatch)
    axes.axhline(100, color=base.MUTED, linewidth=1.2, linestyle="--")
    axes.set_ylim(0, max(110, math.ceil(top * 100 / 25) * 25 + 10))
    axes.set_ylabel("% of plan")
    axes.set_xlim(-0.6, len(chart.weeks) - 0.4)
    # Every other week named: eight dates side by side do not fit across a phone-width chart.
    names = [
        f"{monday.day} {monday:%b}" if (len(chart.weeks) - 1 - i) % 2 == 0 else ""
        for i, monday in enumerate(chart.weeks)
    ]
    axes.set_xticks(range(len(chart.weeks)), names)
    axes.set_xlabel("week starting", labelpad=2)
    axes.grid(True, axis="y")
    axes.set_axisbelow(True)
    base.legend_row(figure, chart.keys)
    return base.to_bytes(figure, fmt)
