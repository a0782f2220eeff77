"""The reference skill catalogue: published windows, checkable citations, optional skills, reloading and report.

The published numbers are written out here as data (reference/README.md §1–§4),
not read from the fixture, so a wrong window in the fixture fails a test.
"""

import re
from datetime import date
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from tracker import catalogue, status
from tracker.management.commands.catalogue_report import section_of
from tracker.models import Child, Domain, Observation, Skill, Source

pytestmark = pytest.mark.django_db

DOMAINS = ["gross-motor", "fine-motor", "self-care", "sensory"]

# reference/README.md §1: WHO MGRS 2006, (1st percentile, 99th percentile, median) in months.
WHO = {
    "gm-sits-without-support": ("3.8", "9.2", "5.9"),
    "gm-stands-with-assistance": ("4.8", "11.4", "7.4"),
    "gm-crawls-hands-and-knees": ("5.2", "13.5", "8.3"),
    "gm-walks-with-assistance": ("5.9", "13.7", "9.0"),
    "gm-stands-alone": ("6.9", "16.9", "10.8"),
    "gm-walks-alone": ("8.2", "17.6", "12.0"),
}

# reference/README.md §2 and CDC's 2022 checklists: the checkpoint (months) at which CDC lists each item.
CDC = {
    "gm-lifts-head-on-tummy": 2,  # holds head up on tummy
    "gm-kicks-and-waves-both-sides": 2,  # moves both arms and legs
    "gm-holds-head-steady": 4,
    "gm-props-on-forearms": 4,
    "gm-rolls-tummy-to-back": 6,
    "gm-lifts-chest-on-straight-arms": 6,
    "gm-sits-propped-on-hands": 6,
    "gm-gets-into-sitting": 9,
    "gm-pulls-up-to-standing": 12,
    "gm-climbs-on-and-off-furniture": 18,
    "gm-kicks-ball": 24,
    "gm-runs": 24,
    "gm-goes-up-a-few-stairs": 24,
    "gm-jumps-with-both-feet": 30,
    "gm-catches-large-ball": 48,
    "gm-hops-on-one-leg": 60,
    "fm-opens-hands-now-and-then": 2,
    "fm-keeps-hold-of-toy-placed-in-hand": 4,
    "fm-swipes-at-hanging-toy": 4,
    "fm-takes-hands-to-mouth": 4,
    "fm-passes-toy-hand-to-hand": 9,
    "fm-raking-grasp": 9,
    "fm-inferior-pincer-grasp": 12,  # picks up small things between thumb and index finger
    "fm-builds-tower-of-two": 15,  # stacks two small objects (cognitive)
    "fm-scribbles": 18,
    "fm-steadies-with-one-hand-works-with-other": 24,
    "fm-twists-lids-and-knobs": 30,
    "fm-turns-pages-one-at-a-time": 30,
    "fm-threads-large-beads": 36,
    "fm-draws-circle-after-watching": 36,
    "fm-grips-crayon-with-fingertips": 48,
    "fm-draws-person-three-parts": 48,
    "fm-forms-letters-of-own-name": 60,
    "sc-sips-from-open-cup-you-hold": 12,
    "sc-eats-finger-foods": 15,
    "sc-pushes-arms-through-sleeves": 18,  # helps dress by pushing an arm through a sleeve (social/emotional)
    "sc-manages-open-cup-with-spills": 18,
    "sc-has-a-go-with-spoon": 18,
    "sc-feeds-self-with-spoon": 24,
    "sc-takes-off-loose-clothing": 30,
    "sc-puts-on-open-jacket": 36,  # puts on some clothes (loose trousers, jacket)
    "sc-pulls-on-loose-trousers": 36,
    "sc-feeds-self-with-fork": 36,
    "sc-undoes-large-button": 48,  # unbuttons some buttons
    "sc-serves-own-food": 48,
    "sc-pours-a-drink": 48,
    "sc-does-up-large-front-buttons": 60,  # buttons some buttons
    "sc-does-up-several-buttons": 60,  # buttons some buttons
    "sen-reacts-to-sudden-sounds": 2,  # reacts to loud sounds (language)
    "sen-looks-at-faces": 2,  # looks at your face (social/emotional)
    "sen-calms-with-cuddles": 2,  # calms when spoken to or picked up
    "sen-settles-to-familiar-voice": 2,  # calms when spoken to or picked up
    "sen-follows-moving-toy-with-eyes": 2,  # watches you as you move (cognitive)
    "sen-turns-towards-voice": 4,  # turns head towards your voice (language)
    "sen-explores-toys-with-hands-and-mouth": 6,  # puts things in the mouth to explore them (cognitive)
    "sen-sits-for-short-table-task": 60,  # pays attention 5-10 minutes to an activity (cognitive)
}

