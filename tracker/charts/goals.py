"""Chart 4, goal attainment: each goal's GAS level at each review, and the overall GAS T-score over time.

A goal's baseline level (if set) counts from the day the goal was set; after
that, each review's level holds until the next review. On every date where
some goal's level changes, the T-score is computed (Kiresuk & Sherman, equal
weights unless set, rho = 0.3; see tracker/gas.py) over the goals that have a
level by then.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.template.defaultfilters import pluralize
from matplotlib.dates import AutoDateLocator, ConciseDateFormatter

from .. import ages, gas
from . import base

LEVELS = (-2, -1, 0, 1, 2)
LEVEL_LABELS = {-2: "−2", -1: "−1", 0: "0", 1: "+1", 2: "+2"}
LEGEND_CHARS = 40  # a goal's name in the legend, which has the figure's width to itself
LEVELS_PX, GAP_PX, T_PX, AXIS_PX = 130, 16, 90, 44  # the two panels, top to bottom, and the date axis
LEFT_PX, RIGHT_PX = 62, 14


@dataclass(frozen=True)
class GoalInput:
    """A goal as plain data: its reviews are (date, level) pairs, oldest first."""

    key: object
    label: str
    set_on: date
    weight: int = 1
    baseline: int | None = None
    reviews: tuple[tuple[date, int], ...] = ()


@dataclass(frozen=True)
class LevelPoint:
    on: date
    level: int
    baseline: bool = False

    @property
    def level_label(self) -> str:
        return f"{self.level:+d}" if self.level else "0"


@dataclass(frozen=True)
class GoalLine:
    number: int
    key: object
    label: str
    weight: int
    points: tuple[LevelPoint, ...]

    @property
    def name(self) -> str:
        return f"G{self.number}"

    @property
    def latest(self) -> LevelPoint | None:
        return self.points[-1] if self.points else None


@dataclass(frozen=True)
class TScorePoint:
    on: date
    t: float
    goals: int  # how many goals had a level on that date


@dataclass(frozen=True)
class GoalChart:
    lines: tuple[GoalLine, ...]
    t_scores: tuple[TScorePoint, ...]
    current_t: float | None  # on the chart's last day, from the whole history
    start: date | None
    on: date
    goal_count: int = field(default=0)

    width_px = base.WIDTH_PX
    title = "Goal attainment (GAS)"

    @property
    def subtitle(self) -> str:
        if not self.t_scores:
            return ""
        return f"Latest overall T-score {self.t_scores[-1].t:.1f} (50 = every goal at its expected outcome)"

    @property
    def keys(self) -> list[base.Key]:
        """The legend: one entry per goal with levels in the period, then the baseline's open marker."""
        keys = []
        for index, line in enumerate(self.lines):
            if not line.points:
                continue
            colour = base.SERIES_COLOURS[index % len(base.SERIES_COLOURS)]
            marker = base.SERIES_MARKERS[index % len(base.SERIES_MARKERS)]
            label = f"{line.name} {base.shorten(line.label, LEGEND_CHARS)}"
            keys.append(base.Key(label, "line", (("color", colour), ("marker", marker), ("markersize", 7))))
        baseline = (("marker", "o"), ("markerfacecolor", "white"), ("markeredgecolor", "black"), ("markersize", 7))
        return [*keys, base.Key("baseline", "marker", baseline)]

    @property
    def height_px(self) -> int:
        if not self.t_scores:
            return base.HEIGHT_PX
        return base.header_px(self.subtitle) + LEVELS_PX + GAP_PX + T_PX + AXIS_PX + base.legend_px(self.keys)

    @property
    def line(self) -> str:
        """What the lines are, in one sentence."""
        return (
            "Each line is one goal's attainment level at its reviews (−2 much less than expected to +2 much "
            "more), and the black line the overall GAS T-score (50 = every goal met as expected)."
        )

    @property
    def has_levels(self) -> bool:
        return any(line.points for line in self.lines)

    def alt_text(self) -> str:
        if not self.goal_count:
            return f"{self.title}: no goals set yet."
        if not self.t_scores:
            return (
                f"{self.title}: {self.goal_count} goal{pluralize(self.goal_count)}, no levels recorded in this period."
            )
        latest = ", ".join(f"{line.name} {line.latest.level_label}" for line in self.lines if line.latest)
        first, last = self.t_scores[0], self.t_scores[-1]
        return (
            f"{self.title}: latest levels {latest}; overall T-score {first.t:.1f} on {ages.date_in_words(first.on)}, "
            f"{last.t:.1f} on {ages.date_in_words(last.on)}. The tables below list every review."
        )


