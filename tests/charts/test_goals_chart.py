"""Chart 4, goal attainment: each goal's levels and the T-score series; and the drawing."""

import re
from datetime import date

from tracker.charts import goals
from tracker.charts.goals import GoalInput

from .rendering import MIN_LABEL_PX, png_size, smallest_label_on_a_phone, svg_texts

WALKING = GoalInput(
    key=1,
    label="Walks 3 metres alone",
    set_on=date(2026, 1, 5),
    baseline=-2,
    reviews=((date(2026, 2, 1), -1), (date(2026, 3, 1), 0)),
)
BLOCKS = GoalInput(
    key=2, label="Builds a tower of two blocks", set_on=date(2026, 1, 20), baseline=-1, reviews=((date(2026, 3, 1), 1),)
)
ON = date(2026, 3, 10)


def _t_scores(chart):
    return [(point.on, point.t, point.goals) for point in chart.t_scores]


def test_t_score_on_each_date_a_level_changes():
    chart = goals.data([WALKING, BLOCKS], on=ON)
    assert _t_scores(chart) == [
        (date(2026, 1, 5), 30.0, 1),  # −2 alone: 50 + 10·(−2)/1
        (date(2026, 1, 20), 31.39, 2),  # −2, −1: 50 − 30/sqrt(2.6)
        (date(2026, 2, 1), 37.6, 2),  # −1, −1: 50 − 20/sqrt(2.6)
        (date(2026, 3, 1), 56.2, 2),  # 0, +1: 50 + 10/sqrt(2.6)
    ]
    assert chart.current_t == 56.2


def test_goals_are_numbered_in_the_order_given():
    chart = goals.data([WALKING, BLOCKS], on=ON)
    assert [(line.name, line.key) for line in chart.lines] == [("G1", 1), ("G2", 2)]
    assert [(p.on, p.level, p.baseline) for p in chart.lines[0].points] == [
        (date(2026, 1, 5), -2, True),
        (date(2026, 2, 1), -1, False),
        (date(2026, 3, 1), 0, False),
    ]


def test_weights_count():
    weighted = GoalInput(**{**BLOCKS.__dict__, "weight": 3})
    # On 1 March: levels 0 (w 1) and +1 (w 3): 50 + 10·3/sqrt(0.7·10 + 0.3·16) = 58.73.
    assert goals.data([WALKING, weighted], on=ON).current_t == 58.73


def test_a_period_keeps_earlier_levels_in_the_score():
    chart = goals.data([WALKING, BLOCKS], on=ON, start=date(2026, 2, 1))
    assert _t_scores(chart) == [(date(2026, 2, 1), 37.6, 2), (date(2026, 3, 1), 56.2, 2)]
    assert [p.on for p in chart.lines[1].points] == [date(2026, 3, 1)]


def test_reviews_after_the_charts_day_are_left_out():
    assert goals.data([WALKING, BLOCKS], on=date(2026, 2, 15)).current_t == 37.6


def test_a_review_before_the_goal_was_entered_moves_the_baseline_back():
    late_entry = GoalInput(key=3, label="x", set_on=date(2026, 3, 1), baseline=-2, reviews=((date(2026, 2, 1), -1),))
    points = goals.data([late_entry], on=ON).lines[0].points
    assert [(p.on, p.level, p.baseline) for p in points] == [
        (date(2026, 2, 1), -2, True),
        (date(2026, 2, 1), -1, False),
    ]


def test_a_goal_without_baseline_or_review_is_not_scored():
    chart = goals.data([GoalInput(key=1, label="x", set_on=date(2026, 1, 5))], on=ON)
    assert (chart.t_scores, chart.current_t, chart.goal_count) == ((), None, 1)


def test_png_is_phone_width_and_the_announced_height():
    chart = goals.data([WALKING, BLOCKS], on=ON)
    assert png_size(goals.render(chart, "png")) == (400, chart.height_px)


def test_every_label_is_at_least_11_px_on_a_phone():
    assert smallest_label_on_a_phone(goals.render(goals.data([WALKING, BLOCKS], on=ON), "svg")) >= MIN_LABEL_PX


def test_dates_have_no_offset_label_under_the_last_tick():
    """ConciseDateFormatter's offset ("2026-Mar") under the axis read as an extra tick (issue 14)."""
    texts = svg_texts(goals.render(goals.data([WALKING, BLOCKS], on=ON), "svg"))
    assert not [text for text in texts if re.fullmatch(r"\d{4}-[A-Z][a-z]{2}(-\d{2})?", text)]
    assert "review date (2025–2026)" in texts


def test_svg_has_axis_labels_and_goal_names():
    texts = svg_texts(goals.render(goals.data([WALKING, BLOCKS], on=ON), "svg"))
    assert {"GAS level", "T-score", "review date (2025–2026)", "G1 Walks 3 metres alone", "baseline"} <= set(texts)


def test_no_goals_says_so():
    assert "No goals set yet." in svg_texts(goals.render(goals.data([], on=ON), "svg"))


def test_goals_without_levels_say_so():
    chart = goals.data([GoalInput(key=1, label="x", set_on=date(2026, 1, 5))], on=ON)
    assert "No goal levels recorded yet." in svg_texts(goals.render(chart, "svg"))


def test_the_description_writes_dates_as_every_page_does():
    text = goals.data([WALKING, BLOCKS], on=ON).alt_text()
    assert "on 5 Jan 2026" in text and "on 1 Mar 2026" in text
    assert "05 Jan" not in text
