"""Every page about a child carries the child's tab bar (issue 14: note, goal and skill pages had none)."""

import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains

from ..factories import activity, goal, note, observation

pytestmark = pytest.mark.django_db

TAB_BAR = 'aria-label="Maya\'s pages" class="child-nav'


def _urls(child, guardian, pt) -> dict[str, tuple[object, str]]:
    """name -> (who opens it, url): pages the tab bar was missing from."""
    written = note(child, pt, visibility="family")
    set_goal = goal(child, pt)
    recorded = observation(child, guardian, skill="gm-walks-alone")
    item = activity(child, pt)
    at = child.public_id
    return {
        "note_detail": (guardian, reverse("tracker:note_detail", args=[at, written.pk])),
        "note_create": (guardian, reverse("tracker:note_create", args=[at])),
        "note_edit": (pt, reverse("tracker:note_edit", args=[at, written.pk])),
        "goal_detail": (guardian, reverse("tracker:goal_detail", args=[at, set_goal.pk])),
        "goal_create": (pt, reverse("tracker:goal_create", args=[at])),
        "goal_edit": (pt, reverse("tracker:goal_edit", args=[at, set_goal.pk])),
        "goal_review": (pt, reverse("tracker:goal_review", args=[at, set_goal.pk])),
        "skill_history": (guardian, reverse("tracker:skill_history", args=[at, "gm-walks-alone"])),
        "record": (guardian, reverse("tracker:record", args=[at, "gm-walks-alone"])),
        "correct": (guardian, reverse("tracker:correct", args=[at, recorded.pk])),
        "custom_skill_create": (pt, reverse("tracker:custom_skill_create", args=[at])),
        "child_edit": (guardian, reverse("tracker:child_edit", args=[at])),
        "child_delete": (guardian, reverse("tracker:child_delete", args=[at])),
        "activity_create": (pt, reverse("tracker:activity_create", args=[at])),
        "activity_edit": (pt, reverse("tracker:activity_edit", args=[at, item.pk])),
    }


PAGES = [
    "note_detail",
    "note_create",
    "note_edit",
    "goal_detail",
    "goal_create",
    "goal_edit",
    "goal_review",
    "skill_history",
    "record",
    "correct",
    "custom_skill_create",
    "child_edit",
    "child_delete",
    "activity_create",
    "activity_edit",
]


@pytest.mark.parametrize("name", PAGES)
def test_the_page_carries_the_childs_tab_bar(login, child, guardian, pt, name):
    user, url = _urls(child, guardian, pt)[name]
    assertContains(login(user).get(url), TAB_BAR)


def test_adding_a_child_has_no_tab_bar(login, guardian):
    assert b"child-nav" not in login(guardian).get(reverse("tracker:child_create")).content
