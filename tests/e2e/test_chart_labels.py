"""Charts readable on a phone: every label of every chart on a page is at least 11 CSS px, as rendered (issue 14).

On the demo family (`manage.py load_demo`), at 360×740 (a parent's phone)
and 1280×800 (a therapist's desktop): for each chart image on the overview,
the goals page and the progress review, the SVG's smallest font size times
its scale on the page (rendered width / viewBox width) must be at least 11
px; and axe finds nothing serious or critical on those pages. The smallest
size found is printed as a figure line (CHART LABELS).
"""

from collections.abc import Callable
from io import StringIO

import pytest
from django.core.management import call_command
from playwright.sync_api import Page

from tests.charts.rendering import svg_text_sizes, svg_view_width
from tracker.management.commands.load_demo import DEMO_PASSWORD
from tracker.models import Child

PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1280, "height": 800}}
MIN_LABEL_PX = 11

# In the page: every chart image, made to load now (lazy ones too), its rendered width, and its SVG's text
# (fetched with the page's cookies; parsed here, not in the page, where the page's CSP would refuse its styles).
MEASURE = """async () => {
  const images = [...document.querySelectorAll('img.chart-img')];
  images.forEach((img) => { img.loading = 'eager'; });
  await Promise.all(images.map((img) => img.complete ? null : new Promise((done) => {
    img.addEventListener('load', done); img.addEventListener('error', done);
  })));
  const found = [];
  for (const img of images) {
    const response = await fetch(img.currentSrc || img.src, {credentials: 'same-origin'});
    found.push({
      src: img.getAttribute('src'),
      type: response.headers.get('Content-Type'),
      svg: await response.text(),
      width: img.getBoundingClientRect().width,
    });
  }
  return found;
}"""


def _log_in(page: Page, email: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def _charts(page: Page, path: str) -> list[dict]:
    """Each chart on the page at `path`: its address, type, rendered width, text count and smallest text in px."""
    page.goto(path, timeout=60_000)  # the progress review draws a dozen charts cold, one at a time
    charts = page.evaluate(MEASURE)
    for chart in charts:
        svg = chart.pop("svg").encode()
        sizes = [size for _, size in svg_text_sizes(svg)]
        chart["texts"] = len(sizes)
        chart["smallest"] = min(sizes) * chart["width"] / svg_view_width(svg)
    return charts


@pytest.mark.browser
@pytest.mark.parametrize(
    ("device", "email"), [(PHONE, "parent@example.org"), (DESKTOP, "pt@example.org")], ids=["phone-360", "desktop-1280"]
)
def test_every_chart_label_is_at_least_11_px_and_axe_passes(
    new_page: Callable[..., Page], axe_check: Callable[[Page], None], device: dict, email: str
) -> None:
    call_command("load_demo", stdout=StringIO())
    maya = Child.objects.get(given_name="Maya")
    page = new_page(**device)
    _log_in(page, email)
    measured = []
    for path in (
        f"/children/{maya.public_id}/",
        f"/children/{maya.public_id}/goals/",
        f"/children/{maya.public_id}/progress-review/",
    ):
        charts = _charts(page, path)
        assert charts, f"no charts on {path}"
        for chart in charts:
            assert chart["type"] == "image/svg+xml", chart  # SVG on the page; PNG is for downloads
            assert chart["texts"] > 0, chart
            assert chart["smallest"] >= MIN_LABEL_PX, chart
        measured += charts
        axe_check(page)
    smallest = min(measured, key=lambda chart: chart["smallest"])
    print(
        f"\nCHART LABELS at {device['viewport']['width']} px: {len(measured)} charts, smallest text "
        f"{smallest['smallest']:.1f} px ({smallest['src']}, shown {smallest['width']:.0f} px wide)"
    )


@pytest.mark.browser
def test_the_milestone_table_scrolls_sideways_instead_of_wrapping_names_on_a_phone(
    new_page: Callable[..., Page],
) -> None:
    call_command("load_demo", stdout=StringIO())
    maya = Child.objects.get(given_name="Maya")
    page = new_page(**PHONE)
    _log_in(page, "parent@example.org")
    page.goto(f"/children/{maya.public_id}/")
    page.get_by_text("The numbers behind this chart").nth(1).click()
    region = page.get_by_role("region", name="Gross motor milestone table (scrolls sideways on a small screen)")
    name = region.get_by_role("rowheader", name="Walks alone")
    # The name on one line, not one word a line: its text's boxes all share one top.
    lines = name.evaluate(
        """cell => { const range = document.createRange(); range.selectNodeContents(cell);
                     return new Set([...range.getClientRects()].map((box) => Math.round(box.top))).size; }"""
    )
    assert lines == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= 360  # the table scrolls, not the page
