"""Chart 3, skill history: one skill's status, and level of assistance where recorded, against age.

Withdrawn observations (taken back, or replaced by a correction) are left
out; the skill's age window is shaded for context, named by what it means.
An observation the family confirmed as achieved before joining has an
estimated date: an open marker, and "estimated" in the table.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from django.template.defaultfilters import pluralize

from .. import status
from . import base
from .base import ChildAges, Observed, SkillWindow

STATUSES = ("not_yet", "emerging", "achieved")
STATUS_LABELS = {"not_yet": "not yet", "emerging": "emerging", "achieved": "achieved"}
# From most help to none, as the model's Assistance choices (reference/README.md §6).
ASSISTANCE = (
    "dependent",
    "maximal",
    "moderate",
    "minimal",
    "contact_guard",
    "supervision",
    "modified_independent",
    "independent",
)
ASSISTANCE_LABELS = {
    "dependent": "dependent",
    "maximal": "maximal assist",
    "moderate": "moderate assist",
    "minimal": "minimal assist",
    "contact_guard": "contact guard",
    "supervision": "supervision",
    "modified_independent": "mod. independent",
    "independent": "independent",
}
STATUS_PX, HELP_PX, PANEL_GAP_PX, AXIS_PX = 80, 150, 30, 44  # panels top to bottom, and the age axis
LEFT_PX, RIGHT_PX = 142, 14  # "mod. independent" left of the lower panel
TITLE_CHARS = 44
WINDOW_COLOUR = base.OKABE_ITO["sky_blue"]
LINE_COLOUR = base.OKABE_ITO["blue"]
HELP_COLOUR = base.OKABE_ITO["vermillion"]


@dataclass(frozen=True)
class HistoryPoint:
    on: date
    age: float
    status: str
    assistance: str = ""
    estimated: bool = False

    @property
    def status_label(self) -> str:
        label = STATUS_LABELS[self.status]
        return f"{label} (before joining, date estimated)" if self.estimated else label

    @property
    def assistance_label(self) -> str:
        return ASSISTANCE_LABELS.get(self.assistance, "")


@dataclass(frozen=True)
class SkillHistoryChart:
    skill: str
    window: tuple[float, float] | None
    on: date
    age: float
    points: tuple[HistoryPoint, ...]
    start_age: float | None
    age_axis_label: str
    window_words: str = ""

    width_px = base.WIDTH_PX

    @property
    def keys(self) -> list[base.Key]:
        """The legend: the age window and the open marker of an estimated date, when drawn."""
        keys = []
        if self.window is not None:
            start, end = self.window
            label = f"age window {start:g}–{end:g} months"
            keys.append(base.Key(label, "patch", (("facecolor", WINDOW_COLOUR), ("alpha", 0.25))))
        if any(point.estimated for point in self.points):
            style = (("marker", "o"), ("markersize", 7), ("markerfacecolor", "white"), ("markeredgecolor", LINE_COLOUR))
            keys.append(base.Key("before joining (date estimated)", "marker", style))
        return keys

    @property
    def height_px(self) -> int:
        if not self.points:
            return base.HEIGHT_PX
        panels = STATUS_PX + (PANEL_GAP_PX + HELP_PX if self.has_assistance else 0)
        return base.header_px() + panels + AXIS_PX + base.legend_px(self.keys)

    @property
    def title(self) -> str:
        return f"{self.skill}: history"

    @property
    def line(self) -> str:
        """What the line is, in one sentence."""
        return "The line is the skill's recorded status at each age, from not yet through emerging to achieved."

    @property
    def has_assistance(self) -> bool:
        return any(point.assistance for point in self.points)

    def alt_text(self) -> str:
        if not self.points:
            return f"{self.title}: no observations recorded."
        first, last = self.points[0], self.points[-1]
        count = len(self.points)
        text = (
            f"{self.title}: {count} observation{pluralize(count)} from age {first.age:.1f} to {last.age:.1f} months; "
            f"latest {last.status_label}"
        )
        if last.assistance:
            text += f" ({last.assistance_label})"
        return text + ". The table below lists each observation."


def data(
    *,
    child: ChildAges,
    on: date,
    skill: SkillWindow,
    observations: Sequence[Observed],
    start: date | None = None,
) -> SkillHistoryChart:
    """The skill's observations in force, oldest first, from `start` (if given) to `on`."""
    points = tuple(
        HistoryPoint(
            on=o.on,
            age=base.months(child.months_on(o.on)),
            status=o.status,
            assistance=o.assistance if o.assistance in ASSISTANCE_LABELS else "",
            estimated=o.estimated,
        )
        for o in base.in_force(observations, until=on)
        if o.skill == skill.key and (start is None or o.on >= start)
    )
    return SkillHistoryChart(
        skill=skill.name,
        window=(float(skill.start), float(skill.end)) if skill.has_window else None,
        on=on,
        age=base.months(child.months_on(on)),
        points=points,
        start_age=base.months(child.months_on(start)) if start is not None else None,
        age_axis_label=child.age_axis_label,
        window_words=status.window_in_words(skill.norm),
    )


