"""Taps per task (issue 14's "Done when"), counted in Chromium on the demo family (`manage.py load_demo`).

Every task starts on the page a person lands on after logging in through the form: "My children",
for the parent and the therapist alike (the tests log in and check that is where they are). From a
child's overview each figure is one tap fewer (the tap on "Maya Demo").

What counts as a tap: following a link, pressing a button, choosing a radio, ticking a box, opening
a select (and choosing its option). Typing is not a tap: a text field filled in is counted apart,
as "fields typed into" (on a phone each costs the tap that puts the cursor in it). Scrolling, the
tab bar's sideways swipe included, is not a tap. Each task is done the shortest way the page offers.

| Who, where            | Task                                 | Now: taps + fields typed | Before (961568a)   |
|-----------------------|--------------------------------------|--------------------------|--------------------|
| Parent, 360×740 phone | tick 3 skills (gross motor)          | 5 + 0                    | 5 + 0              |
| Parent, 360×740 phone | find the milestone chart             | 1 + 0                    | 1 + 0              |
| Parent, 360×740 phone | read a note the OT shared            | 2 + 0                    | 2 + 0              |
| Parent, 360×740 phone | post a family update                 | 4 + 1                    | 4 + 1              |
| PT, 1280×800 desktop  | write a SOAP note, linked to a skill | 5 + 4                    | 5 + 4              |
| PT, 1280×800 desktop  | set a goal about a skill             | 5 + 1                    | 6 + 2              |
| PT, 1280×800 desktop  | review a goal, with a comment        | 6 + 1                    | 6 + 1              |

"Before" is the same tasks on that version's demo family, counted the same way, against 961568a
(the commit before issue 14's work) by a one-off script: the goal form then had a flat select of
136 skills (open and choose: 2 taps) and no default target date (one more field to type).

Each test asserts the task was done (what the database holds, or what the page shows) and that it
took no more taps, and no more fields, than the table says: a change that adds a tap fails here.
The figures are printed as TAPS lines (`pytest -s`).
"""

import re
from collections.abc import Callable
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import Locator, Page, expect

from tracker.management.commands.load_demo import DEMO_PASSWORD
from tracker.models import Child, Goal, Note, Observation

PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1280, "height": 800}}

AxeCheck = Callable[[Page], None]

# Task: (taps, fields typed into), as measured at the commit that added this file.
BUDGET = {
    "tick 3 skills": (5, 0),
    "find the milestone chart": (1, 0),
    "read a shared note": (2, 0),
    "post a family update": (4, 1),
    "write a SOAP note": (5, 4),
    "set a goal": (5, 1),
    "review a goal": (6, 1),
}


class Taps:
    """Does a task's steps and counts them: `tap` a link, button, radio or box; `type` into a text field."""

    def __init__(self, task: str) -> None:
        self.task = task
        self.taps = 0
        self.fields = 0

    def tap(self, locator: Locator) -> None:
        locator.click()
        self.taps += 1

    def type(self, locator: Locator, text: str) -> None:
        locator.fill(text)
        self.fields += 1

    def check(self) -> None:
        taps, fields = BUDGET[self.task]
        print(f"\nTAPS {self.task}: {self.taps} taps + {self.fields} fields typed into (budget {taps} + {fields})")
        assert self.taps <= taps, f"{self.task}: {self.taps} taps, more than the {taps} measured"
        assert self.fields <= fields, f"{self.task}: {self.fields} fields typed into, more than the {fields} measured"


def _landed(new_page: Callable[..., Page], email: str, size: dict) -> tuple[Page, Child]:
    """The demo family, and `email` logged in through the form, on the page that follows: "My children"."""
    call_command("load_demo", stdout=StringIO())
    page = new_page(**size)
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("main").get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="My children")).to_be_visible()
    assert page.url.endswith("/children/")
    return page, Child.objects.get(given_name="Maya")


def _open_maya(taps: Taps, page: Page) -> None:
    taps.tap(page.get_by_role("main").get_by_role("link", name="Maya Demo"))
    expect(page.get_by_role("heading", name="Maya Demo", exact=True)).to_be_visible()


