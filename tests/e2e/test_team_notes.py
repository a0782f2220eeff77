"""Team notes end to end in Chromium: a PT and an OT write about the same skill; the parent reads only
what is shared with the family.

Every page visited is checked with axe, and any browser console error (a CSP violation included) fails.
"""

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Locator, Page, expect

from tracker.models import Discipline, Note, Role, Skill

from ..factories import PASSWORD, ChildFactory, MembershipFactory, UserFactory, therapist

AxeCheck = Callable[[Page], None]

PT_TEAM_NOTE = "PT only: hip stability still weak on the left"
OT_TEAM_NOTE = "OT only: grasp of the rail looked effortful"
PT_FAMILY_NOTE = "For home: practise cruising along the sofa"


def field(page: Page, label: str) -> Locator:
    """The form field with exactly this label, ignoring crispy-forms' "*" on required fields."""
    return page.get_by_label(re.compile(rf"^\s*{re.escape(label)}\W*$"))


def log_in(page: Page, axe_check: AxeCheck, email: str) -> None:
    page.goto("/accounts/login/")
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    axe_check(page)
    field(page, "Email").fill(email)
    field(page, "Password").fill(PASSWORD)
    page.get_by_role("main").get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name="Log out")).to_be_attached()
    axe_check(page)


def open_notes(page: Page, axe_check: AxeCheck) -> None:
    """From "My children", open Maya's notes."""
    page.get_by_role("link", name="My children").click()
    page.get_by_role("main").get_by_role("link", name="Maya").click()
    expect(page.get_by_role("heading", name="Maya Example", exact=True)).to_be_visible()
    axe_check(page)
    page.get_by_role("link", name="Notes", exact=True).click()
    expect(page.get_by_role("heading", name="Maya Example: notes")).to_be_visible()
    axe_check(page)


def save_note(page: Page, axe_check: AxeCheck) -> None:
    page.get_by_role("button", name="Save note").click()
    expect(page.get_by_role("status")).to_contain_text("Note saved.")
    axe_check(page)


@pytest.mark.browser
def test_a_pt_and_an_ot_write_team_notes_the_parent_reads_only_the_shared_one(
    page: Page, new_page: Callable[..., Page], axe_check: AxeCheck
) -> None:
    child = ChildFactory(given_name="Maya", family_name="Example")
    parent = UserFactory(name="Pat Parent", email="pat@example.org", profession="parent")
    MembershipFactory(child=child, user=parent, role=Role.GUARDIAN)
    therapist(child, Discipline.PHYSIOTHERAPY, name="Paul PT", email="paul.pt@example.org")
    therapist(child, Discipline.OCCUPATIONAL_THERAPY, name="Olga OT", email="olga.ot@example.org")

    # The PT logs in and writes a team-only session note about walking.
    log_in(page, axe_check, "paul.pt@example.org")
    open_notes(page, axe_check)
    page.get_by_role("link", name="Write a note").click()
    expect(page.get_by_role("heading", name="Write a note about Maya")).to_be_visible()
    axe_check(page)
    # A session note, team-only, is what the form starts with; the radios say so plainly.
    expect(page.get_by_role("radio", name="Session note (SOAP)")).to_be_checked()
    expect(page.get_by_role("radio", name="Care team only")).to_be_checked()
    field(page, "O — Objective (what you observed and measured)").fill(PT_TEAM_NOTE)
    page.get_by_role("searchbox", name="Find in linked skills (optional)").fill("walks")
    page.get_by_role("checkbox", name="Walks alone").check()
    save_note(page, axe_check)
    note = page.get_by_role("article")
    expect(note).to_contain_text("Care team only")
    expect(note).to_contain_text("Paul PT (PT)")
    expect(note).to_contain_text(PT_TEAM_NOTE)
    expect(note.get_by_role("link", name="Walks alone")).to_be_visible()

    # ...and a general note shared with the family.
    page.get_by_role("link", name="Maya Example: notes").click()
    axe_check(page)
    page.get_by_role("link", name="Write a note").click()
    axe_check(page)
    page.get_by_role("radio", name="General note").check()
    page.get_by_role("radio", name="Shared with family").check()
    field(page, "Note").fill(PT_FAMILY_NOTE)
    save_note(page, axe_check)
    expect(page.get_by_role("article")).to_contain_text("Shared with family")

    # The OT logs in, reads the PT's note, and replies from that skill's page with a linked note.
    ot = new_page()
    log_in(ot, axe_check, "olga.ot@example.org")
    open_notes(ot, axe_check)
    expect(ot.get_by_role("main")).to_contain_text(PT_TEAM_NOTE)
    ot.get_by_role("main").get_by_role("link", name="Walks alone").first.click()
    expect(ot.get_by_role("heading", name="Walks alone")).to_be_visible()
    axe_check(ot)
    ot.get_by_role("link", name="Write a note about this skill").click()
    expect(ot.get_by_role("heading", name="Write a note about Maya")).to_be_visible()
    axe_check(ot)
    walks_alone = Skill.objects.get(slug="gm-walks-alone")
    expect(ot.get_by_role("checkbox", name="Walks alone")).to_be_checked()
    expect(ot.locator(f'input[name="skills"][value="{walks_alone.pk}"]')).to_be_checked()
    expect(ot.get_by_role("radio", name="Care team only")).to_be_checked()
    field(ot, "A — Assessment (your interpretation)").fill(OT_TEAM_NOTE)
    save_note(ot, axe_check)
    reply = ot.get_by_role("article")
    expect(reply).to_contain_text("Olga OT (OT)")
    expect(reply).to_contain_text("Care team only")
    expect(reply.get_by_role("link", name="Walks alone")).to_be_visible()
    assert set(Note.objects.filter(skills__slug="gm-walks-alone").values_list("author_voice", flat=True)) == {
        "PT",
        "OT",
    }

    # The parent logs in: the shared note is there, neither team-only note is, on the notes and the timeline.
    parent_page = new_page()
    log_in(parent_page, axe_check, "pat@example.org")
    open_notes(parent_page, axe_check)
    main = parent_page.get_by_role("main")
    expect(main).to_contain_text(PT_FAMILY_NOTE)
    expect(main).not_to_contain_text(PT_TEAM_NOTE)
    expect(main).not_to_contain_text(OT_TEAM_NOTE)
    parent_page.get_by_role("link", name="Timeline").click()
    expect(parent_page.get_by_role("heading", name="Maya Example: team timeline")).to_be_visible()
    axe_check(parent_page)
    main = parent_page.get_by_role("main")
    expect(main).to_contain_text(PT_FAMILY_NOTE)
    expect(main).not_to_contain_text(PT_TEAM_NOTE)
    expect(main).not_to_contain_text(OT_TEAM_NOTE)
    expect(main.locator(".timeline-entry[data-type=note]")).to_have_count(1)
