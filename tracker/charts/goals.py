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

from .. import gas
from . import base

LEVELS = (-2, -1, 0, 1, 2)
LEVEL_LABELS = {-2: "−2", -1: "−1", 0: "0", 1: "+1", 2: "+2"}
LEGEND_CHARS = 18


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
    height_px = base.HEIGHT_PX
    title = "Goal attainment (GAS)"

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
        return (
            f"{self.title}: latest levels {latest}; overall T-score {self.t_scores[0].t:.1f} on "
            f"{self.t_scores[0].on:%d %b %Y}, {self.t_scores[-1].t:.1f} on {self.t_scores[-1].on:%d %b %Y}. "
            "The tables below list every review."
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


def render(chart: GoalChart, fmt: str) -> bytes:
    if not chart.goal_count:
        return base.to_bytes(base.message_figure(chart.title, "No goals set yet."), fmt)
    if not chart.t_scores:
        return base.to_bytes(base.message_figure(chart.title, "No goal levels recorded yet."), fmt)
    figure = base.new_figure(chart.width_px, chart.height_px)
    subtitle = f"Latest overall T-score {chart.t_scores[-1].t:.1f} (50 = every goal at its expected outcome)"
    base.title(figure, chart.title, subtitle)
    left, right = 90, 250
    level_axes = base.add_axes(figure, left=left, right=right, top=66, bottom=190)
    t_axes = base.add_axes(figure, left=left, right=right, top=236, bottom=56)

    keys = []
    for index, line in enumerate(chart.lines):
        if not line.points:
            continue
        colour = base.SERIES_COLOURS[index % len(base.SERIES_COLOURS)]
        marker = base.SERIES_MARKERS[index % len(base.SERIES_MARKERS)]
        days = [point.on for point in line.points]
        levels = [point.level for point in line.points]
        level_axes.plot(days, levels, color=colour, marker=marker, markersize=8, linewidth=2)
        baselines = [point for point in line.points if point.baseline]
        if baselines:
            level_axes.plot(
                [point.on for point in baselines],
                [point.level for point in baselines],
                linestyle="none",
                marker=marker,
                markersize=8,
                markerfacecolor="white",
                markeredgecolor=colour,
            )
        label = f"{line.name} {base.shorten(line.label, LEGEND_CHARS)}"
        style = (("color", colour), ("marker", marker), ("markersize", 8), ("linewidth", 2))
        keys.append(base.Key(label, "line", style))
    base.row_labels(level_axes, [LEVEL_LABELS[level] for level in LEVELS], positions=LEVELS, fontsize=12, grid=True)
    level_axes.set_ylim(-2.5, 2.5)
    level_axes.set_ylabel("GAS level", labelpad=26)  # points: past the level names, which are not tick labels
    level_axes.axhline(0, color=base.MUTED, linewidth=1)
    baseline = (("marker", "o"), ("markerfacecolor", "white"), ("markeredgecolor", "black"), ("markersize", 8))
    keys.append(base.Key("baseline", "marker", baseline))
    base.legend_column(figure, keys, left_px=800 - right + 16, top_px=76)

    days = [point.on for point in chart.t_scores]
    scores = [point.t for point in chart.t_scores]
    # The last T-score holds until the chart's day.
    t_axes.step([*days, chart.on], [*scores, scores[-1]], where="post", color="black", linewidth=2)
    t_axes.plot(days, scores, linestyle="none", marker="o", markersize=6, color="black")
    t_axes.axhline(50, color=base.MUTED, linewidth=1, linestyle="--")
    t_axes.set_ylim(min(30.0, min(scores) - 5), max(70.0, max(scores) + 5))
    t_axes.set_ylabel("T-score")
    t_axes.set_xlabel("review date")

    first = chart.start or min(point.on for line in chart.lines for point in line.points)
    x_range = (first - timedelta(days=7), chart.on + timedelta(days=7))
    # Dates are read off the lower panel; the upper one has no x ticks (each tick costs a few ms).
    level_axes.set_xlim(*x_range)
    level_axes.set_xticks([])
    locator = AutoDateLocator(maxticks=7)
    t_axes.set_xlim(*x_range)
    t_axes.xaxis.set_major_locator(locator)
    t_axes.xaxis.set_major_formatter(ConciseDateFormatter(locator))
    t_axes.grid(True)
    t_axes.set_axisbelow(True)
    return base.to_bytes(figure, fmt)
