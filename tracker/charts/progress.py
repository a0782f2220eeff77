"""Chart 2, progress over time: the share of expected skills achieved, as a step line against age.

At each age a, a skill is *expected* once the child's age has passed the end
of its window AND someone has recorded it: a skill counts only from the age
of its first record, because before that nobody knew (a four-year-old whose
family ticks 19 baby skills today is not drawn at 0 % for the years before).
The share is how many of the expected skills had "achieved" as their status
at a (the latest observation in force on or before that age). A skill nobody
has recorded never counts: unknown, not missing. A real loss (achieved, then
not yet) does lower the line.

Ages are corrected while correction applies, as the windows are read. At 24
months a baby born early switches to actual age: the axis jumps (a baby born
at 28+0 weeks goes from 21.2 to 24 months in a day) and the skills whose
windows end in between become expected at once. That is a change of
yardstick, not of the child, so the line is drawn in two parts with the
switch marked and explained, never joined by a fall. Skills the family
confirmed as achieved before joining carry estimated dates: the line is
dashed until the first observation someone actually saw. With fewer than two
points there is too little to draw a line, and the chart says so.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from .. import ages
from . import base
from .base import ACHIEVED, ChildAges, Observed, SkillWindow

MIN_POINTS = 2
PLOT_PX, AXIS_PX, LEFT_PX, RIGHT_PX = 170, 44, 66, 14


@dataclass(frozen=True)
class ProgressPoint:
    age: float  # months, corrected while it applies
    expected: int
    achieved: int
    corrected: bool = False  # before the 24-month switch to actual age
    estimated: bool = False  # before the first observation someone saw (dates from "before joining")

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
    # Where corrected age stopped: (corrected age the day before, actual age that day), when the line spans it.
    switch: tuple[float, float] | None = None

    width_px = base.WIDTH_PX

    @property
    def title(self) -> str:
        return f"{self.domain}: expected skills achieved"

    @property
    def subtitle(self) -> str:
        if not self.enough_data:
            return ""
        last = self.points[-1]
        return f"Achieved of the recorded skills past their window's end: now {last.achieved} of {last.expected}"

    @property
    def keys(self) -> list[base.Key]:
        """The legend: the line, and the dashed part, the 24-month switch, goals and notes when drawn."""
        keys = [base.Key("achieved of expected", "line", (("color", self.colour), ("linewidth", 2.5)))]
        if any(point.estimated for point in self.points):
            dashed = (("color", self.colour), ("linewidth", 2.5), ("linestyle", "--"))
            keys.append(base.Key("before joining (estimated)", "line", dashed))
        if self.switch is not None:
            keys.append(base.Key("24 months: actual age from here", "line", (("color", "black"), ("linestyle", ":"))))
        for marked, marker, label in ((self.goal_ages, "v", "goal set"), (self.note_ages, "^", "note")):
            if marked:
                keys.append(base.Key(label, "marker", (("marker", marker), ("color", "black"), ("markersize", 7))))
        return keys

    @property
    def height_px(self) -> int:
        if not self.enough_data:
            return base.HEIGHT_PX
        return base.header_px(self.subtitle) + PLOT_PX + AXIS_PX + base.legend_px(self.keys)

    @property
    def latest(self) -> ProgressPoint | None:
        return self.points[-1] if self.points else None

    @property
    def enough_data(self) -> bool:
        return len(self.points) >= MIN_POINTS

    @property
    def line(self) -> str:
        """What the line is, in one sentence."""
        return (
            "The line is the share of recorded skills, past the end of their age window, that were achieved at "
            "each age; a skill counts from the day it was first recorded."
        )

    @property
    def switch_text(self) -> str:
        if self.switch is None:
            return ""
        before, after = self.switch
        return (
            f"At 24 months corrected age stops: the age moves from {before:.1f} to {after:.1f} months in a day, and "
            "the skills whose windows end in between count from then on. The line is drawn in two parts there: "
            "any step is the new yardstick, not a change in the child."
        )

    def alt_text(self) -> str:
        if not self.has_observations:
            return f"{self.title}: no observations recorded yet."
        if self.latest is None:
            return f"{self.title}: no recorded skill's window has ended yet, so nothing is expected."
        if not self.enough_data:
            last = self.latest
            return (
                f"{self.title}: too little data for a line yet; {last.achieved} of {last.expected} expected skills "
                f"achieved at {last.age:.1f} months."
            )
        first, last = self.points[0], self.latest
        text = (
            f"{self.title}, by age in months: {first.percent:g}% ({first.achieved} of {first.expected}) "
            f"at {first.age:.1f} months, {last.percent:g}% ({last.achieved} of {last.expected}) "
            f"at {last.age:.1f} months."
        )
        if self.switch_text:
            text += " " + self.switch_text
        return text + " The table below lists every step."


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
    end_age = child.months_on(on)
    start_age = child.months_on(start) if start is not None else None
    switch = _switch(child, on)
    points = _points(child, windows, history, start_age, end_age, switch) if history else ()

    def ages_of(days: Iterable[date]) -> tuple[float, ...]:
        return tuple(
            sorted(base.months(child.months_on(day)) for day in days if (start is None or day >= start) and day <= on)
        )

    shown_switch = switch if switch and points and points[0].corrected and not points[-1].corrected else None
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
        switch=(base.months(shown_switch[0]), base.months(shown_switch[1])) if shown_switch else None,
    )


def _switch(child: ChildAges, on: date) -> tuple[float, float] | None:
    """(corrected age the day before, actual age on the day) when correction stopped on or before `on`."""
    if not child.is_preterm:
        return None
    day = ages.correction_ends(child.born)
    if day > on:
        return None
    return child.months_on(day - timedelta(days=1)), child.months_on(day)


def _points(
    child: ChildAges,
    windows: dict[str, float],
    history: list[Observed],
    start_age: float | None,
    end_age: float,
    switch: tuple[float, float] | None,
) -> tuple[ProgressPoint, ...]:
    timeline = [(child.months_on(o.on), o) for o in history]  # ages never decrease with dates
    first_record: dict[str, float] = {}
    for age, observation in timeline:
        first_record.setdefault(observation.skill, age)
    # A skill is expected from the later of its window's end and its first record.
    counted_from = {key: max(windows[key], first) for key, first in first_record.items()}
    seen_first = next((age for age, o in timeline if not o.estimated), None)

    def on_axis(age: float) -> float:
        # Ages inside the switch's jump are never reached: the switch day stands for them.
        if switch is not None and switch[0] < age < switch[1]:
            return switch[1]
        return age

    events = {on_axis(age) for age in counted_from.values() if age <= end_age}
    events |= {age for age, _ in timeline} | {end_age}
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
        expected = [key for key, since in counted_from.items() if on_axis(since) <= age]
        if not expected:
            continue
        achieved = sum(1 for key in expected if status.get(key) == ACHIEVED)
        corrected = switch is not None and age <= switch[0]
        estimated = seen_first is None or age < seen_first
        point = ProgressPoint(
            age=base.months(age), expected=len(expected), achieved=achieved, corrected=corrected, estimated=estimated
        )
        previous = points[-1] if points else None
        unchanged = previous is not None and (previous.expected, previous.achieved, previous.corrected) == (
            point.expected,
            point.achieved,
            point.corrected,
        )
        if unchanged and age != end_age and previous.estimated == point.estimated:
            continue
        points.append(point)
    return tuple(points)


def _segments(points: Sequence[ProgressPoint]) -> list[tuple[list[ProgressPoint], bool]]:
    """Runs of points drawn as one line: split at the correction switch and where estimates end."""
    runs: list[tuple[list[ProgressPoint], bool]] = []
    for point in points:
        if runs and runs[-1][0][-1].corrected == point.corrected and runs[-1][1] == point.estimated:
            runs[-1][0].append(point)
        elif runs and runs[-1][0][-1].corrected == point.corrected:
            # Estimates end: the dashed part reaches the first seen point, so the line stays joined.
            runs[-1][0].append(point)
            runs.append(([point], point.estimated))
        else:
            runs.append(([point], point.estimated))
    return runs


def render(chart: ProgressChart, fmt: str) -> bytes:
    if not chart.has_observations:
        return base.to_bytes(
            base.message_figure(chart.title, "No observations recorded yet.", height_px=chart.height_px), fmt
        )
    if not chart.points:
        message = "No recorded skill's age window has ended yet:\nnothing is expected so far."
        return base.to_bytes(base.message_figure(chart.title, message, height_px=chart.height_px), fmt)
    if not chart.enough_data:
        last = chart.latest
        message = (
            f"Too little data for a line yet: {last.achieved} of {last.expected} expected\n"
            f"skills achieved at {last.age:.1f} months. The line starts with a second record."
        )
        return base.to_bytes(base.message_figure(chart.title, message, height_px=chart.height_px), fmt)
    figure = base.new_figure(chart.width_px, chart.height_px)
    base.title(figure, chart.title, chart.subtitle)
    bottom = AXIS_PX + base.legend_px(chart.keys)
    axes = base.add_axes(figure, left=LEFT_PX, right=RIGHT_PX, top=base.header_px(chart.subtitle), bottom=bottom)
    for run, estimated in _segments(chart.points):
        run_ages = [point.age for point in run]
        shares = [point.percent for point in run]
        style = "--" if estimated else "-"
        axes.step(run_ages, shares, where="post", color=chart.colour, linewidth=2.5, linestyle=style)
        face = "white" if estimated else chart.colour  # an open marker: its age is an estimate
        axes.plot(
            run_ages, shares, linestyle="none", marker="o", markersize=5, color=chart.colour, markerfacecolor=face
        )
    if chart.switch is not None:
        axes.axvline(chart.switch[1], color="black", linestyle=":", linewidth=1.5)
        axes.text(chart.switch[1], 104, "corrected age ends ", ha="right", va="center", color=base.MUTED)
    # Goals along the top, notes along the bottom, so close dates do not hide each other.
    for marked, marker, height in ((chart.goal_ages, "v", 107), (chart.note_ages, "^", -5)):
        if marked:
            axes.plot(marked, [height] * len(marked), linestyle="none", marker=marker, color="black", markersize=7)
    ages_drawn = [point.age for point in chart.points]
    lowest = chart.start_age if chart.start_age is not None else min(0.0, ages_drawn[0])
    axes.set_xlim(lowest - 0.5, chart.age + 0.5)
    axes.set_ylim(-9, 111)
    axes.set_yticks([0, 25, 50, 75, 100])
    axes.set_ylabel("achieved (%)")
    axes.set_xlabel(chart.age_axis_label, labelpad=2)
    axes.grid(True)
    axes.set_axisbelow(True)
    base.legend_row(figure, chart.keys)
    return base.to_bytes(figure, fmt)
