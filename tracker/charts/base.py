"""What every chart shares: matplotlib on Agg, the palette, sizes, fixed margins and bytes out.

Also the plain inputs the chart modules take (a child's birth facts, skills
with their age windows, observations), so they never see a model.
"""

import io
import textwrap
from dataclasses import dataclass
from datetime import date

import matplotlib

matplotlib.use("Agg")

from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.patches import Rectangle  # noqa: E402
from PIL import Image  # noqa: E402

from .. import ages, status  # noqa: E402

# Set once at import, never per request (rcParams are process-wide).
matplotlib.rcParams.update(
    {
        # Text stays <text> in SVG: searchable, read by screen readers and tests, and smaller than paths.
        "svg.fonttype": "none",
        # Labels are people's text (custom skill names, goals): "$5 and $10" is money, not TeX, and an
        # unbalanced "$x^$" must not fail the chart with a mathtext parse error.
        "text.parse_math": False,
        # Stable element ids: the same chart gives the same bytes.
        "svg.hashsalt": "skills-tracker",
        "font.family": ["DejaVu Sans"],
        # Big enough to read when an 800 px wide chart is shrunk onto a 360 px phone screen.
        "font.size": 13,
        "axes.titlesize": 14,
        "axes.labelsize": 13,
        "xtick.labelsize": 12,
        "ytick.labelsize": 12,
        "legend.fontsize": 12,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.edgecolor": "#444444",
        "grid.color": "#DDDDDD",
        "hatch.linewidth": 1.5,
    }
)

# Okabe & Ito (2008), "Color Universal Design": distinguishable with every common colour-vision deficiency.
OKABE_ITO = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
}
# For series without a colour of their own (goals): yellow is left out, too pale on white.
SERIES_COLOURS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#000000")
SERIES_MARKERS = ("o", "s", "^", "D", "v", "P", "X")
MUTED = "#555555"

DPI = 100
WIDTH_PX = 800
HEIGHT_PX = 400
FORMATS = {"png": "image/png", "svg": "image/svg+xml"}


# --- Plain inputs ---------------------------------------------------------------


@dataclass(frozen=True)
class ChildAges:
    """The facts about a child that place a date on the age axis."""

    born: date
    gestational_days: int | None = None

    @property
    def is_preterm(self) -> bool:
        return ages.is_preterm(self.gestational_days)

    def months_on(self, day: date) -> float:
        """Age in months on `day`, corrected while correction applies (as milestone windows are read)."""
        return ages.effective_age_in_months(self.born, self.gestational_days, day)

    def corrected_on(self, day: date) -> bool:
        return ages.needs_correction(self.born, self.gestational_days, day)

    @property
    def age_axis_label(self) -> str:
        if self.is_preterm:
            return "age (months, corrected until 24 months)"
        return "age (months)"


@dataclass(frozen=True)
class SkillWindow:
    """A skill and its age window in months (None where there is no published norm), and what the window means."""

    key: str
    name: str
    start: float | None = None
    end: float | None = None
    median: float | None = None
    kind: str = ""  # models.WindowKind: only WHO and CDC ends make a skill overdue
    optional: bool = False
    sequence: str = ""
    order: int = 0

    @property
    def has_window(self) -> bool:
        return self.start is not None and self.end is not None

    @property
    def norm(self) -> status.Norm:
        return status.Norm(
            start=self.start,
            end=self.end,
            median=self.median,
            kind=self.kind,
            optional=self.optional,
            sequence=self.sequence,
            order=self.order,
        )


@dataclass(frozen=True)
class Observed:
    """One observation: which skill, on which day, what status, with what help. Oldest first in lists."""

    skill: str
    on: date
    status: str
    assistance: str = ""
    withdrawn: bool = False
    estimated: bool = False  # achieved before joining: the date is an estimate


ACHIEVED = "achieved"
EMERGING = "emerging"
NOT_YET = "not_yet"


def in_force(observations, *, until: date | None = None) -> list[Observed]:
    """Observations not withdrawn (and up to `until`), by date; the input order breaks ties."""
    kept = [o for o in observations if not o.withdrawn and (until is None or o.on <= until)]
    return sorted(kept, key=lambda o: o.on)


def months(value: float) -> float:
    """Ages in the charts' data are kept to two decimals: what the tables show and the tests compare."""
    return round(value, 2)


