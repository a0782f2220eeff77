"""Chart 1, milestone windows: which skills, their groups and achievement ages; and the drawing."""

import re
import xml.etree.ElementTree as ET
from datetime import date

import pytest

from tracker.charts import milestones
from tracker.charts.base import ChildAges, Observed, SkillWindow

from .rendering import (
    MIN_LABEL_PX,
    SVG,
    png_size,
    smallest_label_on_a_phone,
    svg_has_script,
    svg_texts,
    svg_view_width,
)

W, CDC = "who_percentiles", "cdc_checkpoint"
# WHO MGRS 2006: 1st and 99th percentiles and medians; crawling is optional (4.3 % never crawl).
WHO = [
    SkillWindow("gm-sits-without-support", "Sits without support", 3.8, 9.2, 5.9, W, sequence="about", order=10),
    SkillWindow("gm-stands-with-assistance", "Stands holding on", 4.8, 11.4, 7.4, W, sequence="about", order=20),
    SkillWindow(
        "gm-crawls-hands-and-knees", "Crawls on hands and knees", 5.2, 13.5, 8.3, W, True, sequence="about", order=30
    ),
    SkillWindow("gm-walks-with-assistance", "Walks holding on", 5.9, 13.7, 9.0, W, sequence="about", order=40),
    SkillWindow("gm-stands-alone", "Stands alone", 6.9, 16.9, 10.8, W, sequence="about", order=50),
    SkillWindow("gm-walks-alone", "Walks alone", 8.2, 17.6, 12.0, W, sequence="about", order=60),
]
OTHER_GROSS_MOTOR = [
    SkillWindow("gm-lifts-head-on-tummy", "Lifts head during tummy time", 0, 2, kind=CDC),
    SkillWindow("gm-kicks-ball", "Kicks a ball forward", 18, 24, kind=CDC),
    SkillWindow("custom-no-window", "Climbs the slide ladder"),
]
TERM = ChildAges(born=date(2025, 1, 1))
PRETERM = ChildAges(born=date(2025, 1, 1), gestational_days=28 * 7)  # due 26 March 2025


def _chart(child, on, observations, skills=WHO, **options):
    options.setdefault("domain_slug", "gross-motor")
    return milestones.data(
        child=child,
        on=on,
        domain="Gross motor",
        colour="#0072B2",
        skills=skills,
        observations=observations,
        **options,
    )


def _summary(chart):
    return [(row.key, row.group, row.achieved_on, row.achieved_at) for row in chart.rows]


TERM_HISTORY = [
    Observed("gm-sits-without-support", date(2025, 7, 1), "achieved"),  # day 181: 5.95 months
    Observed("gm-stands-with-assistance", date(2025, 8, 1), "not_yet"),
    Observed("gm-stands-with-assistance", date(2025, 10, 1), "achieved"),  # day 273: 8.97 months
    Observed("gm-crawls-hands-and-knees", date(2025, 12, 1), "emerging"),
    Observed("gm-walks-with-assistance", date(2026, 2, 1), "not_yet"),
]


def test_term_child_rows_standings_and_achievement_ages():
    chart = _chart(TERM, date(2026, 3, 1), TERM_HISTORY, show_all=True)  # day 424: 13.93 months
    assert chart.age == 13.93
    assert chart.corrected is False
    assert _summary(chart) == [
        ("gm-sits-without-support", "achieved", date(2025, 7, 1), 5.95),
        ("gm-stands-with-assistance", "achieved", date(2025, 10, 1), 8.97),
        ("gm-crawls-hands-and-knees", "later_than_typical", None, None),  # optional: never overdue
        ("gm-walks-with-assistance", "overdue", None, None),  # not yet, past WHO's 99th percentile 13.7
        ("gm-stands-alone", "expected_now", None, None),  # past the median 10.8
        ("gm-walks-alone", "expected_now", None, None),  # past the median 12.0
    ]


def test_an_unrecorded_skill_past_its_window_is_to_check_on_the_chart_too():
    chart = _chart(TERM, date(2026, 3, 1), TERM_HISTORY[:-1], show_all=True)
    assert chart.rows[3].group == "to_check"
    assert chart.overdue == []


