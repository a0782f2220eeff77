"""What every chart shares: matplotlib on Agg, the palette, sizes, fixed margins and bytes out.

Also the plain inputs the chart modules take (a child's birth facts, skills
with their age windows, observations), so they never see a model.

Phone first (issue 14): every chart is drawn 400 px wide (4 inches, a
288-unit SVG viewBox) with no text under FONT_PT, and a page shows it at the
width of its column, up to 30rem. On a 360 px phone the column is about
328 px, so 10 pt text comes out at 10 × 328 / 288 ≈ 11.4 CSS px, and on a
desktop at 480 px, 16.7 px. The 800 px charts of before, shrunk onto the same
phone, showed their 12 pt labels at about 5–6 px. A chart too tall for one
screen (a milestone chart with every skill) grows downwards, never narrower.
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
        # At least 11 CSS px on a 360 px phone (see the module docstring): nothing smaller than FONT_PT.
        "font.size": 10,
        "axes.titlesize": 10,
        "axes.labelsize": 10,
        "xtick.labelsize": 10,
        "ytick.labelsize": 10,
        "legend.fontsize": 10,
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
WIDTH_PX = 400
HEIGHT_PX = 300
FONT_PT = 10  # the smallest text on any chart: 11.4 CSS px when the chart fills a 360 px phone's column
TITLE_PT = 11
LINE_PX = 17  # one line of FONT_PT text with its leading, in figure pixels
TITLE_PX = 30  # from the top of the figure to below the title
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


SUBTITLE_CHARS = 52  # characters of FONT_PT text in a line across the 400 px figure


def subtitle_lines(subtitle: str) -> str:
    """The subtitle as drawn: wrapped onto at most two lines."""
    return wrap(subtitle, SUBTITLE_CHARS) if subtitle else ""


def header_px(subtitle: str = "") -> int:
    """The height the title and its subtitle take at the top of a figure, in pixels."""
    lines = subtitle_lines(subtitle).count("\n") + 1 if subtitle else 0
    return TITLE_PX + LINE_PX * lines


def title(figure: Figure, text: str, subtitle: str = "") -> None:
    """The title (shortened to fit the width) and a muted subtitle of up to two lines below it."""
    height = figure.bbox.height
    heading = shorten(text, 44)
    figure.text(0.025, 1 - 8 / height, heading, ha="left", va="top", fontsize=TITLE_PT, fontweight="bold")
    if subtitle:
        lines = subtitle_lines(subtitle)
        figure.text(0.025, 1 - 28 / height, lines, ha="left", va="top", fontsize=FONT_PT, color=MUTED, linespacing=1.2)


def row_labels(
    axes, labels, *, positions=None, fontsize: float = FONT_PT, pad: float = 0.012, grid: bool = False
) -> None:
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


CHAR_PX = 7.2  # average width of a character at FONT_PT (DejaVu Sans), to space the legend's entries
SWATCH_PX, GAP_PX, SPACING_PX = 22, 6, 16
LEGEND_ROW_PX = 20
LEGEND_MARGIN_PX = 10  # left and right of the legend's rows


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


def _entry_px(key: Key) -> float:
    return SWATCH_PX + GAP_PX + CHAR_PX * len(key.label)


def legend_layout(keys, width_px: float = WIDTH_PX) -> list[list[Key]]:
    """The legend's entries in rows that fit across `width_px`, in order (a long entry gets a row of its own)."""
    rows: list[list[Key]] = []
    room = width_px - 2 * LEGEND_MARGIN_PX
    used = room + 1.0
    for key in keys:
        needed = _entry_px(key) + (SPACING_PX if rows and rows[-1] else 0)
        if used + needed > room:
            rows.append([key])
            used = _entry_px(key)
        else:
            rows[-1].append(key)
            used += needed
    return rows


def legend_px(keys, width_px: float = WIDTH_PX) -> int:
    """The height the legend of `keys` takes at the bottom of a figure `width_px` wide."""
    return LEGEND_ROW_PX * len(legend_layout(keys, width_px))


def legend_row(figure: Figure, keys, *, y_px: float = 12) -> None:
    """The legend at the bottom, left-aligned, wrapped onto as many rows as it needs; the last row `y_px` up.

    Drawn as a few plain shapes and texts: matplotlib's Legend lays itself out
    with offset boxes, which cost about as much as drawing the rest of a
    simple chart. Reserve `legend_px(keys)` at the bottom for it.
    """
    width = figure.get_size_inches()[0] * DPI
    rows = legend_layout(keys, width)
    for number, row in enumerate(rows):
        x = LEGEND_MARGIN_PX
        y = y_px + LEGEND_ROW_PX * (len(rows) - 1 - number)
        for key in row:
            _key(figure, key, x, y, FONT_PT)
            x += _entry_px(key) + SPACING_PX


MESSAGE_CHARS = 46


def message_figure(heading: str, message: str, width_px: int = WIDTH_PX, height_px: int = HEIGHT_PX) -> Figure:
    """A chart with nothing to plot says so in words (wrapped to the width), in a short figure."""
    figure = new_figure(width_px, height_px)
    title(figure, heading)
    text = "\n".join(wrap(line, MESSAGE_CHARS, lines=3) for line in message.splitlines())
    figure.text(0.5, 0.45, text, ha="center", va="center", fontsize=11, color=MUTED, linespacing=1.3)
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
