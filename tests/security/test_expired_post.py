"""EXPIRED POST: text posted into an expired session is kept, offered back after log-in, and saved from there.

For every form where someone types free text about a child (notes of each kind, goals and reviews,
observations, corrections and withdrawals, custom skills, the child's profile, home-programme activities
and practice comments), an
allowed member logs in through the log-in page, waits past the idle timeout, and posts the form with
a unique text in every text field. Then they log in again: the log-in must lead to the page of kept
forms, which must show every text typed, and sending the kept form from there must save it (each text
is then found in the database). A text missing at either step is lost.
"""

from datetime import UTC, datetime, timedelta
from html import unescape
from html.parser import HTMLParser

import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django.test import Client
from django.urls import reverse

from accounts.models import KeptForm

from ..factories import PASSWORD
from .support import ActorClient, build_world, undone, url_targets, valid_post

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_templates")]

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

# url name -> (actor, the fields to type text into, a note variant when the URL takes one)
FORMS = {
    "tracker:note_create": ("ot_a", ("subjective", "objective", "assessment", "plan"), None),
    "tracker:note_edit": ("ot_a", ("body",), "team_general_by_ot"),
    "tracker:goal_create": ("ot_a", ("description", "level_0"), None),
    "tracker:goal_edit": ("ot_a", ("description",), None),
    "tracker:goal_review": ("ot_a", ("comment",), None),
    "tracker:record": ("guardian_a", ("note",), None),
    "tracker:correct": ("ot_a", ("note",), None),
    "tracker:withdraw": ("ot_a", ("reason",), None),
    "tracker:custom_skill_create": ("ot_a", ("name", "description"), None),
    "tracker:child_edit": ("guardian_a", ("family_name",), None),
    "tracker:activity_create": ("ot_a", ("title", "instructions"), None),
    "tracker:activity_edit": ("ot_a", ("instructions",), None),
    "tracker:practise": ("guardian_a", ("comment",), None),
}


class _KeptForm(HTMLParser):
    """The first form on the page that carries `_kept_form`: its action and fields."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[tuple[str, list[list[str]]]] = []
        self._textarea: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "form":
            self.forms.append((attributes.get("action", ""), []))
        elif tag == "input" and self.forms and attributes.get("name"):
            self.forms[-1][1].append([attributes["name"], attributes.get("value", "")])
        elif tag == "textarea" and self.forms:
            self._textarea = [attributes["name"], ""]
            self.forms[-1][1].append(self._textarea)

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def kept(self, holding: str) -> tuple[str, dict]:
        """The action and fields of the kept form holding the text `holding`."""
        action, fields = next(
            (a, f)
            for a, f in self.forms
            if any(name == "_kept_form" for name, _ in f) and any(holding in value for _, value in f)
        )
        return action, dict(fields)


def _in_database(text: str) -> bool:
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            if table.startswith(("accounts_keptform", "accounts_session", "django_session", "axes_")):
                continue
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608 (introspected)
            if any(text in str(row) for row in cursor.fetchall()):
                return True
    return False


def _log_in(client: Client, user) -> object:
    return client.post(reverse("accounts:login"), {"username": user.email, "password": PASSWORD})


def test_no_text_posted_into_an_expired_session_is_lost(figure):
    with time_machine.travel(START, tick=False) as clock:
        world = build_world()
        targets = {}
        for target in url_targets(world):
            wanted = FORMS.get(target.name)
            if wanted and target.name not in targets and (wanted[2] is None or wanted[2] in target.variant):
                targets[target.name] = target
        assert set(targets) == set(FORMS), set(FORMS) - set(targets)
        typed, lost, offered = 0, [], 0
        for n, (name, target) in enumerate(sorted(targets.items())):
            actor, text_fields, _ = FORMS[name]
            user = world.users[actor]
            with undone():
                clock.move_to(START)
                client = Client()
                _log_in(client, user)
                data = valid_post(world, target, ActorClient(user)) or {}  # the form page, opened in time
                texts = {
                    field: f"Typed {n}-{field} before the timeout, a long session note «é»" for field in text_fields
                }
                data.update(texts)
                typed += len(texts)
                clock.move_to(START + timedelta(seconds=settings.SESSION_IDLE_TIMEOUT + 60))
                client.post(target.url, data)
                back = _log_in(client, user)
                if not back["Location"].startswith(reverse("accounts:kept_forms")):
                    lost += [f"{name}: log-in did not offer the kept form ({back['Location']})"]
                    continue
                page = unescape(client.get(back["Location"]).content.decode())
                lost += [f"{name}.{field}: not on the kept page" for field, text in texts.items() if text not in page]
                offered += 1
                parser = _KeptForm()
                parser.feed(client.get(back["Location"]).content.decode())
                action, fields = parser.kept(holding=next(iter(texts.values())))
                saved = client.post(action, fields)
                if saved.status_code != 302:
                    lost.append(f"{name}: sending it again answered {saved.status_code}")
                lost += [f"{name}.{field}: not saved" for field, text in texts.items() if not _in_database(text)]
                if KeptForm.objects.filter(pk=fields["_kept_form"]).exists():
                    lost.append(f"{name}: still offered after it was saved")
    figure(
        f"EXPIRED POST: {len(lost)} texts lost ({typed} texts typed into {len(FORMS)} forms, {offered} offered back)"
    )
    assert lost == [], "\n".join(lost)
