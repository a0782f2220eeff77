"""The status model (tracker/status.py), table-driven over synthetic children.

Each row is a child (birth date, gestational age in days), a day, a skill's
norm, what was recorded, and where the child must stand. The norms are the
published numbers (WHO MGRS 2006, CDC 2022), written out here as data.
"""

from datetime import date, timedelta
from pathlib import Path

import pytest

from tracker import ages, status
from tracker.charts.base import Observed
from tracker.charts.base import in_force as observations_in_force
from tracker.status import Norm, Standing

# --- Norms (the published numbers) -----------------------------------------------------

WALKS_ALONE = Norm(start=8.2, end=17.6, median=12.0, kind="who_percentiles", sequence="getting-about", order=60)
WALKS_HOLDING_ON = Norm(start=5.9, end=13.7, median=9.0, kind="who_percentiles", sequence="getting-about", order=40)
CRAWLS = Norm(
    start=5.2, end=13.5, median=8.3, kind="who_percentiles", optional=True, sequence="getting-about", order=30
)
LIFTS_HEAD = Norm(start=0.0, end=2.0, kind="cdc_checkpoint")  # CDC 2 months
HOLDS_HEAD_STEADY = Norm(start=2.0, end=4.0, kind="cdc_checkpoint")  # CDC 4 months
KICKS_BALL = Norm(start=18.0, end=24.0, kind="cdc_checkpoint")  # CDC 24 months
SNIPS = Norm(start=24.0, end=36.0, kind="typical_age")  # a textbook's typical age
SWINGS = Norm(kind="")  # sensory, no published age norm

TERM = None
BORN = date(2024, 1, 1)


def on_age(born: date, months: float) -> date:
    return born + timedelta(days=round(months * ages.DAYS_PER_MONTH))


def standing(norm: Norm, recorded: str | None, *, born=BORN, gestation=TERM, on: date, lost=False) -> Standing:
    age = ages.effective_age_in_months(born, gestation, on)
    return status.standings([("skill", norm, recorded, lost)], age)[0]


CASES = [
    # (why, norm, recorded, gestational days, age in months (chronological), expected)
    ("term toddler, walking never recorded: unknown, not late", WALKS_ALONE, None, TERM, 19.7, Standing.TO_CHECK),
    (
        "term toddler, walking emerging past WHO's 99th percentile",
        WALKS_ALONE,
        "emerging",
        TERM,
        19.7,
        Standing.OVERDUE,
    ),
    (
        "term toddler, walking not yet, still inside the window",
        WALKS_ALONE,
        "not_yet",
        TERM,
        17.0,
        Standing.EXPECTED_NOW,
    ),
    ("term toddler, walking achieved", WALKS_ALONE, "achieved", TERM, 19.7, Standing.ACHIEVED),
    ("10-week-old with nothing recorded: a 2-month skill is to check", LIFTS_HEAD, None, TERM, 2.3, Standing.TO_CHECK),
    (
        "10-week-old, head lifting recorded not yet: past CDC's 2 months",
        LIFTS_HEAD,
        "not_yet",
        TERM,
        2.3,
        Standing.OVERDUE,
    ),
    (
        "6-month-old and walking holding on: before WHO's median 9.0",
        WALKS_HOLDING_ON,
        None,
        TERM,
        6.0,
        Standing.STARTING_NOW,
    ),
    ("9.5-month-old and walking holding on: past the median", WALKS_HOLDING_ON, None, TERM, 9.5, Standing.EXPECTED_NOW),
    (
        "born at 30+0, 6 months old (3.7 corrected): a 4-month skill is not late",
        HOLDS_HEAD_STEADY,
        "not_yet",
        210,
        6.0,
        Standing.STARTING_NOW,
    ),
    ("term, 6 months old: the same skill is overdue", HOLDS_HEAD_STEADY, "not_yet", TERM, 6.0, Standing.OVERDUE),
    (
        "born at 36+6, 4.5 months: corrected by 3+1 weeks, 3.8 months",
        HOLDS_HEAD_STEADY,
        "not_yet",
        36 * 7 + 6,
        4.5,
        Standing.STARTING_NOW,
    ),
    ("born at 37+0, 4.5 months: no correction", HOLDS_HEAD_STEADY, "not_yet", 37 * 7, 4.5, Standing.OVERDUE),
    (
        "born at 28+0, 23 months (20.2 corrected): a 24-month skill",
        KICKS_BALL,
        "not_yet",
        28 * 7,
        23.0,
        Standing.STARTING_NOW,
    ),
    ("born at 28+0, 25 months: correction has stopped", KICKS_BALL, "not_yet", 28 * 7, 25.0, Standing.OVERDUE),
    ("4-year-old joining, nothing recorded: a baby skill", LIFTS_HEAD, None, TERM, 48.0, Standing.TO_CHECK),
    ("4-year-old joining, nothing recorded: walking", WALKS_ALONE, None, TERM, 48.0, Standing.TO_CHECK),
    ("never crawled at 15 months: optional, never overdue", CRAWLS, "not_yet", TERM, 15.0, Standing.LATER_THAN_TYPICAL),
    (
        "snipping not yet past a typical age: information only",
        SNIPS,
        "not_yet",
        TERM,
        40.0,
        Standing.LATER_THAN_TYPICAL,
    ),
    ("no published age norm: tracked, never late", SWINGS, "not_yet", TERM, 72.0, Standing.TRACKED),
    ("a window starting within 6 months", KICKS_BALL, None, TERM, 13.0, Standing.COMING_UP),
    ("a window starting later than that", KICKS_BALL, None, TERM, 6.0, Standing.LATER),
]


