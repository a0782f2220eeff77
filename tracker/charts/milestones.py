"""Chart 1, milestone windows: one bar per skill's age window, the child's age, achievements.

Which skills: by default those around the child's age (DESIGN.md, "Decisions
on performance"): no longer seen, overdue, to check or later than typical
within the last year, expected now, starting now, coming up, and achieved
in the last six months; with `show_all` every skill with an age window. The
table beside it lists every shown row.

A vertical line marks the child's age on the chart's day (corrected age while
correction applies, and labelled so); a diamond marks the age at which each
achieved skill was first observed achieved (corrected too, while it
applied), an open circle one the family confirmed as achieved before joining
(its age is an estimate). Where the child stands on each skill is the status
model's (tracker/status.py), so the chart and the checklist always agree:
only overdue and no longer seen skills are vermillion and hatched, and say
so in words, so colour is never the only cue; a skill to check is outlined.

Phone first (issue 14): each skill's name is written above its bar, across
the chart's whole width, instead of in a column to its left: on a 400 px
figure a name column would leave the bars no room, and names cut to a dozen
characters. The status words follow the name ("Walks alone — overdue").
"""

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date

from django.template.defaultfilters import pluralize

from .. import status
from ..status import Standing
from . import base
from .base import ACHIEVED, ChildAges, Observed, SkillWindow

ROW_PX = 40  # a name above a bar
AGE_LABEL_PX = 22  # the child's age, above the first row
BOTTOM_PX = 56  # the age axis: ticks and label, above the legend
LEFT_PX = 12
RIGHT_PX = 14
NAME_CHARS = 54  # a name and its status words on one line of FONT_PT across the figure
BAR_HEIGHT = 0.36  # of a row: the lower part, below the name
BAR_OFFSET = 0.2  # the bar's centre below the row's centre; the name sits above it
RECENT_MONTHS = 6  # achieved this recently still counts as "around the child's age"
LOOKBACK_MONTHS = 12  # a window that ended longer ago than this is not around the child's age

OVERDUE_COLOUR = base.OKABE_ITO["vermillion"]
HATCH = "///"
OVERDUE_EDGE = "#7A2E00"  # a darker vermillion: the hatch and the word "overdue" in it contrast with white
OVERDUE_STYLE = (("facecolor", OVERDUE_COLOUR), ("edgecolor", OVERDUE_EDGE), ("hatch", HATCH))
CONCERN_WORDS = {Standing.OVERDUE: "overdue", Standing.NO_LONGER_SEEN: "no longer seen"}
ALWAYS_SHOWN = {
    Standing.NO_LONGER_SEEN,
    Standing.OVERDUE,
    Standing.EXPECTED_NOW,
    Standing.STARTING_NOW,
    Standing.COMING_UP,
}
SHOWN_IF_RECENT = {Standing.TO_CHECK, Standing.LATER_THAN_TYPICAL}


@dataclass(frozen=True)
class MilestoneRow:
    key: str
    name: str
    start: float
    end: float
    status: str | None  # the status on the chart's day; None if never recorded
    group: str  # the status model's standing (tracker/status.py)
    achieved_on: date | None = None
    achieved_at: float | None = None  # months, corrected while correction applied
    estimated: bool = False  # achieved before joining: the age is an estimate
    window_words: str = ""

    @property
    def overdue(self) -> bool:
        return self.group == Standing.OVERDUE

    @property
    def concern(self) -> bool:
        return self.group in status.CONCERNS

    @property
    def group_label(self) -> str:
        return status.MEANINGS[Standing(self.group)].heading.lower()