def render(chart: SkillHistoryChart, fmt: str) -> bytes:
    if not chart.points:
        return base.to_bytes(
            base.message_figure(chart.title, "No observations of this skill recorded.", height_px=chart.height_px), fmt
        )
    figure = base.new_figure(chart.width_px, chart.height_px)
    base.title(figure, base.shorten(chart.title, TITLE_CHARS))
    top = base.header_px() + 14  # room for the panel's own title
    bottom = AXIS_PX + base.legend_px(chart.keys)
    if chart.has_assistance:
        status_axes = base.add_axes(
            figure, left=LEFT_PX, right=RIGHT_PX, top=top, bottom=bottom + HELP_PX + PANEL_GAP_PX
        )
        help_axes = base.add_axes(
            figure, left=LEFT_PX, right=RIGHT_PX, top=top + STATUS_PX + PANEL_GAP_PX - 14, bottom=bottom
        )
        all_axes = (status_axes, help_axes)
    else:
        status_axes = base.add_axes(figure, left=LEFT_PX, right=RIGHT_PX, top=top, bottom=bottom)
        help_axes = None
        all_axes = (status_axes,)

    ages = [point.age for point in chart.points]
    lowest = min(ages) if chart.start_age is None else min(chart.start_age, min(ages))
    x_range = (lowest - 1, chart.age + 1)

    # The last recorded status holds until the chart's day.
    levels = [STATUSES.index(point.status) for point in chart.points]
    status_axes.step([*ages, chart.age], [*levels, levels[-1]], where="post", color=LINE_COLOUR, linewidth=2.5)
    for estimated in (False, True):
        shown = [
            (point.age, level)
            for point, level in zip(chart.points, levels, strict=True)
            if point.estimated == estimated
        ]
        if shown:
            status_axes.plot(
                [age for age, _ in shown],
                [level for _, level in shown],
                linestyle="none",
                marker="o",
                markersize=7,
                color=LINE_COLOUR,
                markerfacecolor="white" if estimated else LINE_COLOUR,
            )
    base.row_labels(status_axes, [STATUS_LABELS[s] for s in STATUSES])
    status_axes.set_ylim(-0.5, len(STATUSES) - 0.5)
    status_axes.set_title("status", loc="left", fontsize=base.FONT_PT, pad=3)

    if help_axes is not None:
        helped = [(point.age, ASSISTANCE.index(point.assistance)) for point in chart.points if point.assistance]
        help_axes.plot(
            [age for age, _ in helped],
            [level for _, level in helped],
            color=HELP_COLOUR,
            marker="s",
            markersize=6,
            linewidth=1.5,
            linestyle=":",
        )
        base.row_labels(help_axes, [ASSISTANCE_LABELS[a] for a in ASSISTANCE])
        help_axes.set_ylim(-0.5, len(ASSISTANCE) - 0.5)
        help_axes.set_title("level of assistance", loc="left", fontsize=base.FONT_PT, pad=3)
        status_axes.tick_params(labelbottom=False)

    for axes in all_axes:
        if chart.window is not None:
            axes.axvspan(*chart.window, color=WINDOW_COLOUR, alpha=0.25, linewidth=0)
        axes.set_xlim(*x_range)
        axes.grid(True)
        axes.set_axisbelow(True)
    all_axes[-1].set_xlabel(chart.age_axis_label, labelpad=2)
    if chart.keys:
        base.legend_row(figure, chart.keys)
    return base.to_bytes(figure, fmt)
