"""Page weight: what a phone downloads to show each page, with and without gzip (issue 14).

Run by bench/run.py against the live gunicorn server (production settings,
whitenoise for static files, the app's gzip middleware). For each page it
fetches the HTML as a signed-in person, then everything the HTML makes a
browser fetch: stylesheets and scripts (and any url() in those stylesheets
that is not inline data), and the chart images. Each is fetched twice: asking
for gzip, as every phone browser does, and not asking. Bytes are bodies only
(headers are a few hundred bytes a request and the same with either).

Counted as a phone's first visit with an empty cache: every chart, including
those below the fold that `loading="lazy"` fetches only on scrolling (an
upper bound), and the print stylesheet (browsers fetch it, at low priority).

Budgets (issue 14): the overview's and the checklist's HTML at most 30 kB
gzipped; each chart on a page at most 30 kB over the wire; a first visit to a
child's overview at most 250 kB over the wire in all, static files included.
"""

import html
import http.client
import re
import urllib.parse

HOST = "127.0.0.1"
HTML_BUDGET = 30_000  # bytes, gzipped: the overview's and the checklist's HTML
CHART_BUDGET = 30_000  # bytes over the wire, each chart on a page
FIRST_VISIT_BUDGET = 250_000  # bytes over the wire: a first visit to a child's overview, static files included
HTML_BUDGET_PAGES = ("overview", "checklist")

_STYLESHEET = re.compile(r'<link[^>]+rel="stylesheet"[^>]*href="([^"]+)"')
_SCRIPT = re.compile(r'<script[^>]+src="([^"]+)"')
_IMAGE = re.compile(r'<img[^>]+src="([^"]+)"')
_CSS_URL = re.compile(r"url\(\s*['\"]?([^'\")]+)['\"]?\s*\)")


def fetch(port: int, path: str, cookie: str, *, compressed: bool) -> dict:
    """One GET: status, body bytes as sent, content type and encoding."""
    headers = {"Cookie": cookie}
    if compressed:
        headers["Accept-Encoding"] = "gzip"
    conn = http.client.HTTPConnection(HOST, port, timeout=60)
    try:
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        body = response.read()  # http.client does not decompress: these are the bytes on the wire
        return {
            "status": response.status,
            "bytes": len(body),
            "type": (response.getheader("Content-Type") or "").split(";")[0],
            "encoding": response.getheader("Content-Encoding") or "",
            "body": body,
        }
    finally:
        conn.close()


def referenced(page: str) -> tuple[list[str], list[str]]:
    """(static files, chart images) the HTML makes a browser fetch, in order, each once."""
    static = [*_STYLESHEET.findall(page), *_SCRIPT.findall(page)]
    images = _IMAGE.findall(page)
    unique = lambda paths: list(dict.fromkeys(html.unescape(p) for p in paths if not p.startswith("data:")))  # noqa: E731
    return unique(static), unique(images)


def css_references(css: str, css_path: str) -> list[str]:
    """Files a stylesheet pulls in (fonts, images), as absolute paths; inline data: URLs left out."""
    found = []
    for url in _CSS_URL.findall(css):
        if url.startswith(("data:", "#")):
            continue
        found.append(urllib.parse.urljoin(css_path, url).split("#")[0])
    return list(dict.fromkeys(found))


def _both(port: int, path: str, cookie: str) -> dict:
    plain, compressed = fetch(port, path, cookie, compressed=False), fetch(port, path, cookie, compressed=True)
    return {"path": path, "status": compressed["status"], "plain": plain["bytes"], "gzip": compressed["bytes"]}


def measure_page(port: int, name: str, path: str, cookie: str) -> dict:
    """The weight of one page: its HTML, its charts and the static files it needs, with and without gzip."""
    page = fetch(port, path, cookie, compressed=False)
    html_row = _both(port, path, cookie)
    static_paths, image_paths = referenced(page["body"].decode(errors="replace"))
    if page["type"] == "image/svg+xml":  # a chart opened on its own: the page is the chart
        static_paths, image_paths = [], []
    static = []
    for static_path in static_paths:
        static.append(_both(port, static_path, cookie))
        if static_path.endswith(".css"):
            css = fetch(port, static_path, cookie, compressed=False)["body"].decode(errors="replace")
            static += [_both(port, extra, cookie) for extra in css_references(css, static_path)]
    charts = [_both(port, image, cookie) for image in image_paths]
    parts = [html_row, *charts, *static]
    return {
        "name": name,
        "path": path,
        "status": html_row["status"],
        "html_plain": html_row["plain"],
        "html_gzip": html_row["gzip"],
        "charts": charts,
        "static": static,
        "requests": len(parts),
        "total_plain": sum(part["plain"] for part in parts),
        "total_gzip": sum(part["gzip"] for part in parts),
        "errors": sum(1 for part in parts if part["status"] != 200),
    }


def measure(port: int, pages: list[dict], cookies: dict[str, str]) -> list[dict]:
    """Every page in `pages` ({name, who, path}), fetched as `who` (a key of `cookies`)."""
    return [measure_page(port, page["name"], page["path"], cookies[page["who"]]) for page in pages]


def verdict(row: dict) -> str:
    """Over or under the issue's budgets, in words."""
    problems = []
    if row["errors"]:
        problems.append(f"{row['errors']} failed requests")
    if row["name"] in HTML_BUDGET_PAGES and row["html_gzip"] > HTML_BUDGET:
        problems.append(f"HTML over {HTML_BUDGET // 1000} kB")
    heavy = [chart for chart in row["charts"] if chart["gzip"] > CHART_BUDGET]
    if heavy:
        problems.append(f"{len(heavy)} chart(s) over {CHART_BUDGET // 1000} kB")
    if row["name"] == "overview" and row["total_gzip"] > FIRST_VISIT_BUDGET:
        problems.append(f"first visit over {FIRST_VISIT_BUDGET // 1000} kB")
    return ", ".join(problems) or "within budget"


def _kb(size: int) -> str:
    return f"{size / 1000:.1f}"


def markdown(rows: list[dict]) -> list[str]:
    """The page-weight table for the run's report (and the README's Benchmark section)."""
    lines = [
        "## Page weight (a phone's first visit, empty cache)",
        "",
        "kB of response bodies over the wire, gzip asked for (as every browser does) and, in brackets, not "
        f"asked for. Budgets: overview and checklist HTML ≤ {HTML_BUDGET // 1000} kB gzipped; each chart "
        f"≤ {CHART_BUDGET // 1000} kB; a first visit to the overview ≤ {FIRST_VISIT_BUDGET // 1000} kB in all. "
        "Requests: the HTML, every chart (lazy ones too) and every stylesheet and script (bench/weight.py).",
        "",
        "| page | HTML kB | charts | largest chart kB | static kB | total kB | requests | budget |",
        "|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for row in rows:
        largest = max(row["charts"], key=lambda chart: chart["gzip"], default=None)
        static_gzip = sum(part["gzip"] for part in row["static"])
        static_plain = sum(part["plain"] for part in row["static"])
        lines.append(
            f"| {row['name']} | {_kb(row['html_gzip'])} ({_kb(row['html_plain'])}) | {len(row['charts'])} | "
            + (f"{_kb(largest['gzip'])} ({_kb(largest['plain'])})" if largest else "–")
            + f" | {_kb(static_gzip)} ({_kb(static_plain)}) | {_kb(row['total_gzip'])} ({_kb(row['total_plain'])}) "
            f"| {row['requests']} | {verdict(row)} |"
        )
    return [*lines, ""]
