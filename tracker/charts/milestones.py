"""Chart 1, milestone windows: one bar per skill's typical age window, the child's age, achievements.

A vertical line marks the child's age on the chart's day (corrected age while
correction applies, and labelled so); a diamond marks the age at which each
achieved skill was first observed achieved (corrected too, while it
applied); overdue skills (window ended, not achieved) are vermillion and
hatched, and say "overdue" in words, so colour is never the only cue.
"""

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date

from .. import checklist
from . import base
from .base import ACHIEVED, ChildAges, Observed, SkillWindow

# The six WHO Motor Development Study milestones (reference/README.md §1), the gross-motor default.
WHO_MILESTONES = (
    "gm-sits-without-support",
    "gm-stands-with-assistance",
    "gm-crawls-hands-and-knees",
    "gm-walks-with-assistance",
    "gm-stands-alone",
    "gm-walks-alone",
)
WHO_DOMAIN = "gross-motor"

ROW_PX = 40
TOP_PX = 62
BOTTOM_PX = 96
LEFT_PX = 270
RIGHT_PX = 30
NAME_CHARS = 30

OVERDUE_COLOUR = base.OKABE_ITO["vermillion"]
HATCH = "///"
OVERDUE_EDGE = "#7A2E00"  # a darker vermillion: the hatch and the word "overdue" in it contrast with white
OVERDUE_STYLE = (("facecolor", OVERDUE_COLOUR), ("edgecolor", OVERDUE_EDGE), ("hatch", HATCH))
LABELS = {
    "achieved": "achieved",
    "overdue": "overdue",
    "expected_now": "expected now",
    "coming_up": "coming up",
    "later": "later",
    "earlier": "earlier, not recorded",
    "no_window": "no age window",
}


@dataclass(frozen=True)
class _Current:
    status: str


@dataclass(frozen=True)
class _ForGrouping:
    """What `checklist.group_of` reads from a skill, so the chart and the checklist agree on 'overdue'."""

    window_start_months: float
    window_end_months: float
    current: _Current | None


@dataclass(frozen=True)
class MilestoneRow:
    key: str
    name: str
    start: float
    end: float
    status: str | None  # the status on the chart's day; None if never recorded
    group: str  # a checklist group: achieved, overdue, expected_now, coming_up, later, earlier
    achieved_on: date | None = None
    achieved_at: float | None = None  # months, corrected while correction applied

    @property
    def overdue(self) -> bool:
        return self.group == "overdue"

    @property
    def group_label(self) -> str:
        return LABELS[self.group]


