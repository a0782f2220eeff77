"""Issue 14 in a real browser, on a 360×740 phone and a 1280×800 desktop, with axe on every page visited.

- A parent ticks three skills: each row moves to its new group and the counts change without a
  reload, a confirmation is shown in the live region, and an undo puts one row back.
- The child's tab bar reaches every tab on a phone, and the note, goal and skill pages carry it.
- A therapist sets a goal within 6 taps (typing aside).
"""

import re
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone
from playwright.sync_api import Page, expect

from tests.factories import ChildFactory, MembershipFactory, UserFactory, note
from tracker.models import Discipline, Goal, Role

PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1280, "height": 800}}
SIZES = {"phone": PHONE, "desktop": DESKTOP}

AxeCheck = Callable[[Page], None]


def _signed_in(new_page: Callable[..., Page], live_server, user, size: dict) -> Page:
    """A browser page with `user`'s session (logging in through the form is tested elsewhere)."""
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    page = new_page(**size)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}])
    return page


def _family(months: int = 10):
    parent = UserFactory(email="phone.parent@example.org", name="Pat Parent", profession="parent")
    child = ChildFactory(given_name="Nina", date_of_birth=timezone.localdate() - timedelta(days=30 * months))
    MembershipFactory(child=child, user=parent, role=Role.GUARDIAN)
    return parent, child


def _count(page: Page, name: str) -> str:
    return page.locator(f'#area-counts [data-count="{name}"]').inner_text()


@pytest.mark.browser
@pytest.mark.parametrize("size", SIZES)
def test_a_parent_ticks_three_skills_and_rows_move_without_a_reload_then_undoes_one(
    new_page: Callable[..., Page], axe_check: AxeCheck, live_server, size: str
) -> None:
    parent, child = _family()
    page = _signed_in(new_page, live_server, parent, SIZES[size])
    page.goto(f"/children/{child.public_id}/checklist/gross-motor/")
    axe_check(page)
    page.evaluate("window.notReloaded = true")
    assert _count(page, "achieved") == "0"

    first_group = page.locator("section.checklist-group:not([hidden])").first
    ticked = []
    for expected in ("1", "2", "3"):
        row = first_group.locator("li.skill-row").first
        slug = row.get_attribute("id")
        ticked.append(slug)
        row.get_by_role("button", name="Achieved").click()
        # The row is now in the achieved group, and the counts say so.
        expect(page.locator(f"#section-achieved #{slug}")).to_be_attached()
        expect(page.locator("#area-counts [data-count=achieved]")).to_have_text(expected)
        expect(page.locator('#section-achieved [data-count="achieved"]')).to_have_text(expected)
        expect(page.get_by_role("status")).to_contain_text("Saved:")
    assert page.evaluate("window.notReloaded") is True
    assert page.locator(f"#section-achieved #{ticked[-1]}").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= SIZES[size]["viewport"]["width"]
    axe_check(page)

    page.get_by_role("status").get_by_role("button", name="Undo").click()
    expect(page.get_by_role("status")).to_contain_text("Undone:")
    expect(page.locator("#area-counts [data-count=achieved]")).to_have_text("2")
    expect(page.locator(f"#section-achieved #{ticked[-1]}")).to_have_count(0)
    expect(page.locator(f"#{ticked[-1]}")).to_have_count(1)
    assert page.evaluate("window.notReloaded") is True
    axe_check(page)

    # What the page shows is what was saved: a fresh draw agrees.
    page.reload()
    expect(page.locator("#area-counts [data-count=achieved]")).to_have_text("2")
    for slug in ticked[:2]:
        expect(page.locator(f"#section-achieved #{slug}")).to_be_attached()


