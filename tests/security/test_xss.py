"""XSS: a corpus of payloads in every free-text field is never rendered unescaped.

The payloads go into child names, people's names, notes (general, family updates, every SOAP section,
earlier versions), observation notes, withdrawal reasons, custom skill names, descriptions and sources,
goal texts and GAS descriptors, review comments and an invitation's address. Every GET page of the URL
table is rendered (SVG charts included) as each member role of the child; so are the pages that come
back from posting the payloads through the forms (messages, conflicts, errors, the htmx row). No page
may contain a payload in a form a browser would run.
"""

import re
import zlib

import pytest
from django.http import HttpResponse
from django.utils.html import escape

from tracker.models import Invitation

from .support import (
    MEMBERS_OF_A,
    build_world,
    clients_for,
    response_bytes,
    rule_for,
    undone,
    url_targets,
    valid_post,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_templates")]


PAYLOADS = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "javascript:alert(1)",
    "</textarea><svg onload=alert(1)>",
    "zz{{7*7}}",
    "'-alert(1)-'",
]
CORPUS = " ".join(PAYLOADS)

# What each payload looks like when it would run; the quote breakout only counts in HTML (in an SVG text
# node a raw ' is harmless, and Django escapes it in HTML).
SIGNS = {
    "script tag": (re.compile(r"<script>alert\(1\)", re.I), ("html", "svg")),
    "img onerror": (re.compile(r"<img src=x onerror", re.I), ("html", "svg")),
    "svg onload": (re.compile(r"<svg onload", re.I), ("html", "svg")),
    "javascript: URL": (
        re.compile(r"""(?:href|src|action|formaction|xlink:href)\s*=\s*["']?\s*javascript:""", re.I),
        ("html", "svg"),
    ),
    "template evaluated": (re.compile(r"zz49"), ("html", "svg")),
    "quote breakout": (re.compile(r"'-alert\(1\)-'"), ("html",)),
}


def xss_text(tag: str, field_name: str, visibility: str, max_length: int) -> str:
    """As many payloads as fit, starting at a different one per field, so every payload lands in short fields too."""
    start = zlib.crc32(field_name.encode()) % len(PAYLOADS)
    parts: list[str] = []
    for n in range(len(PAYLOADS)):
        payload = PAYLOADS[(start + n) % len(PAYLOADS)]
        if len(" ".join([*parts, payload])) <= max_length:
            parts.append(payload)
    return " ".join(parts)


def unescaped(response) -> list[str]:
    content_type = response.get("Content-Type", "")
    kind = "html" if content_type.startswith("text/html") else "svg" if "svg" in content_type else None
    if kind is None:
        return []  # JSON, CSV in a zip, PNG: downloads, never rendered as a page (nosniff)
    body = response_bytes(response).decode("utf-8", "replace")
    return [sign for sign, (pattern, kinds) in SIGNS.items() if kind in kinds and pattern.search(body)]


# Writes that send the corpus through a form, and the field it goes in.
FORM_WRITES = {
    "tracker:custom_skill_create": (
        "ot_a",
        {"name": xss_text("a", "form.skill", "family", 120), "description": CORPUS},
    ),
    "tracker:note_create": ("ot_a", {"kind": "general", "visibility": "family", "body": CORPUS}),
    "tracker:record": ("guardian_a", {"note": CORPUS}),
    "tracker:withdraw": ("ot_a", {"reason": xss_text("a", "form.reason", "family", 200)}),
    "tracker:goal_create": ("ot_a", {"description": CORPUS, "level_0": xss_text("a", "form.level", "family", 500)}),
    "tracker:goal_review": ("ot_a", {"comment": CORPUS}),
    "tracker:child_edit": ("guardian_a", {"given_name": xss_text("a", "form.given", "family", 100)}),
    "tracker:team": ("guardian_a", {"email": "x" + PAYLOADS[1] + "@example.org"}),  # refused: the value comes back
    "tracker:note_edit": ("ot_a", {"body": CORPUS, "version": 0}),  # an old version: the conflict page
    "accounts:profile": (
        "guardian_a",
        {"name": xss_text("a", "form.name", "family", 150), "email": "guardian-a@example.org"},
    ),
}


def test_no_payload_is_rendered_unescaped(figure):
    world = build_world(xss_text, user_name=lambda actor: xss_text("a", f"name.{actor}", "family", 150))
    Invitation.objects.filter(pk=world.a.invitation_id).update(email="x" + PAYLOADS[1] + "@example.org")
    clients = clients_for(world, MEMBERS_OF_A)
    findings, pages, escaped_seen = [], 0, 0

    def check(response, what: str) -> None:
        nonlocal pages, escaped_seen
        pages += 1
        assert response.status_code < 500, what
        escaped_seen += "&lt;script&gt;alert(1)&lt;/script&gt;" in response_bytes(response).decode("utf-8", "replace")
        findings.extend(f"{sign}: {what} ({response.status_code})" for sign in unescaped(response))

    targets = [target for target in url_targets(world) if rule_for(target, "GET").kind != "no"]
    for target in targets:
        for actor in MEMBERS_OF_A:
            with undone():
                check(clients[actor].request("GET", target.url), f"GET {target.name} [{target.variant}] as {actor}")

    by_name = {target.name: target for target in url_targets(world)}
    for name, (actor, fields) in FORM_WRITES.items():
        target = by_name[name]
        if name == "tracker:note_edit":
            target = next(
                t for t in url_targets(world) if t.name == name and t.variant == "note_id=family_general_by_ot"
            )
        data = {**(valid_post(world, target, clients[actor]) or {}), **fields}
        with undone():
            check(clients[actor].request("POST", target.url, data, follow=True), f"POST {name} as {actor}")
        if name == "tracker:record":
            with undone():
                htmx = clients[actor].request("POST", target.url, data, HTTP_HX_REQUEST="true")
                check(htmx, f"POST {name} (htmx row) as {actor}")

    figure(
        f"XSS: {len(findings)} payloads rendered unescaped ({pages} pages and charts rendered, "
        f"{escaped_seen} showing the script payload escaped, {len(PAYLOADS)} payloads)"
    )
    assert findings == [], "\n".join(findings[:40])
    assert escaped_seen > 0, "the payloads never reached a page: the test proves nothing"


def test_the_detector_flags_each_payload_when_it_would_run():
    executed = [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        '<a href="javascript:alert(1)">x</a>',
        "<svg onload=alert(1)>",
        "zz49",
        "var a = ''-alert(1)-'';",
    ]
    for body in executed:
        assert unescaped(HttpResponse(f"<p>{body}</p>")), body
    assert unescaped(HttpResponse(f"<p>{escape(CORPUS)}</p>")) == []