def test_a_skill_no_longer_seen_is_a_concern_on_the_chart():
    history = [*TERM_HISTORY, Observed("gm-sits-without-support", date(2026, 2, 20), "not_yet")]
    chart = _chart(TERM, date(2026, 3, 1), history)
    assert [row.key for row in chart.concerns] == ["gm-sits-without-support", "gm-walks-with-assistance"]
    assert "no longer seen: Sits without support" in chart.alt_text()


def test_crawling_is_not_needed_once_walking_alone_is_achieved():
    history = [Observed("gm-walks-alone", date(2026, 2, 1), "achieved")]
    chart = _chart(TERM, date(2026, 3, 1), history, show_all=True)
    assert next(row.group for row in chart.rows if row.key == "gm-crawls-hands-and-knees") == "not_needed"


def test_preterm_child_is_placed_at_corrected_age():
    history = [Observed("gm-sits-without-support", date(2025, 8, 15), "achieved")]  # 142 days after due: 4.67
    chart = _chart(PRETERM, date(2025, 9, 1), history)  # 159 days after due: 5.22 (chronological 7.98)
    assert (chart.age, chart.corrected, chart.age_label) == (5.22, True, "corrected age 5.2 months")
    assert _summary(chart) == [
        ("gm-sits-without-support", "achieved", date(2025, 8, 15), 4.67),
        ("gm-stands-with-assistance", "starting_now", None, None),
        ("gm-crawls-hands-and-knees", "starting_now", None, None),
        ("gm-walks-with-assistance", "coming_up", None, None),
        ("gm-stands-alone", "coming_up", None, None),
        ("gm-walks-alone", "coming_up", None, None),
    ]


def test_achievement_keeps_its_corrected_age_after_correction_stops():
    history = [Observed("gm-sits-without-support", date(2025, 8, 15), "achieved")]
    chart = _chart(PRETERM, date(2027, 3, 1), history, show_all=True)  # 26 months chronological: no correction now
    assert (chart.age, chart.corrected, chart.age_label) == (25.92, False, "age 25.9 months")
    assert chart.rows[0].achieved_at == 4.67


def test_by_default_the_chart_shows_the_skills_around_the_childs_age():
    chart = _chart(TERM, date(2026, 3, 1), TERM_HISTORY, skills=OTHER_GROSS_MOTOR + WHO)  # 13.93 months
    # Left out: sitting (achieved 8 months ago) and the custom skill without a window.
    assert [row.key for row in chart.rows] == [
        "gm-lifts-head-on-tummy",  # to check: its window ended within the last year
        "gm-stands-with-assistance",  # achieved in the last six months
        "gm-crawls-hands-and-knees",
        "gm-walks-with-assistance",
        "gm-stands-alone",
        "gm-walks-alone",
        "gm-kicks-ball",  # coming up
    ]
    assert chart.selection == "around"


def test_an_estimated_achievement_is_marked_as_such():
    history = [Observed("gm-stands-alone", date(2026, 1, 1), "achieved", estimated=True)]
    row = next(row for row in _chart(TERM, date(2026, 3, 1), history).rows if row.key == "gm-stands-alone")
    assert (row.group, row.estimated) == ("achieved", True)


def test_show_all_gives_every_skill_with_a_window():
    chart = _chart(TERM, date(2026, 3, 1), [], skills=OTHER_GROSS_MOTOR + WHO, show_all=True)
    assert [row.key for row in chart.rows][:2] == ["gm-lifts-head-on-tummy", "gm-sits-without-support"]
    assert len(chart.rows) == 8  # the custom skill without a window has no bar