def _tab(page: Page, name: str) -> Locator:
    return page.get_by_role("navigation", name="Maya's pages").get_by_role("link", name=name, exact=True)


# --- The parent, on a phone -------------------------------------------------------------------------------


@pytest.mark.browser
def test_a_parent_ticks_three_skills(new_page: Callable[..., Page], axe_check: AxeCheck) -> None:
    page, maya = _landed(new_page, "parent@example.org", PHONE)
    taps = Taps("tick 3 skills")
    _open_maya(taps, page)
    taps.tap(_tab(page, "Checklists"))
    skills = {
        "gm-walks-alone": "Walks alone",
        "gm-pulls-up-to-standing": "Pulls self up onto feet",
        "gm-gets-into-sitting": "Gets into sitting without help",
    }
    for slug, name in skills.items():
        taps.tap(page.get_by_role("group", name=f"Record for today: {name}").get_by_role("button", name="Achieved"))
        expect(page.locator(f"#section-achieved #skill-{slug}")).to_be_attached()
    axe_check(page)
    taps.check()
    today = timezone.localdate()
    for slug in skills:
        assert Observation.objects.filter(
            child=maya, skill__slug=slug, status="achieved", observed_on=today, recorded_by__email="parent@example.org"
        ).exists(), slug


@pytest.mark.browser
def test_a_parent_finds_the_milestone_chart(new_page: Callable[..., Page], axe_check: AxeCheck) -> None:
    page, maya = _landed(new_page, "parent@example.org", PHONE)
    taps = Taps("find the milestone chart")
    _open_maya(taps, page)
    # On the overview, below the area cards: scrolling, not a tap.
    chart = page.locator(f'img.chart-img[src="/children/{maya.public_id}/charts/milestones/gross-motor.svg"]')
    chart.scroll_into_view_if_needed()
    expect(chart).to_be_in_viewport()
    expect(chart).to_have_attribute("alt", re.compile("^Gross motor: "))
    page.wait_for_function("(img) => img.complete && img.naturalWidth > 0", arg=chart.element_handle())
    box = chart.bounding_box()
    assert box is not None and box["width"] <= 360
    axe_check(page)
    taps.check()


@pytest.mark.browser
def test_a_parent_reads_a_note_the_ot_shared(new_page: Callable[..., Page], axe_check: AxeCheck) -> None:
    page, maya = _landed(new_page, "parent@example.org", PHONE)
    shared = Note.objects.get(child=maya, author__email="ot@example.org", visibility="family")
    taps = Taps("read a shared note")
    _open_maya(taps, page)
    taps.tap(_tab(page, "Notes"))
    # The notes list shows each note's whole text.
    expect(page.get_by_role("main").get_by_text(shared.body)).to_be_visible()
    axe_check(page)
    taps.check()


@pytest.mark.browser
def test_a_parent_posts_a_family_update(new_page: Callable[..., Page], axe_check: AxeCheck) -> None:
    page, maya = _landed(new_page, "parent@example.org", PHONE)
    text = "Maya climbed onto the sofa by herself and waved from the top."
    taps = Taps("post a family update")
    _open_maya(taps, page)
    taps.tap(_tab(page, "Notes"))
    taps.tap(page.get_by_role("link", name="Write a note"))
    taps.type(page.get_by_role("textbox", name=re.compile(r"^Note")), text)
    taps.tap(page.get_by_role("button", name="Save note"))
    expect(page.get_by_role("status")).to_contain_text("Note saved.")
    axe_check(page)
    taps.check()
    note = Note.objects.get(child=maya, body=text)
    assert (note.kind, note.visibility, note.author.email) == ("family_update", "family", "parent@example.org")
    assert note.session_date == timezone.localdate()


# --- The physiotherapist, at a desktop --------------------------------------------------------------------