@dataclass(frozen=True)
class MilestoneChart:
    domain: str
    colour: str
    on: date
    age: float
    corrected: bool
    rows: tuple[MilestoneRow, ...]
    selection: str  # "all" or "around" (the skills around the child's age)
    has_observations: bool
    age_axis_label: str
    every_row: tuple[MilestoneRow, ...] = ()  # every skill with a window, for the table beside the chart

    @property
    def title(self) -> str:
        if self.selection == "all":
            return f"{self.domain}: every milestone window"
        return f"{self.domain}: milestones around this age"

    @property
    def age_label(self) -> str:
        return f"{'corrected age' if self.corrected else 'age'} {self.age:.1f} months"

    @property
    def subtitle(self) -> str:
        return "" if self.has_observations else "No observations recorded yet for these skills."

    @property
    def keys(self) -> list[base.Key]:
        """The legend's entries ("before joining" only when a marker of that kind is drawn)."""
        marker = (("markersize", 7), ("markerfacecolor", "white"), ("markeredgecolor", "black"))
        keys = [
            base.Key("achieved", "patch", (("facecolor", self.colour), ("edgecolor", self.colour))),
            base.Key("overdue", "patch", OVERDUE_STYLE),
            base.Key("not yet", "patch", (("facecolor", self.colour + "40"), ("edgecolor", self.colour))),
            base.Key("first achieved", "marker", (("marker", "D"), *marker)),
        ]
        if any(row.estimated for row in self.rows):
            keys.append(base.Key("before joining", "marker", (("marker", "o"), *marker)))
        return keys

    @property
    def top_px(self) -> int:
        return base.header_px(self.subtitle) + AGE_LABEL_PX

    @property
    def bottom_px(self) -> int:
        return BOTTOM_PX + base.legend_px(self.keys)

    @property
    def height_px(self) -> int:
        if not self.rows:
            return base.HEIGHT_PX
        return self.top_px + self.bottom_px + ROW_PX * len(self.rows)

    @property
    def width_px(self) -> int:
        return base.WIDTH_PX

    @property
    def overdue(self) -> list[MilestoneRow]:
        return [row for row in self.rows if row.overdue]

    @property
    def concerns(self) -> list[MilestoneRow]:
        return [row for row in self.rows if row.concern]

    @property
    def achieved(self) -> list[MilestoneRow]:
        return [row for row in self.rows if row.group == Standing.ACHIEVED]

    @property
    def line(self) -> str:
        """What the chart shows, in one sentence."""
        return (
            "Each bar is the age window in which children usually learn a skill; the dashed line is "
            f"{'corrected age' if self.corrected else 'age'} today, and a marker the age a skill was first "
            "seen achieved."
        )

    def alt_text(self) -> str:
        """The chart in one or two sentences, for screen readers and as a caption."""
        if not self.rows:
            return f"{self.title}: no skills with an age window to show."
        text = (
            f"{self.title}, at {self.age_label}: {len(self.rows)} skill{pluralize(len(self.rows))} shown, "
            f"{len(self.achieved)} achieved, {len(self.overdue)} overdue"
        )
        lost = [row.name for row in self.rows if row.group == Standing.NO_LONGER_SEEN]
        if self.overdue:
            text += " (" + ", ".join(row.name for row in self.overdue) + ")"
        if lost:
            text += f", no longer seen: {', '.join(lost)}"
        return text + ". The table below lists each window and status."


def _around_the_age(row: MilestoneRow, age: float, on: date) -> bool:
    if row.group in ALWAYS_SHOWN:
        return True
    if row.group in SHOWN_IF_RECENT:
        return row.end >= age - LOOKBACK_MONTHS
    if row.group == Standing.ACHIEVED and row.achieved_on is not None:
        return (on - row.achieved_on).days <= RECENT_MONTHS * 30.44
    return False


def data(
    *,
    child: ChildAges,
    on: date,
    domain: str,
    colour: str,
    skills: Sequence[SkillWindow],
    observations: Sequence[Observed],
    domain_slug: str = "",
    show_all: bool = False,
) -> MilestoneChart:
    """The rows of the milestone chart for `child` as on `on` (the skills around the age, or all)."""
    age = child.months_on(on)
    history = base.in_force(observations, until=on)
    statuses: dict[str, list[str]] = {}
    first_achieved: dict[str, Observed] = {}
    for observation in history:
        statuses.setdefault(observation.skill, []).append(observation.status)
        if observation.status == ACHIEVED:
            first_achieved.setdefault(observation.skill, observation)
    windowed = [skill for skill in skills if skill.has_window]
    items = [
        (
            skill.key,
            skill.norm,
            (statuses.get(skill.key) or [None])[-1],
            status.lost_in_history(statuses.get(skill.key, [])),
        )
        for skill in windowed
    ]
    every = []
    for skill, (_, _, latest, _), standing in zip(windowed, items, status.standings(items, age), strict=True):
        first = first_achieved.get(skill.key) if latest == ACHIEVED else None
        row = MilestoneRow(
            key=skill.key,
            name=skill.name,
            start=float(skill.start),
            end=float(skill.end),
            status=latest,
            group=standing,
            achieved_on=first.on if first else None,
            achieved_at=base.months(child.months_on(first.on)) if first else None,
            estimated=bool(first and first.estimated),
            window_words=status.window_in_words(skill.norm),
        )
        every.append(row)
    every.sort(key=lambda row: (row.start, row.end))
    rows = [row for row in every if show_all or _around_the_age(row, age, on)]
    return MilestoneChart(
        domain=domain,
        colour=colour,
        on=on,
        age=base.months(age),
        corrected=child.corrected_on(on),
        rows=tuple(rows),
        selection="all" if show_all else "around",
        has_observations=bool(_observed_keys(history, rows)),
        age_axis_label=child.age_axis_label,
        every_row=tuple(every),
    )