@dataclass(frozen=True)
class MilestoneChart:
    domain: str
    colour: str
    on: date
    age: float
    corrected: bool
    rows: tuple[MilestoneRow, ...]
    selection: str  # "who", "all" or "relevant"
    has_observations: bool
    age_axis_label: str

    @property
    def title(self) -> str:
        if self.selection == "who":
            return f"{self.domain}: the six WHO motor milestones"
        return f"{self.domain}: milestone windows"

    @property
    def age_label(self) -> str:
        return f"{'corrected age' if self.corrected else 'age'} {self.age:.1f} months"

    @property
    def height_px(self) -> int:
        return max(base.HEIGHT_PX, TOP_PX + BOTTOM_PX + ROW_PX * len(self.rows))

    @property
    def width_px(self) -> int:
        return base.WIDTH_PX

    @property
    def overdue(self) -> list[MilestoneRow]:
        return [row for row in self.rows if row.overdue]

    @property
    def achieved(self) -> list[MilestoneRow]:
        return [row for row in self.rows if row.group == "achieved"]

    def alt_text(self) -> str:
        """The chart in one or two sentences, for screen readers and as a caption."""
        if not self.rows:
            return f"{self.title}: no skills with an age window to show."
        text = (
            f"{self.title}, at {self.age_label}: {len(self.rows)} skills shown, "
            f"{len(self.achieved)} achieved, {len(self.overdue)} overdue"
        )
        if self.overdue:
            text += " (" + ", ".join(row.name for row in self.overdue) + ")"
        return text + ". The table below lists each window and status."


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
    """The rows of the milestone chart for `child` as on `on`.

    Which skills: for gross motor the six WHO milestones; for other domains
    the skills observed, overdue, expected now or coming up (the checklist's
    groups), so a four-year-old's chart is not a list of baby skills; with
    `show_all` every skill of the domain with an age window.
    """
    age = child.months_on(on)
    history = base.in_force(observations, until=on)
    latest: dict[str, str] = {}
    first_achieved: dict[str, date] = {}
    for observation in history:
        latest[observation.skill] = observation.status
        if observation.status == ACHIEVED:
            first_achieved.setdefault(observation.skill, observation.on)

    if show_all:
        selection = "all"
    elif domain_slug == WHO_DOMAIN:
        selection = "who"
    else:
        selection = "relevant"
    rows = []
    for skill in skills:
        if not skill.has_window:
            continue
        if selection == "who" and skill.key not in WHO_MILESTONES:
            continue
        status = latest.get(skill.key)
        current = _Current(status) if status is not None else None
        group = checklist.group_of(_ForGrouping(skill.start, skill.end, current), age)
        if selection == "relevant" and status is None and group not in {"overdue", "expected_now", "coming_up"}:
            continue
        achieved_on = first_achieved.get(skill.key) if status == ACHIEVED else None
        rows.append(
            MilestoneRow(
                key=skill.key,
                name=skill.name,
                start=float(skill.start),
                end=float(skill.end),
                status=status,
                group=group,
                achieved_on=achieved_on,
                achieved_at=base.months(child.months_on(achieved_on)) if achieved_on else None,
            )
        )
    rows.sort(key=lambda row: (row.start, row.end))
    return MilestoneChart(
        domain=domain,
        colour=colour,
        on=on,
        age=base.months(age),
        corrected=child.corrected_on(on),
        rows=tuple(rows),
        selection=selection,
        has_observations=bool(_observed_keys(history, rows)),
        age_axis_label=child.age_axis_label,
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


def render(chart: MilestoneChart, fmt: str) -> bytes:
    if not chart.rows:
        figure = base.message_figure(chart.title, "No skills with an age window to show.")
        return base.to_bytes(figure, fmt)
    figure = base.new_figure(chart.width_px, chart.height_px)
    subtitle = "" if chart.has_observations else "No observations recorded yet for these skills."
    base.title(figure, chart.title, subtitle)
    axes = base.add_axes(figure, left=LEFT_PX, right=RIGHT_PX, top=TOP_PX, bottom=BOTTOM_PX)

    rows = chart.rows
    positions = range(len(rows))
    starts = [row.start for row in rows]
    widths = [row.end - row.start for row in rows]
    faces, hatches, edges = [], [], []
    for row in rows:
        if row.overdue:
            faces.append(OVERDUE_COLOUR)
            hatches.append(HATCH)
            edges.append(OVERDUE_EDGE)
        elif row.group == "achieved":
            faces.append(chart.colour)
            hatches.append("")
            edges.append(chart.colour)
        else:
            faces.append(chart.colour + "40")  # the domain colour, pale
            hatches.append("")
            edges.append(chart.colour)
    axes.barh(positions, widths, left=starts, height=0.6, color=faces, edgecolor=edges, hatch=hatches, linewidth=1)

    achieved = [(i, row.achieved_at) for i, row in enumerate(rows) if row.achieved_at is not None]
    if achieved:
        axes.scatter(
            [at for _, at in achieved],
            [i for i, _ in achieved],
            marker="D",
            s=64,
            color="white",
            edgecolor="black",
            linewidth=1.5,
            zorder=3,
        )
    for i, row in enumerate(rows):
        if row.overdue:
            axes.text(row.end + 0.2, i, "overdue", va="center", ha="left", fontsize=12, color=OVERDUE_EDGE)

    base.row_labels(axes, [base.wrap(row.name, NAME_CHARS) for row in rows])
    axes.set_ylim(len(rows) - 0.4, -0.9)
    lowest = min([0.0, chart.age, *(at for _, at in achieved)])
    highest = max([chart.age, *(row.end for row in rows), *(at for _, at in achieved)])
    left, right = lowest - 0.5, highest + (3 if chart.overdue else 1)
    axes.set_xlim(left, right)

    axes.axvline(chart.age, color="black", linestyle="--", linewidth=1.5, zorder=4)
    axes.text(
        chart.age,
        -0.75,
        chart.age_label,
        ha=_label_alignment((chart.age - left) / (right - left)),
        va="bottom",
        fontsize=12,
        backgroundcolor="white",
        zorder=5,
    )
    axes.set_xlabel(chart.age_axis_label)
    axes.grid(axis="x")
    axes.set_axisbelow(True)

    base.legend_row(
        figure,
        [
            base.Key("achieved", "patch", (("facecolor", chart.colour), ("edgecolor", chart.colour))),
            base.Key("overdue", "patch", OVERDUE_STYLE),
            base.Key("not yet", "patch", (("facecolor", chart.colour + "40"), ("edgecolor", chart.colour))),
            base.Key(
                "age first achieved",
                "marker",
                (("marker", "D"), ("markersize", 8), ("markerfacecolor", "white"), ("markeredgecolor", "black")),
            ),
        ],
    )
    return base.to_bytes(figure, fmt)