def data(goals: Sequence[GoalInput], *, on: date, start: date | None = None) -> GoalChart:
    """Each goal's levels and the T-score series, up to `on` (and from `start`, if given)."""
    timelines = []
    for goal in goals:
        points = [LevelPoint(day, level) for day, level in goal.reviews]
        if goal.baseline is not None:
            # The baseline holds from when the goal was set, or from its first review if that came earlier
            # (a goal typed in after the session that set it).
            baseline_on = min([goal.set_on, *(point.on for point in points)])
            points.append(LevelPoint(baseline_on, goal.baseline, baseline=True))
        # By date; on one day the baseline comes first and reviews keep their order.
        points.sort(key=lambda point: (point.on, not point.baseline))
        timelines.append([point for point in points if point.on <= on])

    series = []
    for day in sorted({point.on for points in timelines for point in points}):
        levels, weights = [], []
        for goal, points in zip(goals, timelines, strict=True):
            reached = [point.level for point in points if point.on <= day]
            if reached:
                levels.append(reached[-1])
                weights.append(goal.weight)
        series.append(TScorePoint(on=day, t=round(gas.t_score(levels, weights), 2), goals=len(levels)))

    def in_period(day: date) -> bool:
        return start is None or day >= start

    lines = tuple(
        GoalLine(
            number=number,
            key=goal.key,
            label=goal.label,
            weight=goal.weight,
            points=tuple(point for point in points if in_period(point.on)),
        )
        for number, (goal, points) in enumerate(zip(goals, timelines, strict=True), start=1)
    )
    return GoalChart(
        lines=lines,
        t_scores=tuple(point for point in series if in_period(point.on)),
        current_t=series[-1].t if series else None,
        start=start,
        on=on,
        goal_count=len(goals),
    )


def x_range_of(chart: GoalChart) -> tuple[date, date]:
    """The dates the chart spans: a week either side of its first level (or period start) and its day."""
    first = chart.start or min(point.on for line in chart.lines for point in line.points)
    return first - timedelta(days=7), chart.on + timedelta(days=7)


def render(chart: GoalChart, fmt: str) -> bytes:
    if not chart.goal_count:
        return base.to_bytes(base.message_figure(chart.title, "No goals set yet.", height_px=chart.height_px), fmt)
    if not chart.t_scores:
        message = "No goal levels recorded yet."
        return base.to_bytes(base.message_figure(chart.title, message, height_px=chart.height_px), fmt)
    figure = base.new_figure(chart.width_px, chart.height_px)
    base.title(figure, chart.title, chart.subtitle)
    top = base.header_px(chart.subtitle)
    bottom = AXIS_PX + base.legend_px(chart.keys)
    level_axes = base.add_axes(figure, left=LEFT_PX, right=RIGHT_PX, top=top, bottom=bottom + T_PX + GAP_PX)
    t_axes = base.add_axes(figure, left=LEFT_PX, right=RIGHT_PX, top=top + LEVELS_PX + GAP_PX, bottom=bottom)

    for index, line in enumerate(chart.lines):
        if not line.points:
            continue
        colour = base.SERIES_COLOURS[index % len(base.SERIES_COLOURS)]
        marker = base.SERIES_MARKERS[index % len(base.SERIES_MARKERS)]
        days = [point.on for point in line.points]
        levels = [point.level for point in line.points]
        level_axes.plot(days, levels, color=colour, marker=marker, markersize=7, linewidth=2)
        baselines = [point for point in line.points if point.baseline]
        if baselines:
            level_axes.plot(
                [point.on for point in baselines],
                [point.level for point in baselines],
                linestyle="none",
                marker=marker,
                markersize=7,
                markerfacecolor="white",
                markeredgecolor=colour,
            )
    base.row_labels(level_axes, [LEVEL_LABELS[level] for level in LEVELS], positions=LEVELS, grid=True)
    level_axes.set_ylim(-2.5, 2.5)
    level_axes.set_ylabel("GAS level", labelpad=20)  # points: past the level names, which are not tick labels
    level_axes.axhline(0, color=base.MUTED, linewidth=1)
    base.legend_row(figure, chart.keys)

    days = [point.on for point in chart.t_scores]
    scores = [point.t for point in chart.t_scores]
    # The last T-score holds until the chart's day.
    t_axes.step([*days, chart.on], [*scores, scores[-1]], where="post", color="black", linewidth=2)
    t_axes.plot(days, scores, linestyle="none", marker="o", markersize=6, color="black")
    t_axes.axhline(50, color=base.MUTED, linewidth=1, linestyle="--")
    t_axes.set_ylim(min(30.0, min(scores) - 5), max(70.0, max(scores) + 5))
    t_axes.set_ylabel("T-score")
    first_day, last_day = x_range_of(chart)
    years = f"{first_day.year}" if first_day.year == last_day.year else f"{first_day.year}–{last_day.year}"
    t_axes.set_xlabel(f"review date ({years})", labelpad=2)

    x_range = x_range_of(chart)
    # Dates are read off the lower panel; the upper one has no x ticks (each tick costs a few ms).
    level_axes.set_xlim(*x_range)
    level_axes.set_xticks([])
    locator = AutoDateLocator(maxticks=5)
    t_axes.set_xlim(*x_range)
    t_axes.xaxis.set_major_locator(locator)
    # No offset text: ConciseDateFormatter put a second "2026-Dec" under the last tick, read as an extra
    # tick (issue 14). The year is in the axis label instead.
    t_axes.xaxis.set_major_formatter(ConciseDateFormatter(locator, show_offset=False))
    t_axes.grid(True)
    t_axes.set_axisbelow(True)
    return base.to_bytes(figure, fmt)