# reference/README.md §4: the dressing windows issue 13 names, and CDC's checkpoint for the same item.
DRESSING_CDC = {
    "sc-pushes-arms-through-sleeves": 18,
    "sc-undoes-large-button": 48,
    "sc-puts-on-open-jacket": 36,
    "sc-does-up-large-front-buttons": 60,
    "sc-does-up-several-buttons": 60,
    "sc-pulls-on-loose-trousers": 36,
    "sc-takes-off-loose-clothing": 30,
}
# Their first-appearance ages on the CHOC sheet: a window may start there.
DRESSING_CHOC = {
    "sc-pushes-arms-through-sleeves": 12,
    "sc-undoes-large-button": 30,
    "sc-puts-on-open-jacket": 30,
    "sc-does-up-large-front-buttons": 36,
    "sc-does-up-several-buttons": 42,
}
# AAP, "Toilet training": typical ages, never an alarm.
TOILETING = {
    "sc-interest-in-potty": (18, 36),
    "sc-tells-you-nappy-wet-or-dirty": (18, 36),
    "sc-stays-dry-for-two-hours": (18, 36),
    "sc-dry-in-the-day": (36, 48),
    "sc-uses-toilet-for-poos": (36, 48),
    "sc-dry-at-night": (60, 84),
}
UNNAMED = re.compile(r"clinic(al)? (norms|guidance|estimate)|textbook and clinic", re.IGNORECASE)


def _report(*args: str) -> str:
    out = StringIO()
    call_command("catalogue_report", *args, stdout=out)
    return out.getvalue()


def _months(value) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.1"))


# --- Size -------------------------------------------------------------------------


def test_the_four_domains_are_loaded_in_order():
    assert list(Domain.objects.values_list("slug", flat=True)) == DOMAINS


@pytest.mark.parametrize("domain", DOMAINS)
def test_each_domain_has_at_least_20_skills(domain):
    assert Skill.objects.catalogue().filter(domain__slug=domain).count() >= 20


def test_catalogue_has_at_least_120_skills():
    assert Skill.objects.catalogue().count() >= 120


# --- WHO windows ----------------------------------------------------------------------


@pytest.mark.parametrize(("slug", "published"), WHO.items())
def test_who_window_and_median_are_the_published_ones(slug, published):
    skill = Skill.objects.get(slug=slug)
    found = (skill.window_start_months, skill.window_end_months, skill.median_months)
    assert found == tuple(Decimal(value) for value in published)


@pytest.mark.parametrize("slug", WHO)
def test_who_window_says_it_is_a_percentile_window_from_the_who_study(slug):
    skill = Skill.objects.get(slug=slug)
    assert (skill.window_kind, skill.source.slug, skill.domain.slug) == (
        "who_percentiles",
        "who-mgrs-2006",
        "gross-motor",
    )


def test_only_the_six_who_milestones_have_who_windows():
    assert set(Skill.objects.catalogue().filter(window_kind="who_percentiles").values_list("slug", flat=True)) == set(
        WHO
    )


def test_walking_alone_is_worded_by_what_its_numbers_mean():
    text = status.window_in_words(Skill.objects.get(slug="gm-walks-alone").norm)
    assert text == "Almost all children (99 %) by 17.6 months; half by 12 months."


# --- CDC windows ----------------------------------------------------------------------


@pytest.mark.parametrize(("slug", "checkpoint"), CDC.items())
def test_cdc_window_ends_at_the_checkpoint_where_cdc_lists_the_item(slug, checkpoint):
    skill = Skill.objects.get(slug=slug)
    assert (skill.window_kind, skill.window_end_months) == ("cdc_checkpoint", _months(checkpoint))


def test_every_cdc_window_is_one_this_test_knows_the_checkpoint_of():
    cdc = set(Skill.objects.catalogue().filter(window_kind="cdc_checkpoint").values_list("slug", flat=True))
    assert cdc - set(CDC) == set()


def test_a_cdc_window_is_worded_as_three_in_four_children():
    text = status.window_in_words(Skill.objects.get(slug="sc-pushes-arms-through-sleeves").norm)
    assert text == "3 in 4 children by 18 months."


# --- Dressing, self-care and sensory --------------------------------------------------


@pytest.mark.parametrize(("slug", "checkpoint"), DRESSING_CDC.items())
def test_dressing_window_ends_no_earlier_than_cdc(slug, checkpoint):
    assert Skill.objects.get(slug=slug).window_end_months >= _months(checkpoint)


