"""Chart 2, progress over time: the share of expected skills achieved, as a step line against age.

At each age a, the skills *expected* are the recorded skills (those with at
least one observation in force by the chart's day) whose typical window has
ended (window end ≤ a); the share is how many of those had "achieved" as
their status at a (the latest observation in force on or before that age).
A catalogue skill nobody has recorded is unknown rather than missing, as on
the checklist, so it does not pull the line down: a child who joins the
tracker at four does not start at 5 %.
Ages are corrected while correction applies, as the windows are read, so for
a baby born early the line jumps forward at 24 months when correction stops.
The line steps where either count changes, and ends at the chart's day.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from . import base
from .base import ACHIEVED, ChildAges, Observed, SkillWindow


@dataclass(frozen=True)
class ProgressPoint:
    age: float  # months, corrected while it applies
    expected: int
    achieved: int

    @property
    def percent(self) -> float:
        return round(100 * self.achieved / self.expected, 1)


@dataclass(frozen=True)
class ProgressChart:
    domain: str
    colour: str
    on: date
    age: float
    points: tuple[ProgressPoint, ...]
    goal_ages: tuple[float, ...]
    note_ages: tuple[float, ...]
    start_age: float | None
    has_observations: bool
    age_axis_label: str

    width_px = base.WIDTH_PX
    height_px = base.HEIGHT_PX

    @property
    def title(self) -> str:
        return f"{self.domain}: expected skills achieved"

    @property
    def latest(self) -> ProgressPoint | None:
        return self.points[-1] if self.points else None

    def alt_text(self) -> str:
        if not self.has_observations:
            return f"{self.title}: no observations recorded yet."
        if self.latest is None:
            return f"{self.title}: no skill's typical window has ended yet, so nothing is expected."
        first, last = self.points[0], self.latest
        return (
            f"{self.title}, by age in months: {first.percent:g}% ({first.achieved} of {first.expected}) "
            f"at {first.age:.1f} months, {last.percent:g}% ({last.achieved} of {last.expected}) "
            f"at {last.age:.1f} months. The table below lists every step."
        )


def data(
    *,
    child: ChildAges,
    on: date,
    domain: str,
    colour: str,
    skills: Sequence[SkillWindow],
    observations: Sequence[Observed],
    goal_dates: Iterable[date] = (),
    note_dates: Iterable[date] = (),
    start: date | None = None,
) -> ProgressChart:
    """The step points from birth (or `start`) to `on`; goal and note dates become ages to mark."""
    windows = {skill.key: float(skill.end) for skill in skills if skill.has_window}
    history = [o for o in base.in_force(observations, until=on) if o.skill in windows]
    recorded = {o.skill for o in history}
    ends = {key: end for key, end in windows.items() if key in recorded}
    end_age = child.months_on(on)
    start_age = child.months_on(start) if start is not None else None
    points = _points(child, ends, history, start_age, end_age) if history else ()

    def ages_of(days: Iterable[date]) -> tuple[float, ...]:
        return tuple(
            sorted(base.months(child.months_on(day)) for day in days if (start is None or day >= start) and day <= on)
        )

    return ProgressChart(
        domain=domain,
        colour=colour,
        on=on,
        age=base.months(end_age),
        points=points,
        goal_ages=ages_of(goal_dates),
        note_ages=ages_of(note_dates),
        start_age=base.months(start_age) if start_age is not None else None,
        has_observations=bool(history),
        age_axis_label=child.age_axis_label,
    )


def _points(
    child: ChildAges, ends: dict[str, float], history: list[Observed], start_age: float | None, end_age: float
) -> tuple[ProgressPoint, ...]:
    timeline = [(child.months_on(o.on), o) for o in history]  # ages never decrease with dates
    events = {end for end in ends.values() if end <= end_age} | {age for age, _ in timeline} | {end_age}
    if start_age is not None:
        events = {age for age in events if age >= start_age} | {start_age}
    status: dict[str, str] = {}
    seen = 0
    points: list[ProgressPoint] = []
    for age in sorted(events):
        while seen < len(timeline) and timeline[seen][0] <= age:
            observation = timeline[seen][1]
            status[observation.skill] = observation.status
            seen += 1
        expected = [key for key, end in ends.items() if end <= age]
        if not expected:
            continue
        achieved = sum(1 for key in expected if status.get(key) == ACHIEVED)
        unchanged = points and (points[-1].expected, points[-1].achieved) == (len(expected), achieved)
        if unchanged and age != end_age:
            continue
        points.append(ProgressPoint(age=base.months(age), expected=len(expected), achieved=achieved))
    return tuple(points)


def render(chart: ProgressChart, fmt: str) -> bytes:
    if not chart.has_observations:
        return base.to_bytes(base.message_figure(chart.title, "No observations recorded yet."), fmt)
    if not chart.points:
        message = "No skill's typical age window has ended yet:\nnothing is expected so far."
        return base.to_bytes(base.message_figure(chart.title, message), fmt)
    figure = base.new_figure(chart.width_px, chart.height_px)
    last = chart.points[-1]
    subtitle = f"Share achieved of the recorded skills whose window has ended: now {last.achieved} of {last.expected}"
    base.title(figure, chart.title, subtitle)
    axes = base.add_axes(figure, left=80, right=40, top=70, bottom=100)
    ages = [point.age for point in chart.points]
    shares = [point.percent for point in chart.points]
    axes.step(ages, shares, where="post", color=chart.colour, linewidth=2.5)
    axes.plot(ages, shares, linestyle="none", marker="o", markersize=5, color=chart.colour)
    keys = [base.Key("achieved of expected", "line", (("color", chart.colour), ("linewidth", 2.5)))]
    # Goals along the top, notes along the bottom, so close dates do not hide each other.
    for marked, marker, height, label in ((chart.goal_ages, "v", 107, "goal set"), (chart.note_ages, "^", -5, "note")):
        if marked:
            axes.plot(marked, [height] * len(marked), linestyle="none", marker=marker, color="black", markersize=8)
            keys.append(base.Key(label, "marker", (("marker", marker), ("color", "black"), ("markersize", 8))))
    lowest = chart.start_age if chart.start_age is not None else min(0.0, ages[0])
    axes.set_xlim(lowest - 0.5, chart.age + 0.5)
    axes.set_ylim(-9, 111)
    axes.set_yticks([0, 25, 50, 75, 100])
    axes.set_ylabel("achieved (%)")
    axes.set_xlabel(chart.age_axis_label)
    axes.grid(True)
    axes.set_axisbelow(True)
    base.legend_row(figure, keys)
    return base.to_bytes(figure, fmt)
