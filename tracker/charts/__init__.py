"""Server-side charts: one module per chart, each a pure data function and a render function.

`data(...)` takes plain data (dates, age windows, statuses; never a model)
and returns a frozen description of what to draw, which the pages also show
as a table. `render(chart, fmt)` turns that into PNG or SVG bytes with
`matplotlib.figure.Figure` on the Agg canvas (never pyplot: it is global
state and not thread-safe). Importing this package imports matplotlib, so a
preloading server pays that once, not on a request.
"""