@pytest.mark.parametrize(("slug", "first_seen"), DRESSING_CHOC.items())
def test_dressing_window_starts_at_chocs_first_appearance_age(slug, first_seen):
    assert Skill.objects.get(slug=slug).window_start_months == _months(first_seen)


def test_choc_ages_are_typical_ages_never_limits():
    kinds = set(Skill.objects.catalogue().filter(source__slug="choc-dressing").values_list("window_kind", flat=True))
    assert kinds <= {"typical_age", ""}


@pytest.mark.parametrize(("slug", "window"), TOILETING.items())
def test_toileting_window_is_the_aap_typical_age(slug, window):
    skill = Skill.objects.get(slug=slug)
    found = (skill.window_kind, skill.window_start_months, skill.window_end_months)
    assert found == ("typical_age", _months(window[0]), _months(window[1]))


def test_sensory_skills_without_a_cdc_item_have_no_window():
    timed = Skill.objects.catalogue().filter(domain__slug="sensory", window_end_months__isnull=False)
    assert set(timed.values_list("slug", flat=True)) == {slug for slug in CDC if slug.startswith("sen-")}


def test_untimed_sensory_skills_name_their_system_and_say_there_is_no_norm():
    untimed = Skill.objects.catalogue().filter(domain__slug="sensory", window_end_months__isnull=True)
    vague = [
        s.slug
        for s in untimed
        if not ("Sensory system:" in s.source_detail and "No published age norm" in s.source_detail)
    ]
    assert vague == []


# --- Citations --------------------------------------------------------------------------


def test_no_window_comes_from_an_unnamed_source():
    windowed = Skill.objects.catalogue().filter(window_end_months__isnull=False).select_related("source")
    unnamed = [s.slug for s in windowed if s.source is None or UNNAMED.search(f"{s.source.citation} {s.source_detail}")]
    assert unnamed == []


def test_every_source_citation_gives_a_year():
    assert [s.slug for s in Source.objects.all() if not re.search(r"\b(19|20)\d\d\b", s.citation)] == []


def test_every_catalogue_skill_passes_the_report():
    assert "Every catalogue skill and source can be checked." in _report()


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"source": None}, "no source"),
        ({"source_detail": ""}, "no place in the source"),
        ({"window_end_months": Decimal("20.0")}, "not a CDC 2022 checkpoint"),
        ({"window_start_months": None}, "half a window"),
    ],
)
def test_report_fails_naming_a_cdc_skill_it_cannot_check(change, reason):
    Skill.objects.filter(slug="gm-runs").update(**change)
    with pytest.raises(CommandError, match=rf"gm-runs: [^\n]*{reason}"):
        _report()


def test_report_fails_on_a_who_window_without_its_median():
    Skill.objects.filter(slug="gm-walks-alone").update(median_months=None)
    with pytest.raises(CommandError, match="gm-walks-alone: a WHO window without its median"):
        _report()


def test_report_fails_on_a_who_window_that_is_not_published():
    Skill.objects.filter(slug="gm-walks-alone").update(window_end_months=Decimal("18.0"))
    with pytest.raises(CommandError, match="gm-walks-alone: a WHO window .* not one of the six"):
        _report()


@pytest.mark.parametrize(
    ("window", "kind", "reason"),
    [
        ((Decimal("9.0"), Decimal("24.0")), "", "a window without a kind"),
        ((None, None), "typical_age", "a kind (typical_age) without a window"),
        ((Decimal("9.0"), Decimal("24.0")), "set_for_child", "is for a therapist's custom skill"),
    ],
)
def test_a_window_and_its_kind_come_together(window, kind, reason):
    # The database refuses most of these (skill_window_has_a_kind); the report says why in words.
    entry = catalogue.Entry("sen-enjoys-swinging", *window, None, kind, "dunn-2007", "Sensory system: movement.")
    assert any(reason in found for found in catalogue.skill_problems(entry))


def test_report_fails_on_a_citation_without_a_year():
    Source.objects.filter(slug="robson-1970").update(citation="Robson P. Shuffling, hitching, scooting or sliding.")
    with pytest.raises(CommandError, match="source robson-1970: the citation gives no year"):
        _report()


@pytest.mark.parametrize("domain", DOMAINS)
def test_report_prints_each_domains_count(domain):
    name = Domain.objects.get(slug=domain).name
    count = Skill.objects.catalogue().filter(domain__slug=domain).count()
    line = next(line for line in _report().splitlines() if line.startswith(name))
    assert line.split()[-2:] == [str(count), "skills"]


