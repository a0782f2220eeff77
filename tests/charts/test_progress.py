"""Chart 2, progress over time: the step points, for a term and a premature child; and the drawing."""

from datetime import date

from tracker.charts import progress
from tracker.charts.base import ChildAges, Observed, SkillWindow

from .rendering import MIN_LABEL_PX, png_size, smallest_label_on_a_phone, svg_has_script, svg_texts

SKILLS = [
    SkillWindow("a", "Skill A", 0, 2),
    SkillWindow("b", "Skill B", 2, 4),
    SkillWindow("c", "Skill C", 3.8, 9.2),
    SkillWindow("never", "Never recorded", 0, 3),
    SkillWindow("custom", "No window"),
]
TERM = ChildAges(born=date(2025, 1, 1))
PRETERM = ChildAges(born=date(2025, 1, 1), gestational_days=28 * 7)  # due 26 March 2025


def _chart(child, on, observations, **options):
    return progress.data(
        child=child, on=on, domain="Gross motor", colour="#0072B2", skills=SKILLS, observations=observations, **options
    )


def _points(chart):
    return [(point.age, point.expected, point.achieved) for point in chart.points]


TERM_HISTORY = [
    Observed("a", date(2025, 2, 15), "achieved"),  # day 45: 1.48 months
    Observed("b", date(2025, 4, 1), "not_yet"),  # day 90: 2.96
    Observed("b", date(2025, 5, 1), "achieved"),  # day 120: 3.94
    Observed("c", date(2025, 8, 1), "emerging"),  # day 212: 6.97
]


def test_term_child_steps_where_a_window_ends_or_a_status_changes():
    chart = _chart(TERM, date(2025, 11, 1), TERM_HISTORY)  # day 304: 9.99
    assert _points(chart) == [
        (2.0, 1, 1),  # A's window ends; A already achieved
        (4.0, 2, 2),  # B's window ends; B achieved at 3.94
        (9.2, 3, 2),  # C's window ends; C only emerging
        (9.99, 3, 2),  # the chart's day
    ]
    assert [point.percent for point in chart.points] == [100.0, 100.0, 66.7, 66.7]


def test_premature_child_is_measured_in_corrected_months():
    history = [
        Observed("a", date(2025, 6, 1), "achieved"),  # 67 days after due: 2.20 corrected months
        Observed("b", date(2025, 8, 15), "achieved"),  # 142 days after due: 4.67
    ]
    chart = _chart(PRETERM, date(2025, 9, 1), history)  # 159 days after due: 5.22
    # Each skill counts from its first record: before it nobody knew, so it is not drawn as missing.
    assert _points(chart) == [(2.2, 1, 1), (4.67, 2, 2), (5.22, 2, 2)]
    assert chart.age_axis_label == "age (months, corrected until 24 months)"


def test_ages_before_a_skills_first_record_are_not_a_fall():
    # A four-year-old whose parent ticks three baby skills today is not drawn at 0 % for the years before.
    four = ChildAges(born=date(2021, 11, 1))
    ticked = [Observed(key, date(2025, 11, 1), "achieved") for key in ("a", "b", "c")]
    chart = _chart(four, date(2025, 11, 1), ticked)
    assert _points(chart) == [(48.0, 3, 3)]
    assert not chart.enough_data


def test_too_little_data_is_said_not_drawn():
    four = ChildAges(born=date(2021, 11, 1))
    chart = _chart(four, date(2025, 11, 1), [Observed("a", date(2025, 11, 1), "achieved")])
    texts = svg_texts(progress.render(chart, "svg"))
    assert any(text.startswith("Too little data for a line yet") for text in texts)
    assert "too little data" in chart.alt_text()


def test_estimated_dates_from_before_joining_are_marked_until_the_first_seen_observation():
    history = [
        Observed("a", date(2025, 3, 2), "achieved", estimated=True),  # confirmed later: the date is an estimate
        Observed("b", date(2025, 5, 1), "achieved", estimated=True),
        Observed("c", date(2025, 8, 1), "emerging"),  # the first observation someone saw
    ]
    chart = _chart(TERM, date(2025, 11, 1), history)
    assert [(point.age, point.estimated) for point in chart.points] == [
        (2.0, True),
        (4.0, True),
        (6.97, False),
        (9.2, False),
        (9.99, False),
    ]
    texts = svg_texts(progress.render(chart, "svg"))
    assert "before joining (estimated)" in texts


# --- The 24-month switch from corrected to actual age ---------------------------------------

SWITCH_SKILLS = [SkillWindow("x", "Ends at 20", 14, 20), SkillWindow("y", "Ends at 23", 18, 23)]


