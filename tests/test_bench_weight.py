"""The benchmark's page weight (bench/weight.py): what a page makes a phone fetch, and the budgets."""

from bench.weight import css_references, markdown, referenced, verdict

PAGE = """<!doctype html><html><head>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/static/bootstrap/css/bootstrap.min.css">
<link rel="stylesheet" href="/static/css/app.css">
<link rel="stylesheet" href="/static/css/print.css" media="print">
<script src="/static/bootstrap/js/bootstrap.bundle.min.js" defer></script>
</head><body>
<img class="chart-img" src="/children/1/charts/progress/gross-motor.svg?from=2026-01-01&amp;to=2026-03-01">
<img class="chart-img" src="/children/1/charts/milestones/gross-motor.svg" loading="lazy">
<img class="chart-img" src="/children/1/charts/milestones/gross-motor.svg" loading="lazy">
</body></html>"""


def _row(name: str, *, html_gzip: int = 8_000, charts=(4_000,), total: int = 150_000) -> dict:
    return {
        "name": name,
        "html_gzip": html_gzip,
        "html_plain": html_gzip * 5,
        "charts": [{"gzip": size, "plain": size * 5} for size in charts],
        "static": [{"gzip": 40_000, "plain": 200_000}],
        "requests": 2 + len(charts),
        "total_gzip": total,
        "total_plain": total * 4,
        "errors": 0,
    }


def test_every_stylesheet_and_script_is_fetched_the_inline_icon_is_not():
    static, _ = referenced(PAGE)
    assert static == [
        "/static/bootstrap/css/bootstrap.min.css",
        "/static/css/app.css",
        "/static/css/print.css",
        "/static/bootstrap/js/bootstrap.bundle.min.js",
    ]


def test_each_chart_is_fetched_once_with_its_query_unescaped():
    _, charts = referenced(PAGE)
    assert charts == [
        "/children/1/charts/progress/gross-motor.svg?from=2026-01-01&to=2026-03-01",
        "/children/1/charts/milestones/gross-motor.svg",
    ]


def test_fonts_in_a_stylesheet_count_inline_data_does_not():
    css = "a{background:url('data:image/svg+xml,x')} @font-face{src:url(../fonts/icons.woff2?v=1#x)}"
    assert css_references(css, "/static/bootstrap/css/bootstrap.min.css") == ["/static/bootstrap/fonts/icons.woff2?v=1"]


def test_pages_within_budget_say_so():
    assert verdict(_row("overview")) == "within budget"


def test_an_overview_html_over_30_kb_is_reported():
    assert verdict(_row("overview", html_gzip=31_000)) == "HTML over 30 kB"


def test_the_html_budget_is_for_overview_and_checklist_only():
    assert verdict(_row("progress review", html_gzip=60_000)) == "within budget"


def test_a_heavy_chart_and_a_heavy_first_visit_are_reported():
    row = _row("overview", charts=(4_000, 237_000), total=700_000)
    assert verdict(row) == "1 chart(s) over 30 kB, first visit over 250 kB"


def test_the_table_gives_gzipped_and_plain_sizes_and_requests():
    lines = markdown([_row("checklist", html_gzip=10_000, charts=())])
    assert "| checklist | 10.0 (50.0) | 0 | – | 40.0 (200.0) | 150.0 (600.0) | 2 | within budget |" in lines