def test_report_prints_each_source_with_its_citation():
    report = _report()
    assert all(source.citation in report for source in Source.objects.all())


def test_report_lists_the_skills_with_no_age_norm():
    report = _report()
    untimed = Skill.objects.catalogue().filter(window_end_months__isnull=True).values_list("slug", flat=True)
    assert all(re.search(rf"^\s+{slug}\s", report, re.MULTILINE) for slug in untimed)


# --- Optional skills ---------------------------------------------------------------------


def _standings(age: float, recorded: dict[str, str | None]) -> dict[str, status.Standing]:
    skills = Skill.objects.catalogue().filter(slug__in=recorded)
    items = [(s.slug, s.norm, recorded[s.slug], False) for s in skills]
    return dict(zip([slug for slug, *_ in items], status.standings(items, age), strict=True))


def test_crawling_and_bottom_shuffling_are_optional():
    optional = Skill.objects.catalogue().filter(slug__in=["gm-crawls-hands-and-knees", "gm-bottom-shuffles"])
    assert [s.optional for s in optional] == [True, True]


def test_crawling_is_not_needed_once_walking_alone_is_achieved():
    found = _standings(20, {"gm-crawls-hands-and-knees": "not_yet", "gm-walks-alone": "achieved"})
    assert found["gm-crawls-hands-and-knees"] == status.Standing.NOT_NEEDED


def test_crawling_not_yet_past_its_window_is_never_overdue():
    found = _standings(15, {"gm-crawls-hands-and-knees": "not_yet", "gm-walks-alone": "emerging"})
    assert found["gm-crawls-hands-and-knees"] == status.Standing.LATER_THAN_TYPICAL


def test_bottom_shuffling_is_not_needed_once_walking_alone_is_achieved():
    found = _standings(20, {"gm-bottom-shuffles": None, "gm-walks-alone": "achieved"})
    assert found["gm-bottom-shuffles"] == status.Standing.NOT_NEEDED


# --- Wording -------------------------------------------------------------------------------


def test_no_skill_is_worded_as_delayed_or_abnormal():
    worrying = re.compile(r"\b(delayed|abnormal|at risk|failed)\b", re.IGNORECASE)
    found = [s.slug for s in Skill.objects.catalogue() if worrying.search(f"{s.name} {s.description}")]
    assert found == []


def test_every_skill_has_a_description():
    assert list(Skill.objects.catalogue().filter(description="").values_list("slug", flat=True)) == []


# --- Reloading ---------------------------------------------------------------------------


def test_reloading_twice_duplicates_nothing():
    before = [model.objects.count() for model in (Skill, Source, Domain)]
    call_command("load_catalogue", verbosity=0)
    call_command("load_catalogue", verbosity=0)
    assert [model.objects.count() for model in (Skill, Source, Domain)] == before


def test_reloading_keeps_every_skills_key():
    before = dict(Skill.objects.values_list("slug", "pk"))
    call_command("load_catalogue", verbosity=0)
    assert dict(Skill.objects.values_list("slug", "pk")) == before


def test_reloading_twice_leaves_an_observation_on_its_skill():
    # Made directly, not through the factories: this test is about the catalogue, not the child model.
    child = Child.objects.create(given_name="Maya", date_of_birth=date(2025, 3, 10))
    recorded = Observation.objects.create(
        child=child,
        skill=Skill.objects.get(slug="gm-crawls-hands-and-knees"),
        status="achieved",
        observed_on=date(2026, 1, 5),
        is_current=True,
    )
    call_command("load_catalogue", verbosity=0)
    call_command("load_catalogue", verbosity=0)
    assert Observation.objects.get(pk=recorded.pk).skill.slug == "gm-crawls-hands-and-knees"


def test_reloading_restores_an_edited_window():
    Skill.objects.filter(slug="gm-walks-alone").update(window_end_months=Decimal("20.0"))
    call_command("load_catalogue", verbosity=0)
    assert Skill.objects.get(slug="gm-walks-alone").window_end_months == Decimal("17.6")


# --- docs/clinical.md ----------------------------------------------------------------------


def test_clinical_docs_source_table_is_current():
    path = Path(settings.BASE_DIR) / "docs" / "clinical.md"
    assert section_of(path.read_text()) == _report("--markdown").strip("\n"), (
        "docs/clinical.md's source table differs from the catalogue. Regenerate it: load the catalogue "
        "(DJANGO_DEBUG=1 .venv/bin/python manage.py load_catalogue), then run "
        "DJANGO_DEBUG=1 .venv/bin/python manage.py catalogue_report --write docs/clinical.md"
    )