@pytest.mark.parametrize(
    ("why", "norm", "recorded", "gestation", "months", "expected"), CASES, ids=[c[0] for c in CASES]
)
def test_standing(why, norm, recorded, gestation, months, expected):
    assert standing(norm, recorded, gestation=gestation, on=on_age(BORN, months)) == expected


def test_a_walking_child_who_never_crawled_has_nothing_to_do_about_crawling():
    items = [("crawls", CRAWLS, None, False), ("walks", WALKS_ALONE, "achieved", False)]
    assert status.standings(items, 15.0) == [Standing.NOT_NEEDED, Standing.ACHIEVED]


def test_crawling_recorded_not_yet_is_not_needed_once_walking_alone():
    items = [("crawls", CRAWLS, "not_yet", False), ("walks", WALKS_ALONE, "achieved", False)]
    assert status.standings(items, 15.0)[0] == Standing.NOT_NEEDED


def test_an_earlier_skill_of_the_sequence_does_not_make_crawling_moot():
    sits = Norm(start=3.8, end=9.2, median=5.9, kind="who_percentiles", sequence="getting-about", order=10)
    items = [("crawls", CRAWLS, None, False), ("sits", sits, "achieved", False)]
    assert status.standings(items, 9.0)[0] != Standing.NOT_NEEDED


def test_a_skill_achieved_then_not_yet_is_no_longer_seen_whatever_the_age():
    assert standing(LIFTS_HEAD, "not_yet", on=on_age(BORN, 1.0), lost=True) == Standing.NO_LONGER_SEEN


# --- A lost skill, read from the history in force ------------------------------------------


def _history(*statuses, corrected_first=False) -> list[Observed]:
    day = date(2025, 6, 1)
    found = [Observed(skill="s", on=day + timedelta(days=i), status=s) for i, s in enumerate(statuses)]
    if corrected_first:  # a correction withdraws what it replaces
        found[0] = Observed(skill="s", on=found[0].on, status=found[0].status, withdrawn=True)
    return found


@pytest.mark.parametrize(
    ("history", "lost"),
    [
        (_history("achieved", "not_yet"), True),
        (_history("achieved", "emerging"), True),
        (_history("not_yet", "emerging", "achieved"), False),
        (_history("achieved", "not_yet", "achieved"), False),
        (_history("not_yet", "emerging"), False),
        # The same loss after a correction: "achieved" was a mistake, corrected to "not yet".
        (_history("achieved", "not_yet", corrected_first=True), False),
    ],
)
def test_lost_in_history(history, lost):
    statuses = [o.status for o in observations_in_force(history)]
    assert status.lost_in_history(statuses) is lost


# --- Only overdue and no longer seen are concerns ------------------------------------------


def test_the_concerns_are_overdue_and_no_longer_seen():
    assert {Standing.OVERDUE, Standing.NO_LONGER_SEEN} == status.CONCERNS


def test_every_standing_has_a_meaning_and_a_place_in_the_checklist():
    assert set(status.MEANINGS) == set(Standing) == set(status.GROUP_ORDER)


def test_every_standing_is_reached_by_some_rule():
    assert {rule.standing for rule in status.RULES} == set(Standing)


def test_not_recorded_is_never_a_concern_at_any_age():
    for norm in (WALKS_ALONE, LIFTS_HEAD, KICKS_BALL, SNIPS, SWINGS, CRAWLS):
        for months in range(0, 84, 3):
            assert standing(norm, None, on=on_age(BORN, months)) not in status.CONCERNS


def test_only_most_children_by_windows_can_be_overdue():
    for kind in ("typical_age", "set_for_child"):
        norm = Norm(start=12.0, end=18.0, kind=kind)
        assert standing(norm, "not_yet", on=on_age(BORN, 40)) == Standing.LATER_THAN_TYPICAL


# --- Words -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("norm", "words"),
    [
        (WALKS_ALONE, "Almost all children (99 %) by 17.6 months; half by 12 months."),
        (Norm(start=9.0, end=12.0, kind="cdc_checkpoint"), "3 in 4 children by 12 months."),
        (SNIPS, "Often seen around 24–36 months."),
        (SWINGS, "No age norm we can cite: tracked over time."),
    ],
)
def test_a_window_is_worded_by_what_its_numbers_mean(norm, words):
    assert status.window_in_words(norm) == words


BANNED = ("delayed", "delay", "abnormal", "at risk", "failed", "disorder", "diagnos")


def test_no_heading_or_explanation_uses_a_banned_word():
    texts = [m.heading + " " + m.explanation for m in status.MEANINGS.values()]
    texts += [rule.when + " " + rule.why for rule in status.RULES]
    for text in texts:
        assert not any(word in text.lower() for word in BANNED), text


def test_every_concern_points_to_the_therapist_or_doctor():
    for standing_ in status.CONCERNS:
        assert "doctor" in status.MEANINGS[standing_].explanation


def test_docs_clinical_md_lists_the_rules_as_the_code_has_them():
    docs = (Path(__file__).resolve().parent.parent / "docs" / "clinical.md").read_text()
    start, end = "<!-- status.rules_table: start -->\n", "\n<!-- status.rules_table: end -->"
    assert start in docs and end in docs, "docs/clinical.md lost its rules table markers"
    written = docs.split(start, 1)[1].split(end, 1)[0]
    assert written == status.rules_table(), (
        "docs/clinical.md's rules table is out of date; replace it with:\n" + status.rules_table()
    )