def _observed_keys(history: Sequence[Observed], rows: Collection[MilestoneRow]) -> set[str]:
    shown = {row.key for row in rows}
    return {o.skill for o in history if o.skill in shown}


def _label_alignment(share: float) -> str:
    """How to align the age label on a line `share` of the way across: it must not run off either edge.

    Centred, "age 75.8 months" on a line near the right edge lost its last letters.
    """
    if share > 0.8:
        return "right"
    if share < 0.2:
        return "left"
    return "center"


def _name_line(row: MilestoneRow) -> str:
    """The skill's name, with the words that say where the child stands when colour alone would."""
    if row.concern:
        words = CONCERN_WORDS[Standing(row.group)]
    elif row.group == Standing.TO_CHECK:
        words = "to check"
    else:
        return base.shorten(row.name, NAME_CHARS)
    return f"{base.shorten(row.name, NAME_CHARS - len(words) - 3)} — {words}"


def _name_colour(row: MilestoneRow) -> str:
    if row.concern:
        return OVERDUE_EDGE
    return base.MUTED if row.group == Standing.TO_CHECK else "black"


def render(chart: MilestoneChart, fmt: str) -> bytes:
    if not chart.rows:
        figure = base.message_figure(chart.title, "No skills with an age window to show.")
        return base.to_bytes(figure, fmt)
    figure = base.new_figure(chart.width_px, chart.height_px)
    base.title(figure, chart.title, chart.subtitle)
    axes = base.add_axes(figure, left=LEFT_PX, right=RIGHT_PX, top=chart.top_px, bottom=chart.bottom_px)

    rows = chart.rows
    positions = [i + BAR_OFFSET for i in range(len(rows))]
    starts = [row.start for row in rows]
    widths = [row.end - row.start for row in rows]
    faces, hatches, edges = [], [], []
    for row in rows:
        if row.concern:
            faces.append(OVERDUE_COLOUR)
            hatches.append(HATCH)
            edges.append(OVERDUE_EDGE)
        elif row.group == Standing.TO_CHECK:
            faces.append("white")
            hatches.append("")
            edges.append(base.MUTED)
        elif row.group == Standing.ACHIEVED:
            faces.append(chart.colour)
            hatches.append("")
            edges.append(chart.colour)
        else:
            faces.append(chart.colour + "40")  # the domain colour, pale
            hatches.append("")
            edges.append(chart.colour)
    axes.barh(
        positions, widths, left=starts, height=BAR_HEIGHT, color=faces, edgecolor=edges, hatch=hatches, linewidth=1
    )

    achieved = [row.achieved_at for row in rows if row.achieved_at is not None]
    for estimated, marker in ((False, "D"), (True, "o")):
        shown = [
            (i + BAR_OFFSET, row.achieved_at)
            for i, row in enumerate(rows)
            if row.achieved_at is not None and row.estimated == estimated
        ]
        if shown:
            axes.scatter(
                [at for _, at in shown],
                [y for y, _ in shown],
                marker=marker,
                s=42,
                color="white",
                edgecolor="black",
                linewidth=1.3,
                linestyle="--" if estimated else "-",
                zorder=3,
            )
    # Names above their bars, from the left edge of the plot: as plain texts (see base.row_labels).
    transform = axes.get_yaxis_transform()  # x in axes fractions, y in data
    for i, row in enumerate(rows):
        axes.text(
            0.005,
            i - 0.04,
            _name_line(row),
            transform=transform,
            ha="left",
            va="bottom",
            fontsize=base.FONT_PT,
            color=_name_colour(row),
            zorder=5,
        )
    axes.set_yticks([])
    axes.set_ylim(len(rows) - 0.5, -0.5)
    lowest = min([0.0, chart.age, *achieved])
    highest = max([chart.age, *(row.end for row in rows), *achieved])
    left, right = lowest - 0.5, highest + 1
    axes.set_xlim(left, right)

    axes.axvline(chart.age, color="black", linestyle="--", linewidth=1.3, zorder=4)
    axes.text(
        chart.age,
        -0.55,
        chart.age_label,
        ha=_label_alignment((chart.age - left) / (right - left)),
        va="bottom",
        fontsize=base.FONT_PT,
        zorder=5,
        clip_on=False,
    )
    axes.set_xlabel(chart.age_axis_label, labelpad=2)
    axes.grid(axis="x")
    axes.set_axisbelow(True)
    base.legend_row(figure, chart.keys)
    return base.to_bytes(figure, fmt)