def test_the_switch_at_24_months_is_a_break_in_the_line_not_a_fall():
    # Born at 28+0 on 1 Jan 2025 (due 26 Mar): corrected 21.19 months the day before 1 Jan 2027, actual 24 on it.
    history = [
        Observed("x", date(2026, 6, 1), "achieved"),  # corrected 14.2
        Observed("y", date(2026, 9, 20), "not_yet"),  # corrected 17.9: recorded early, still learning
    ]
    chart = progress.data(
        child=PRETERM,
        on=date(2027, 2, 1),
        domain="Gross motor",
        colour="#0072B2",
        skills=SWITCH_SKILLS,
        observations=history,
    )
    assert chart.switch == (21.19, 23.98)  # 730 days of actual age: 23.98 months
    assert [(p.age, p.expected, p.achieved, p.corrected) for p in chart.points] == [
        (20.0, 1, 1, True),
        (23.98, 2, 1, False),  # "y" ended at 23, an age the switch jumps over: it counts from the switch
        (25.0, 2, 1, False),
    ]
    assert not any(21.19 < p.age < 23.98 for p in chart.points)
    assert "the age moves from 21.2 to 24.0 months in a day" in chart.alt_text()


def test_the_switch_is_marked_on_the_chart():
    history = [Observed("x", date(2026, 6, 1), "achieved"), Observed("y", date(2026, 9, 20), "not_yet")]
    chart = progress.data(
        child=PRETERM,
        on=date(2027, 2, 1),
        domain="Gross motor",
        colour="#0072B2",
        skills=SWITCH_SKILLS,
        observations=history,
    )
    texts = svg_texts(progress.render(chart, "svg"))
    assert "24 months: actual age from here" in texts


def test_a_term_child_has_no_switch():
    assert _chart(TERM, date(2027, 2, 1), TERM_HISTORY).switch is None


def test_each_chart_says_in_one_sentence_what_its_line_is():
    line = _chart(TERM, date(2025, 11, 1), TERM_HISTORY).line
    assert line.startswith("The line is the share of recorded skills") and line.count(". ") == 0


def test_unrecorded_skills_do_not_count_as_missing():
    chart = _chart(TERM, date(2025, 11, 1), TERM_HISTORY)
    assert chart.latest.expected == 3  # "never" ended at 3 months but nobody recorded it


def test_a_period_starts_with_the_state_at_its_first_day():
    chart = _chart(TERM, date(2025, 11, 1), TERM_HISTORY, start=date(2025, 4, 15))  # day 104: 3.42
    assert _points(chart) == [(3.42, 1, 1), (4.0, 2, 2), (9.2, 3, 2), (9.99, 3, 2)]
    assert chart.start_age == 3.42


def test_withdrawn_observations_do_not_count():
    history = [*TERM_HISTORY, Observed("c", date(2025, 9, 1), "achieved", withdrawn=True)]
    assert _chart(TERM, date(2025, 11, 1), history).latest.achieved == 2


def test_goal_and_note_dates_become_ages_within_the_chart():
    chart = _chart(
        TERM,
        date(2025, 11, 1),
        TERM_HISTORY,
        goal_dates=[date(2025, 8, 1), date(2026, 1, 1)],
        note_dates=[date(2025, 4, 1)],
    )
    assert (chart.goal_ages, chart.note_ages) == ((6.97,), (2.96,))


def test_nothing_observed_gives_no_points():
    chart = _chart(TERM, date(2025, 11, 1), [])
    assert (chart.points, chart.has_observations) == ((), False)


def test_alt_text_gives_first_and_last_share():
    text = _chart(TERM, date(2025, 11, 1), TERM_HISTORY).alt_text()
    assert "100% (1 of 1) at 2.0 months, 66.7% (2 of 3) at 10.0 months" in text


# --- Drawing -----------------------------------------------------------------------


def test_png_is_phone_width_and_the_announced_height():
    chart = _chart(TERM, date(2025, 11, 1), TERM_HISTORY)
    assert png_size(progress.render(chart, "png")) == (400, chart.height_px)


def test_every_label_is_at_least_11_px_on_a_phone():
    chart = _chart(TERM, date(2025, 11, 1), TERM_HISTORY, goal_dates=[date(2025, 8, 1)])
    assert smallest_label_on_a_phone(progress.render(chart, "svg")) >= MIN_LABEL_PX


def test_svg_has_axis_labels_with_units():
    texts = svg_texts(
        progress.render(_chart(TERM, date(2025, 11, 1), TERM_HISTORY, goal_dates=[date(2025, 8, 1)]), "svg")
    )
    assert {"age (months)", "achieved (%)", "goal set"} <= set(texts)
    heading = texts.index("Gross motor: expected skills achieved")
    subtitle = " ".join(texts[heading + 1 : heading + 3])  # wrapped onto two lines under the title
    assert subtitle.startswith("Achieved of the recorded") and subtitle.endswith("past their window's end: now 2 of 3")


def test_svg_has_no_script():
    assert not svg_has_script(progress.render(_chart(TERM, date(2025, 11, 1), TERM_HISTORY), "svg"))


def test_no_observations_says_so():
    texts = svg_texts(progress.render(_chart(TERM, date(2025, 11, 1), []), "svg"))
    assert "No observations recorded yet." in texts


def test_nothing_expected_yet_says_so():
    chart = _chart(TERM, date(2025, 1, 20), [Observed("a", date(2025, 1, 15), "achieved")])
    texts = svg_texts(progress.render(chart, "svg"))
    assert any("nothing is expected so far" in text for text in texts)
