"""Chart 5, home-practice adherence: plain data in, the plan per week, bytes out."""

from datetime import date

from tracker.charts import adherence
from tracker.charts.adherence import ActivityInput, Practised

from .rendering import MIN_LABEL_PX, png_size, smallest_label_on_a_phone, svg_texts

ON = date(2026, 3, 4)  # a Wednesday
WALK = ActivityInput(key=1, label="Walks with a push toy", times_per_week=3, start=date(2026, 1, 5))


def test_eight_weeks_end_with_this_week():
    chart = adherence.data([WALK], [], on=ON, weeks=8)
    assert (chart.weeks[0], chart.weeks[-1]) == (date(2026, 1, 12), date(2026, 3, 2))


def test_practice_is_counted_in_its_week_against_the_plan():
    logs = [Practised(1, date(2026, 3, 2)), Practised(1, date(2026, 3, 3), "hard"), Practised(1, date(2026, 2, 25))]
    cells = adherence.data([WALK], logs, on=ON, weeks=2).rows[0].cells
    assert [(c.planned, c.done, c.hard) for c in cells] == [(3, 1, 0), (3, 2, 1)]


def test_a_week_before_the_activity_started_has_no_bar_not_a_zero():
    late = ActivityInput(key=2, label="Later", times_per_week=7, start=date(2026, 3, 2))
    cells = adherence.data([late], [], on=ON, weeks=2).rows[0].cells
    assert [cell.share for cell in cells] == [None, 0.0]


def test_a_week_the_activity_ends_part_way_plans_pro_rata():
    ends = ActivityInput(key=3, label="Ends", times_per_week=7, start=date(2026, 1, 5), end=date(2026, 2, 24))
    cells = adherence.data([ends], [], on=ON, weeks=2).rows[0].cells
    assert [cell.planned for cell in cells] == [2, 0]


def test_alt_text_gives_every_activity_its_total():
    chart = adherence.data([WALK], [Practised(1, date(2026, 3, 2))], on=ON, weeks=8)
    assert "A1 Walks with a push toy: 1 of 24 planned" in chart.alt_text()


def test_render_svg_keeps_the_labels_as_text():
    chart = adherence.data([WALK], [Practised(1, date(2026, 3, 2))], on=ON)
    svg = adherence.render(chart, "svg").decode()
    assert "A1 Walks with a push toy" in svg and "% of plan" in svg


def test_render_png_is_a_png():
    assert adherence.render(adherence.data([WALK], [], on=ON), "png").startswith(b"\x89PNG")


def test_no_activity_is_said_not_drawn():
    svg = adherence.render(adherence.data([], [], on=ON), "svg").decode()
    assert "No home activities in these weeks." in svg


def test_the_same_chart_gives_the_same_bytes():
    chart = adherence.data([WALK], [Practised(1, date(2026, 3, 2))], on=ON)
    assert adherence.render(chart, "svg") == adherence.render(chart, "svg")


def test_png_is_phone_width_and_the_announced_height():
    chart = adherence.data([WALK], [Practised(1, date(2026, 3, 2))], on=ON)
    assert png_size(adherence.render(chart, "png")) == (400, chart.height_px)


def test_every_label_is_at_least_11_px_on_a_phone():
    chart = adherence.data([WALK], [Practised(1, date(2026, 3, 2))], on=ON)
    assert smallest_label_on_a_phone(adherence.render(chart, "svg")) >= MIN_LABEL_PX


def test_every_other_week_is_named_so_the_dates_fit_across_a_phone():
    texts = svg_texts(adherence.render(adherence.data([WALK], [], on=ON, weeks=8), "svg"))
    assert "2 Mar" in texts and "23 Feb" not in texts and "16 Feb" in texts


def test_a_long_legend_wraps_onto_more_rows_and_a_taller_chart():
    many = [ActivityInput(key=n, label=f"Activity number {n} at home", times_per_week=3, start=ON) for n in range(5)]
    one = adherence.data([WALK], [], on=ON)
    assert adherence.data(many, [], on=ON).height_px > one.height_px
