"""Chart 3, skill history: one skill's status and level of assistance over time; and the drawing."""

from datetime import date

from tracker.charts import skill_history
from tracker.charts.base import ChildAges, Observed, SkillWindow
from tracker.models import Assistance

from .rendering import MIN_LABEL_PX, png_size, smallest_label_on_a_phone, svg_texts

SKILL = SkillWindow("gm-stands-alone", "Stands alone", 6.9, 16.9)
TERM = ChildAges(born=date(2025, 1, 1))
PRETERM = ChildAges(born=date(2025, 1, 1), gestational_days=28 * 7)  # due 26 March 2025

HISTORY = [
    Observed("gm-stands-alone", date(2025, 8, 1), "not_yet"),
    Observed("gm-walks-alone", date(2025, 9, 1), "emerging"),  # another skill
    Observed("gm-stands-alone", date(2025, 10, 1), "emerging", "contact_guard"),
    Observed("gm-stands-alone", date(2025, 11, 1), "achieved", "minimal", withdrawn=True),  # taken back
    Observed("gm-stands-alone", date(2025, 12, 1), "achieved", "independent"),
]


def _chart(child, on=date(2026, 1, 1), observations=HISTORY, **options):
    return skill_history.data(child=child, on=on, skill=SKILL, observations=observations, **options)


def _points(chart):
    return [(p.on, p.age, p.status, p.assistance) for p in chart.points]


def test_term_child_points_in_months_without_withdrawn_entries():
    assert _points(_chart(TERM)) == [
        (date(2025, 8, 1), 6.97, "not_yet", ""),  # day 212
        (date(2025, 10, 1), 8.97, "emerging", "contact_guard"),  # day 273
        (date(2025, 12, 1), 10.97, "achieved", "independent"),  # day 334
    ]


def test_premature_child_points_in_corrected_months():
    assert [p.age for p in _chart(PRETERM).points] == [4.21, 6.21, 8.21]  # 128, 189, 250 days after due


def test_a_period_keeps_only_its_observations():
    chart = _chart(TERM, start=date(2025, 9, 15))
    assert [p.on for p in chart.points] == [date(2025, 10, 1), date(2025, 12, 1)]


def test_assistance_levels_match_the_models_scale():
    assert tuple(Assistance.values) == skill_history.ASSISTANCE


def test_alt_text_tells_the_latest_status_and_help():
    assert "3 observations from age 7.0 to 11.0 months; latest achieved (independent)" in _chart(TERM).alt_text()


def test_png_is_phone_width_and_the_announced_height():
    chart = _chart(PRETERM)
    assert png_size(skill_history.render(chart, "png")) == (400, chart.height_px)


def test_every_label_is_at_least_11_px_on_a_phone():
    assert smallest_label_on_a_phone(skill_history.render(_chart(PRETERM), "svg")) >= MIN_LABEL_PX


def test_svg_has_status_and_assistance_labels():
    texts = set(svg_texts(skill_history.render(_chart(TERM), "svg")))
    assert {"status", "level of assistance", "achieved", "contact guard", "age (months)"} <= texts
    assert "age window 6.9–16.9 months" in texts


def test_without_assistance_there_is_no_assistance_axis():
    history = [Observed("gm-stands-alone", date(2025, 8, 1), "emerging")]
    texts = svg_texts(skill_history.render(_chart(TERM, observations=history), "svg"))
    assert "level of assistance" not in texts


def test_no_observations_says_so():
    texts = svg_texts(skill_history.render(_chart(TERM, observations=[]), "svg"))
    assert "No observations of this skill recorded." in texts