def test_skills_long_past_or_far_ahead_are_left_out():
    skills = [
        SkillWindow("early", "Early, never recorded", 0, 2, kind=CDC),
        SkillWindow("early-seen", "Early, achieved long ago", 0, 2, kind=CDC),
        SkillWindow("recent", "Achieved last month", 24, 30, kind=CDC),
        SkillWindow("now", "Now", 36, 48, kind=CDC),
        SkillWindow("soon", "Soon", 44, 50, kind=CDC),
        SkillWindow("later", "Later", 60, 72, kind=CDC),
    ]
    history = [Observed("early-seen", date(2025, 2, 1), "achieved"), Observed("recent", date(2028, 5, 1), "achieved")]
    chart = _chart(TERM, date(2028, 6, 1), history, skills=skills, domain_slug="fine-motor")  # 41 months
    assert [(row.key, row.group) for row in chart.rows] == [
        ("recent", "achieved"),
        ("now", "starting_now"),
        ("soon", "coming_up"),
    ]


def test_withdrawn_observations_do_not_count():
    history = [
        Observed("gm-sits-without-support", date(2025, 6, 1), "emerging"),
        Observed("gm-sits-without-support", date(2025, 7, 1), "achieved", withdrawn=True),
    ]
    chart = _chart(TERM, date(2025, 8, 1), history)
    assert (chart.rows[0].status, chart.rows[0].achieved_on) == ("emerging", None)


def test_marker_is_the_first_achieved_observation():
    history = [
        Observed("gm-sits-without-support", date(2025, 6, 1), "achieved"),
        Observed("gm-sits-without-support", date(2025, 7, 1), "achieved"),
    ]
    assert _chart(TERM, date(2025, 8, 1), history).rows[0].achieved_on == date(2025, 6, 1)


def test_no_marker_when_the_skill_is_no_longer_achieved():
    history = [
        Observed("gm-sits-without-support", date(2025, 6, 1), "achieved"),
        Observed("gm-sits-without-support", date(2025, 7, 1), "emerging"),
    ]
    assert _chart(TERM, date(2025, 8, 1), history).rows[0].achieved_at is None


def test_observations_after_the_charts_day_are_ignored():
    history = [Observed("gm-sits-without-support", date(2025, 9, 1), "achieved")]
    assert _chart(TERM, date(2025, 8, 1), history).rows[0].status is None


def test_alt_text_names_the_overdue_skills():
    text = _chart(TERM, date(2026, 3, 1), TERM_HISTORY, show_all=True).alt_text()
    assert "at age 13.9 months: 6 skills shown, 2 achieved, 1 overdue (Walks holding on)" in text


def test_the_chart_says_what_it_shows_in_one_sentence():
    line = _chart(TERM, date(2026, 3, 1), TERM_HISTORY).line
    assert line.count(".") == 1 and line.startswith("Each bar is the age window")


# --- Drawing -----------------------------------------------------------------------


def test_png_is_a_png_of_the_announced_size():
    chart = _chart(TERM, date(2026, 3, 1), TERM_HISTORY, show_all=True)
    assert png_size(milestones.render(chart, "png")) == (400, chart.height_px) == (chart.width_px, chart.height_px)


def test_long_lists_get_a_taller_chart_never_a_wider_one():
    skills = [SkillWindow(f"s{n}", f"Skill {n}", 1, 2 + n) for n in range(22)]
    chart = _chart(TERM, date(2026, 3, 1), [], skills=skills, show_all=True)
    assert png_size(milestones.render(chart, "png")) == (400, chart.height_px)
    assert chart.height_px == chart.top_px + chart.bottom_px + milestones.ROW_PX * 22


def test_every_label_is_at_least_11_px_on_a_phone():
    chart = _chart(PRETERM, date(2025, 9, 1), [], show_all=True)
    assert smallest_label_on_a_phone(milestones.render(chart, "svg")) >= MIN_LABEL_PX


def test_the_svg_is_drawn_phone_wide():
    """400 px: a 288-unit viewBox, so the chart is scaled up, not down, on a 360 px phone."""
    assert svg_view_width(milestones.render(_chart(TERM, date(2026, 3, 1), TERM_HISTORY), "svg")) == 288


def test_the_default_chart_draws_fewer_rows_than_every_skill():
    around = _chart(TERM, date(2026, 3, 1), TERM_HISTORY)
    every = _chart(TERM, date(2026, 3, 1), TERM_HISTORY, show_all=True)
    assert len(around.rows) < len(every.rows) and around.height_px < every.height_px


