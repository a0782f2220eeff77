"""Whatever anyone types is shown as text: escaped, line breaks kept, long words wrapped inside `.user-text`.

Each hostile note is read on every page that shows notes: the list, the note's page, the timeline and
"What's new" (by a therapist who did not write it).
"""

import html
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from tracker.models import Note

from ..factories import note

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert(1)</script>"
ATTRIBUTE = '"><img src=x onerror=alert(1)>'
LONG = "W" * 5_000
PAGES = ["note_list", "note_detail", "timeline", "changes"]


def _get(client, page: str, n: Note):
    if page == "note_detail":
        return client.get(reverse("tracker:note_detail", args=[n.child.public_id, n.pk]))
    if page == "changes":
        return client.get(reverse("tracker:changes"))
    return client.get(reverse(f"tracker:{page}", args=[n.child.public_id]))


def _in_user_text(content: str, text: str) -> bool:
    """Whether `text` opens an element whose classes include `user-text`."""
    return bool(re.search(r'class="(?:[^"]* )?user-text(?: [^"]*)?"[^>]*>\s*' + re.escape(text), content))


@pytest.mark.parametrize("kind", ["general", "session"])
@pytest.mark.parametrize("page", PAGES)
def test_a_script_tag_is_shown_as_text(login, child, pt, ot, page, kind):
    n = note(child, pt, kind=kind, visibility="family", body=f"Before {SCRIPT} after")
    content = _get(login(ot), page, n).content.decode()
    assert SCRIPT not in content
    assert html.escape(SCRIPT) in content


@pytest.mark.parametrize("page", PAGES)
def test_an_attribute_breakout_is_shown_as_text(login, child, pt, ot, page):
    n = note(child, pt, visibility="family", body=ATTRIBUTE)
    content = _get(login(ot), page, n).content.decode()
    assert "<img src=x" not in content
    assert html.escape(ATTRIBUTE) in content


@pytest.mark.parametrize("page", PAGES)
def test_a_family_update_with_a_script_is_escaped_for_the_team(login, child, guardian, pt, page):
    n = note(child, guardian, kind="family_update", visibility="family", body=SCRIPT)
    content = _get(login(pt), page, n).content.decode()
    assert SCRIPT not in content


@pytest.mark.parametrize("kind", ["general", "session"])
@pytest.mark.parametrize("page", ["note_list", "note_detail", "timeline"])
def test_a_5000_character_word_sits_whole_inside_user_text(login, child, pt, ot, page, kind):
    n = note(child, pt, kind=kind, visibility="family", body=LONG)
    assert _in_user_text(_get(login(ot), page, n).content.decode(), LONG)


def test_whats_new_shows_the_start_of_a_long_word_inside_user_text(login, child, pt, ot):
    n = note(child, pt, visibility="family", body=LONG)
    assert _in_user_text(_get(login(ot), "changes", n).content.decode(), LONG[:200])


def test_user_text_wraps_anywhere_and_keeps_line_breaks():
    css = Path(settings.BASE_DIR, "static", "css", "app.css").read_text()
    rule = re.search(r"\.user-text\s*\{([^}]*)\}", css)
    assert rule, "app.css has no .user-text rule"
    declarations = {d.split(":")[0].strip(): d.split(":")[1].strip() for d in rule.group(1).split(";") if ":" in d}
    assert declarations["overflow-wrap"] == "anywhere"
    assert declarations["white-space"] == "pre-line"


@pytest.mark.parametrize("kind", ["general", "session"])
@pytest.mark.parametrize("page", ["note_list", "note_detail", "timeline"])
def test_line_breaks_are_kept_in_the_text(login, child, pt, page, kind):
    n = note(child, pt, kind=kind, visibility="family", body="First line\nSecond line\n\nNew paragraph")
    content = _get(login(pt), page, n).content.decode()
    assert _in_user_text(content, "First line\nSecond line\n\nNew paragraph")


def test_line_breaks_are_not_turned_into_markup(login, child, pt):
    n = note(child, pt, visibility="family", body="First line\nSecond line")
    assert "First line<br" not in _get(login(pt), "note_detail", n).content.decode()


def test_a_search_query_is_echoed_escaped(login, child, pt):
    response = login(pt).get(reverse("tracker:note_list", args=[child.public_id]), {"q": ATTRIBUTE})
    content = response.content.decode()
    assert "<img src=x" not in content
    assert html.escape(ATTRIBUTE) in content


def test_the_conflict_page_escapes_the_newer_text(login, child, pt):
    n = note(child, pt, visibility="family", body="Original")
    client = login(pt)
    data = {"kind": "general", "visibility": "family", "session_date": "2026-01-05", "version": 1}
    client.post(reverse("tracker:note_edit", args=[child.public_id, n.pk]), data | {"body": SCRIPT})
    response = client.post(reverse("tracker:note_edit", args=[child.public_id, n.pk]), data | {"body": ATTRIBUTE})
    content = response.content.decode()
    assert response.status_code == 409
    assert SCRIPT not in content
    assert "<img src=x" not in content


def test_earlier_versions_are_escaped(login, child, pt):
    n = note(child, pt, visibility="family", body=SCRIPT)
    client = login(pt)
    data = {"kind": "general", "visibility": "family", "session_date": "2026-01-05", "version": 1, "body": "Clean"}
    client.post(reverse("tracker:note_edit", args=[child.public_id, n.pk]), data)
    content = _get(client, "note_detail", n).content.decode()
    assert SCRIPT not in content
    assert html.escape(SCRIPT) in content


def test_the_authors_name_is_escaped(login, child, pt, ot):
    pt.name = "<b>Paul</b>"
    pt.save(update_fields=["name"])
    n = note(child, pt, visibility="family", body="Hello")
    content = _get(login(ot), "note_detail", n).content.decode()
    assert "<b>Paul</b>" not in content
