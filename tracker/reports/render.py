"""A report's HTML turned into PDF by WeasyPrint, with nothing fetched from outside the app.

- Fonts: DejaVu Sans from matplotlib's own bundled fonts (the charts' font, so text and charts match),
  declared with @font-face and embedded (subset) in every PDF: the document looks the same wherever it
  is opened, and no font is looked up on the network or left to the reader's machine.
- `LocalFetcher` refuses every URL that is not a data: URI or one of the few local files named here
  (the fonts and the clinic's logo): a child's name or a note can never make the server fetch anything.
- The PDF is tagged (`pdf_tags`), so a screen reader and `pypdf` read its text in order.
"""

import logging
import time
from pathlib import Path
from urllib.parse import unquote, urlparse

import matplotlib
from django.conf import settings
from django.template.loader import render_to_string

# WeasyPrint reports each step of each document at INFO (a line per page in the server's log), from its import on.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

from weasyprint import CSS, HTML  # noqa: E402
from weasyprint.text.fonts import FontConfiguration  # noqa: E402
from weasyprint.urls import URLFetcher  # noqa: E402

from .data import Timings  # noqa: E402

FONT_DIR = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
FONTS = {
    ("normal", "normal"): "DejaVuSans.ttf",
    ("bold", "normal"): "DejaVuSans-Bold.ttf",
    ("normal", "italic"): "DejaVuSans-Oblique.ttf",
    ("bold", "italic"): "DejaVuSans-BoldOblique.ttf",
}
# The report's own family, and the charts' (their SVG text asks for DejaVu Sans): both are the shipped files.
FAMILIES = ("Report Sans", "DejaVu Sans")
PAGE_SIZES = {"a4": "A4", "letter": "letter"}


class RefusedURL(ValueError):
    """A report asked for something outside the app."""


class LocalFetcher(URLFetcher):
    """Fetches data: URIs and the listed local files; refuses everything else (http, https, ftp, other files)."""

    def __init__(self, allowed: set[Path]) -> None:
        super().__init__(allowed_protocols=("data", "file"), allow_redirects=False, fail_on_errors=False)
        self.allowed = {path.resolve() for path in allowed}

    def fetch(self, url, headers=None):
        scheme = url.split(":", 1)[0].lower()
        if scheme == "data":
            return super().fetch(url, headers)
        if scheme == "file":
            path = Path(unquote(urlparse(url).path)).resolve()
            if path in self.allowed:
                return super().fetch(url, headers)
        raise RefusedURL(f"A report fetches nothing from outside the app: {url[:80]}")


def logo_path() -> Path | None:
    """The clinic's logo (settings.REPORT_CLINIC_LOGO) if it names a readable local file."""
    configured = getattr(settings, "REPORT_CLINIC_LOGO", "")
    path = Path(configured) if configured else None
    return path.resolve() if path is not None and path.is_file() else None


def font_css() -> str:
    faces = [
        f'@font-face {{ font-family: "{family}"; font-weight: {weight}; font-style: {style}; '
        f'src: url("{(FONT_DIR / name).as_uri()}"); }}'
        for (weight, style), name in FONTS.items()
        for family in FAMILIES
    ]
    return "\n".join(faces)


def page_css(paper: str) -> str:
    return f"@page {{ size: {PAGE_SIZES[paper]}; }}"


def to_pdf(template: str, context: dict, *, paper: str, timings: Timings) -> tuple[bytes, int]:
    """Render `template` with `context` to PDF bytes; returns (pdf, page count) and adds to `timings`."""
    logo = logo_path()
    began = time.perf_counter()
    html = render_to_string(template, {**context, "logo_url": logo.as_uri() if logo else ""})
    timings.html += time.perf_counter() - began

    began = time.perf_counter()
    fetcher = LocalFetcher({FONT_DIR / name for name in FONTS.values()} | ({logo} if logo else set()))
    fonts = FontConfiguration()
    stylesheets = [CSS(string=font_css() + page_css(paper), font_config=fonts, url_fetcher=fetcher)]
    document = HTML(string=html, base_url=str(settings.BASE_DIR), url_fetcher=fetcher).render(
        font_config=fonts, stylesheets=stylesheets, pdf_tags=True
    )
    timings.layout += time.perf_counter() - began

    began = time.perf_counter()
    pdf = document.write_pdf(pdf_tags=True)
    timings.pdf += time.perf_counter() - began
    return pdf, len(document.pages)