@pytest.mark.browser
def test_the_tab_bar_reaches_every_tab_on_a_phone(
    new_page: Callable[..., Page], axe_check: AxeCheck, live_server
) -> None:
    parent, child = _family()
    therapist = UserFactory(email="pt.nav@example.org", name="Paula Move", profession="pt")
    MembershipFactory(child=child, user=therapist, role=Role.THERAPIST, discipline=Discipline.PHYSIOTHERAPY)
    shared = note(child, therapist, visibility="family", body="Lovely session.")
    page = _signed_in(new_page, live_server, parent, PHONE)
    page.goto(f"/children/{child.public_id}/")
    tabs = page.get_by_role("navigation", name="Nina's pages").get_by_role("link")
    names = [tabs.nth(i).inner_text() for i in range(tabs.count())]
    assert names[-2:] == ["Care team", "Audit log"]
    for index, name in enumerate(names):
        tab = tabs.nth(index)
        tab.scroll_into_view_if_needed()
        box = tab.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 360, name
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    axe_check(page)

    tabs.last.click()
    expect(page.get_by_role("heading", name=re.compile("Audit log|audit", re.I)).first).to_be_visible()
    # The current tab is scrolled into sight on the page it names.
    current = page.get_by_role("navigation", name="Nina's pages").locator('[aria-current="page"]')
    box = current.bounding_box()
    assert box is not None and box["x"] + box["width"] <= 360

    # A note, a skill page and a form carry the tab bar too.
    for path in (
        f"/children/{child.public_id}/notes/{shared.pk}/",
        f"/children/{child.public_id}/skills/gm-walks-alone/",
        f"/children/{child.public_id}/notes/new/",
    ):
        page.goto(path)
        expect(page.get_by_role("navigation", name="Nina's pages")).to_be_visible()
        axe_check(page)


@pytest.mark.browser
def test_a_therapist_sets_a_goal_within_six_taps(
    new_page: Callable[..., Page], axe_check: AxeCheck, live_server
) -> None:
    _, child = _family(months=12)
    therapist = UserFactory(email="pt.goal@example.org", name="Paula Move", profession="pt")
    MembershipFactory(child=child, user=therapist, role=Role.THERAPIST, discipline=Discipline.PHYSIOTHERAPY)
    page = _signed_in(new_page, live_server, therapist, DESKTOP)
    page.goto(f"/children/{child.public_id}/")
    taps = 0

    def tap(locator) -> None:
        nonlocal taps
        locator.click()
        taps += 1

    tap(page.get_by_role("navigation", name="Nina's pages").get_by_role("link", name="Goals"))
    tap(page.get_by_role("link", name="Set a goal"))
    axe_check(page)
    # The area starts at gross motor (a physiotherapist's); typing finds the skill.
    expect(page.get_by_role("radio", name="Gross motor")).to_be_checked()
    page.get_by_role("searchbox", name=re.compile("Find in")).fill("walks alone")
    expect(page.get_by_role("radio", name="Stands alone")).to_be_hidden()
    tap(page.get_by_role("radio", name="Walks alone"))
    page.get_by_label("Goal", exact=False).first.fill("Walks 3 metres alone, 3 times out of 4.")
    tap(page.get_by_role("button", name="Save goal"))
    expect(page.get_by_text("Goal set.")).to_be_visible()
    axe_check(page)
    assert taps <= 6
    goal = Goal.objects.get(child=child)
    assert (goal.skill.slug, goal.domain.slug) == ("gm-walks-alone", "gross-motor")
    assert goal.target_date == timezone.localdate() + timedelta(weeks=12)


@pytest.mark.browser
def test_a_therapists_note_form_shows_the_fields_of_the_chosen_kind(
    new_page: Callable[..., Page], axe_check: AxeCheck, live_server
) -> None:
    _, child = _family()
    therapist = UserFactory(email="ot.note@example.org", name="Olga Hand", profession="ot")
    MembershipFactory(child=child, user=therapist, role=Role.THERAPIST, discipline=Discipline.OCCUPATIONAL_THERAPY)
    page = _signed_in(new_page, live_server, therapist, PHONE)
    page.goto(f"/children/{child.public_id}/notes/new/")
    expect(page.get_by_role("textbox", name=re.compile("Subjective"))).to_be_visible()
    expect(page.get_by_role("textbox", name=re.compile(r"^Note"))).to_be_hidden()
    axe_check(page)
    page.get_by_role("radio", name="Family update").check()
    expect(page.get_by_role("textbox", name=re.compile(r"^Note"))).to_be_visible()
    expect(page.get_by_role("textbox", name=re.compile("Subjective"))).to_be_hidden()
    expect(page.get_by_role("radio", name="Shared with family")).to_be_checked()
    axe_check(page)