def test_the_table_lists_every_skill_even_when_the_chart_shows_fewer():
    around = _chart(TERM, date(2026, 3, 1), TERM_HISTORY)
    every = _chart(TERM, date(2026, 3, 1), TERM_HISTORY, show_all=True)
    assert [row.key for row in around.every_row] == [row.key for row in every.rows]
    assert set(around.rows) < set(around.every_row)


def test_svg_has_the_labels_as_text():
    texts = svg_texts(milestones.render(_chart(PRETERM, date(2025, 9, 1), []), "svg"))
    assert "age (months, corrected until 24 months)" in texts
    assert "corrected age 5.2 months" in texts
    assert "Sits without support" in texts
    assert "Gross motor: milestones around this age" in texts


def test_overdue_is_said_in_words_not_only_colour():
    texts = svg_texts(milestones.render(_chart(TERM, date(2026, 3, 1), TERM_HISTORY), "svg"))
    assert texts.count("overdue") == 1  # the legend
    assert len([text for text in texts if text.endswith(" — overdue")]) == 1  # one bar's name


def test_to_check_is_said_in_words_not_as_a_concern():
    texts = svg_texts(milestones.render(_chart(TERM, date(2026, 3, 1), TERM_HISTORY[:-1]), "svg"))
    to_check = [text for text in texts if text.endswith(" — to check")]  # one bar's name says so
    assert (len(to_check), texts.count("overdue")) == (1, 1)  # "overdue" only in the legend
    assert not [text for text in texts if text.endswith(" — overdue")]


def test_svg_has_no_script():
    assert not svg_has_script(milestones.render(_chart(TERM, date(2026, 3, 1), TERM_HISTORY), "svg"))


def test_chart_without_observations_says_so():
    texts = svg_texts(milestones.render(_chart(TERM, date(2026, 3, 1), []), "svg"))
    assert "No observations recorded yet for these skills." in texts


def test_chart_without_skills_says_so():
    chart = _chart(TERM, date(2026, 3, 1), [], skills=[SkillWindow("x", "No window")])
    assert "No skills with an age window to show." in svg_texts(milestones.render(chart, "svg"))


def test_same_chart_same_bytes():
    chart = _chart(TERM, date(2026, 3, 1), TERM_HISTORY)
    assert milestones.render(chart, "svg") == milestones.render(chart, "svg")


def test_unknown_format_is_refused():
    with pytest.raises(ValueError, match="png or svg"):
        milestones.render(_chart(TERM, date(2026, 3, 1), []), "gif")


def _age_label_anchor(chart) -> str:
    """The text-anchor of the age label in the SVG: start, middle or end."""
    root = ET.fromstring(milestones.render(chart, "svg"))  # noqa: S314 (our own rendering)
    label = next(node for node in root.iter(f"{SVG}text") if "".join(node.itertext()).startswith(chart.age_label))
    return re.search(r"text-anchor: (\w+)", label.get("style", "")).group(1)


def test_the_age_label_stays_inside_the_chart_when_the_age_is_past_every_window():
    # Six years old: every WHO window ended long ago, so the age line is at the chart's right edge.
    chart = _chart(TERM, date(2031, 1, 1), TERM_HISTORY)
    assert _age_label_anchor(chart) == "end"


def test_the_age_label_is_centred_on_the_line_in_the_middle_of_the_chart():
    chart = _chart(TERM, date(2025, 11, 1), TERM_HISTORY)  # 10 months: among the windows
    assert _age_label_anchor(chart) == "middle"


def test_the_svg_carries_no_metadata_block():
    """No creation date (same chart, same bytes) and no RDF naming the library: bytes a phone need not fetch."""
    svg = milestones.render(_chart(TERM, date(2026, 3, 1), TERM_HISTORY), "svg")
    assert b"<metadata>" not in svg and b"Matplotlib v" not in svg


def test_one_skill_shown_is_said_in_the_singular():
    chart = _chart(TERM, date(2026, 3, 1), [], skills=WHO[:1], show_all=True)
    assert len(chart.rows) == 1
    assert "1 skill shown," in chart.alt_text()