def shorten(text: str, limit: int) -> str:
    """`text` in at most `limit` characters, cut at a word where one is near, with an ellipsis."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space >= limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:") + "…"


def wrap(text: str, width: int, lines: int = 2) -> str:
    """`text` on at most `lines` lines of about `width` characters, shortened with an ellipsis if longer."""
    parts = textwrap.wrap(" ".join(text.split()), width)
    if len(parts) > lines:
        parts = [*parts[: lines - 1], shorten(" ".join(parts[lines - 1 :]), width)]
    return "\n".join(parts)


# --- Drawing --------------------------------------------------------------------


def new_figure(width_px: int = WIDTH_PX, height_px: int = HEIGHT_PX) -> Figure:
    figure = Figure(figsize=(width_px / DPI, height_px / DPI), dpi=DPI, facecolor="white")
    FigureCanvasAgg(figure)
    return figure


def add_axes(figure: Figure, *, left: int, right: int, top: int, bottom: int):
    """Axes placed by fixed margins in pixels: no tight_layout, which costs a second draw."""
    width, height = figure.get_size_inches() * DPI
    return figure.add_axes(
        (left / width, bottom / height, (width - left - right) / width, (height - top - bottom) / height)
    )


def title(figure: Figure, text: str, subtitle: str = "") -> None:
    figure.text(0.012, 1 - 10 / figure.bbox.height, text, ha="left", va="top", fontsize=14, fontweight="bold")
    if subtitle:
        figure.text(0.012, 1 - 32 / figure.bbox.height, subtitle, ha="left", va="top", fontsize=12, color=MUTED)


def row_labels(axes, labels, *, positions=None, fontsize: float = 11, pad: float = 0.012, grid: bool = False) -> None:
    """Category names left of the axes, at `positions` (rows 0, 1, 2… by default), as plain texts.

    Instead of tick labels: matplotlib builds each Tick from several artists
    (about 2.5 ms apiece here), which made long milestone lists twice as slow.
    `grid` draws the horizontal grid lines the ticks would have drawn.
    """
    axes.set_yticks([])
    transform = axes.get_yaxis_transform()  # x in axes fractions, y in data
    for position, label in zip(positions if positions is not None else range(len(labels)), labels, strict=True):
        axes.text(-pad, position, label, transform=transform, ha="right", va="center", fontsize=fontsize)
        if grid:
            axes.axhline(position, color=matplotlib.rcParams["grid.color"], linewidth=0.8, zorder=0)


@dataclass(frozen=True)
class Key:
    """One entry of a legend: a swatch ("patch"), a line, or a marker, with its style and label."""

    label: str
    kind: str
    style: tuple = ()


CHAR_PX = 9.0  # average width of a character at the legend's 12 pt, to space the entries


SWATCH_PX, GAP_PX, SPACING_PX = 28, 8, 30


def _key(figure: Figure, key: Key, x: float, y: float, fontsize: float) -> None:
    """Draw one legend entry with its swatch's left edge at (x, y) pixels from the bottom left."""
    width, height = figure.get_size_inches() * DPI
    style = dict(key.style)
    x0, x1, yf = x / width, (x + SWATCH_PX) / width, y / height
    if key.kind == "patch":
        box = Rectangle((x0, yf - 6 / height), x1 - x0, 12 / height, transform=figure.transFigure, **style)
        figure.add_artist(box)
    elif key.kind == "line":
        marker = {name: style.pop(name) for name in list(style) if name.startswith("marker")}
        figure.add_artist(Line2D([x0, x1], [yf, yf], transform=figure.transFigure, **style))
        if marker:  # one marker in the middle, not one at each end
            centre = Line2D([(x0 + x1) / 2], [yf], transform=figure.transFigure, linestyle="none", **marker)
            centre.set_color(style.get("color", "black"))
            figure.add_artist(centre)
    else:
        figure.add_artist(Line2D([(x0 + x1) / 2], [yf], transform=figure.transFigure, linestyle="none", **style))
    figure.text((x + SWATCH_PX + GAP_PX) / width, yf, key.label, va="center", ha="left", fontsize=fontsize)


def legend_row(figure: Figure, keys, *, y_px: float = 16) -> None:
    """A one-row legend centred near the bottom, drawn as a few plain shapes and texts.

    matplotlib's Legend lays itself out with offset boxes, which cost about as
    much as drawing the rest of a simple chart.
    """
    width = figure.get_size_inches()[0] * DPI
    widths = [SWATCH_PX + GAP_PX + CHAR_PX * len(key.label) for key in keys]
    x = (width - sum(widths) - SPACING_PX * (len(keys) - 1)) / 2
    for key, entry_width in zip(keys, widths, strict=True):
        _key(figure, key, x, y_px, 12)
        x += entry_width + SPACING_PX


def legend_column(figure: Figure, keys, *, left_px: float, top_px: float, fontsize: float = 11) -> None:
    """A legend as a column of entries, the first `top_px` from the top (see `legend_row`)."""
    height = figure.get_size_inches()[1] * DPI
    for row, key in enumerate(keys):
        _key(figure, key, left_px, height - top_px - row * 24, fontsize)


def message_figure(heading: str, message: str, width_px: int = WIDTH_PX, height_px: int = HEIGHT_PX) -> Figure:
    """A chart with nothing to plot says so in words."""
    figure = new_figure(width_px, height_px)
    title(figure, heading)
    figure.text(0.5, 0.5, message, ha="center", va="center", fontsize=14, color=MUTED)
    return figure


def to_bytes(figure: Figure, fmt: str) -> bytes:
    """The figure as PNG or SVG bytes; the same chart always gives the same bytes."""
    if fmt not in FORMATS:
        raise ValueError(f"Unknown chart format {fmt!r}; use png or svg.")
    buffer = io.BytesIO()
    if fmt == "png":
        _write_png(figure, buffer)
    else:
        # No creation date in the file: the same chart gives the same bytes.
        figure.savefig(buffer, format=fmt, dpi=DPI, metadata={"Date": None})
    return buffer.getvalue()


def _write_png(figure: Figure, buffer: io.BytesIO) -> None:
    """Draw the figure and write it as an RGB PNG at zlib's fastest level.

    Why not savefig: it writes RGBA, and every chart is opaque (a white
    figure). Without the alpha channel and at level 1, the benchmark's
    milestone chart (800×1,918 px) took 227 instead of 259 ms and 232 instead
    of 258 kB, and a 400 px progress chart 47 instead of 52 ms: less to draw
    cold, less to send from the cache.
    """
    figure.canvas.draw()
    width, height = figure.canvas.get_width_height()
    rgba = Image.frombuffer("RGBA", (width, height), figure.canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
    rgba.convert("RGB").save(buffer, format="png", compress_level=1, dpi=(DPI, DPI))
