"""The reference skill catalogue: its size, windows, sources, wording, reloading and report."""

import re
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command

from tracker.models import Domain, Observation, Skill

from ..factories import observation

pytestmark = pytest.mark.django_db

DOMAINS = ["gross-motor", "fine-motor", "self-care", "sensory"]

# reference/README.md §1: WHO MGRS 2006, 1st to 99th percentile, in months.
WHO_WINDOWS = {
    "gm-sits-without-support": ("3.8", "9.2"),
    "gm-stands-with-assistance": ("4.8", "11.4"),
    "gm-crawls-hands-and-knees": ("5.2", "13.5"),
    "gm-walks-with-assistance": ("5.9", "13.7"),
    "gm-stands-alone": ("6.9", "16.9"),
    "gm-walks-alone": ("8.2", "17.6"),
}


def _report() -> str:
    out = StringIO()
    call_command("catalogue_report", stdout=out)
    return out.getvalue()


# --- Size -------------------------------------------------------------------------


def test_the_four_domains_are_loaded_in_order():
    assert list(Domain.objects.values_list("slug", flat=True)) == DOMAINS


@pytest.mark.parametrize("domain", DOMAINS)
def test_each_domain_has_at_least_20_skills(domain):
    assert Skill.objects.catalogue().filter(domain__slug=domain).count() >= 20


def test_catalogue_has_at_least_120_skills():
    assert Skill.objects.catalogue().count() >= 120


# --- Windows and sources -------------------------------------------------------------


def test_every_skill_has_both_window_bounds():
    missing = Skill.objects.catalogue().filter(window_start_months__isnull=True) | Skill.objects.catalogue().filter(
        window_end_months__isnull=True
    )
    assert list(missing.values_list("slug", flat=True)) == []


def test_every_window_starts_before_it_ends():
    backwards = [s.slug for s in Skill.objects.catalogue() if not s.window_start_months < s.window_end_months]
    assert backwards == []


def test_every_skill_names_its_source():
    assert list(Skill.objects.catalogue().filter(source__regex=r"^\s*$").values_list("slug", flat=True)) == []


@pytest.mark.parametrize(("slug", "window"), WHO_WINDOWS.items())
def test_who_gross_motor_window_is_the_published_one(slug, window):
    skill = Skill.objects.get(slug=slug)
    assert (skill.window_start_months, skill.window_end_months) == (Decimal(window[0]), Decimal(window[1]))


@pytest.mark.parametrize("slug", WHO_WINDOWS)
def test_who_gross_motor_skill_cites_the_who_study(slug):
    assert Skill.objects.get(slug=slug).source.startswith("WHO MGRS 2006")


@pytest.mark.parametrize("slug", WHO_WINDOWS)
def test_who_gross_motor_skills_are_in_the_gross_motor_domain(slug):
    assert Skill.objects.get(slug=slug).domain.slug == "gross-motor"


# --- Wording --------------------------------------------------------------------------


def test_no_skill_is_worded_as_delayed_or_abnormal():
    worrying = re.compile(r"\b(delayed|abnormal)\b", re.IGNORECASE)
    found = [s.slug for s in Skill.objects.catalogue() if worrying.search(f"{s.name} {s.description}")]
    assert found == []


def test_every_skill_has_a_description():
    assert list(Skill.objects.catalogue().filter(description="").values_list("slug", flat=True)) == []


# --- Reloading ---------------------------------------------------------------------------


def test_reloading_keeps_the_number_of_skills():
    before = Skill.objects.count()
    call_command("load_catalogue", verbosity=0)
    assert Skill.objects.count() == before


def test_reloading_keeps_every_skills_key():
    before = dict(Skill.objects.values_list("slug", "pk"))
    call_command("load_catalogue", verbosity=0)
    assert dict(Skill.objects.values_list("slug", "pk")) == before


def test_reloading_keeps_the_domains_keys():
    before = dict(Domain.objects.values_list("slug", "pk"))
    call_command("load_catalogue", verbosity=0)
    assert dict(Domain.objects.values_list("slug", "pk")) == before


def test_reloading_leaves_an_observation_on_its_skill(child, guardian):
    recorded = observation(child, guardian, skill="gm-walks-alone")
    call_command("load_catalogue", verbosity=0)
    assert Observation.objects.get(pk=recorded.pk).skill.slug == "gm-walks-alone"


def test_reloading_restores_an_edited_window():
    Skill.objects.filter(slug="gm-walks-alone").update(window_end_months=Decimal("20.0"))
    call_command("load_catalogue", verbosity=0)
    assert Skill.objects.get(slug="gm-walks-alone").window_end_months == Decimal("17.6")


# --- The report ------------------------------------------------------------------------------


@pytest.mark.parametrize("domain", DOMAINS)
def test_report_prints_each_domains_count(domain):
    name = Domain.objects.get(slug=domain).name
    count = Skill.objects.catalogue().filter(domain__slug=domain).count()
    line = next(line for line in _report().splitlines() if line.startswith(name))
    assert line.split()[-2:] == [str(count), "skills"]


def test_report_prints_the_total():
    line = next(line for line in _report().splitlines() if line.startswith("Total"))
    assert line.split() == ["Total", str(Skill.objects.catalogue().count()), "skills"]


def test_report_says_every_skill_has_a_window_and_source():
    assert "Every skill has an age window and a source" in _report()


def test_report_names_a_skill_without_a_source():
    Skill.objects.filter(slug="gm-runs").update(source="")
    report = _report()
    assert "gm-runs" in report
    assert "Every skill has an age window and a source" not in report