@pytest.mark.browser
def test_a_therapist_writes_a_soap_note(new_page: Callable[..., Page], axe_check: AxeCheck) -> None:
    page, maya = _landed(new_page, "pt@example.org", DESKTOP)
    soap = {
        "S — Subjective": "Parent reports five steps across the kitchen.",
        "O — Objective": "Walks 2 m alone twice out of four; wide base.",
        "A — Assessment": "Independent walking emerging as expected.",
        "P — Plan": "Barefoot walking daily; review in 4 weeks.",
    }
    taps = Taps("write a SOAP note")
    _open_maya(taps, page)
    taps.tap(_tab(page, "Notes"))
    taps.tap(page.get_by_role("link", name="Write a note"))
    # A session note, team-only, is what a therapist's form starts with.
    expect(page.get_by_role("radio", name="Session note (SOAP)")).to_be_checked()
    expect(page.get_by_role("radio", name="Care team only")).to_be_checked()
    for label, text in soap.items():
        taps.type(page.get_by_role("textbox", name=re.compile(f"^{label}")), text)
    taps.tap(page.get_by_role("checkbox", name="Walks alone"))
    taps.tap(page.get_by_role("button", name="Save note"))
    expect(page.get_by_role("status")).to_contain_text("Note saved.")
    axe_check(page)
    taps.check()
    note = Note.objects.get(child=maya, author__email="pt@example.org", objective=soap["O — Objective"])
    assert (note.kind, note.visibility, note.session_date) == ("session", "team", timezone.localdate())
    assert [note.subjective, note.objective, note.assessment, note.plan] == list(soap.values())
    assert list(note.skills.values_list("slug", flat=True)) == ["gm-walks-alone"]


@pytest.mark.browser
def test_a_therapist_sets_a_goal(new_page: Callable[..., Page], axe_check: AxeCheck) -> None:
    page, maya = _landed(new_page, "pt@example.org", DESKTOP)
    text = "Maya will climb onto and off the sofa on her own, 3 times out of 4, within 12 weeks."
    taps = Taps("set a goal")
    _open_maya(taps, page)
    taps.tap(_tab(page, "Goals"))
    taps.tap(page.get_by_role("link", name="Set a goal"))
    # The area starts at gross motor (a physiotherapist's), its skills listed: no search needed.
    expect(page.get_by_role("radio", name="Gross motor")).to_be_checked()
    taps.tap(page.get_by_role("radio", name="Clambers on and off a sofa or chair"))
    taps.type(page.get_by_role("textbox", name=re.compile(r"^Goal")), text)
    taps.tap(page.get_by_role("button", name="Save goal"))
    expect(page.get_by_text("Goal set.")).to_be_visible()
    axe_check(page)
    taps.check()
    goal = Goal.objects.get(child=maya, description=text)
    assert (goal.skill.slug, goal.domain.slug) == ("gm-climbs-on-and-off-furniture", "gross-motor")
    assert goal.target_date == timezone.localdate() + timedelta(weeks=12)


@pytest.mark.browser
def test_a_therapist_reviews_a_goal(new_page: Callable[..., Page], axe_check: AxeCheck) -> None:
    page, maya = _landed(new_page, "pt@example.org", DESKTOP)
    goal = Goal.objects.get(child=maya)
    reviews_before = goal.reviews.count()
    comment = "Walked 3 m alone, 3 of 4 tries."
    taps = Taps("review a goal")
    _open_maya(taps, page)
    taps.tap(_tab(page, "Goals"))
    taps.tap(page.get_by_role("link", name="G1", exact=True))
    taps.tap(page.get_by_role("link", name="Record a review"))
    taps.tap(page.get_by_role("radio", name=re.compile("^0 expected outcome")))
    taps.type(page.get_by_role("textbox", name="Comment (optional)"), comment)
    taps.tap(page.get_by_role("button", name="Save review"))
    expect(page.get_by_role("status")).to_contain_text("Review saved: level 0")
    axe_check(page)
    taps.check()
    assert goal.reviews.count() == reviews_before + 1
    review = goal.reviews.latest("created_at")
    assert (review.level, review.reviewed_on, review.comment) == (0, timezone.localdate(), comment)
