"""Words the clinical rules keep out of what families and therapists read (DESIGN.md, "Clinical rules").

Every template about a child (pages, PDF reports, reminder emails), every chart module (its labels
and alt texts), the status model's headings and explanations, the reports' sentences, what reminders say,
and the skill catalogue: never
"delayed", "abnormal", "at risk", "failed", "disorder" or "regression". "Not a diagnosis" is the one
allowed use of that word.
"""

import ast
import json
import re
from pathlib import Path

import pytest

from tracker import status

ROOT = Path(__file__).resolve().parent.parent
BANNED = re.compile(r"\b(delay\w*|abnormal\w*|at[ -]risk|fail\w*|disorder\w*|regress\w*|diagnos\w*)\b", re.IGNORECASE)
ALLOWED = {"not a diagnosis"}  # the footer: "Milestone windows are a guide, not a diagnosis."

SOURCES = sorted(
    [
        *(ROOT / "templates" / "tracker").glob("*.html"),
        *(ROOT / "templates" / "tracker" / "reports").glob("*.html"),  # the PDF reports
        *(ROOT / "templates" / "tracker" / "email").glob("*.txt"),  # reminders and digests
        ROOT / "templates" / "base.html",
        *(ROOT / "tracker" / "charts").glob("*.py"),
        ROOT / "tracker" / "status.py",
        ROOT / "tracker" / "reports" / "data.py",  # the reports' summary sentences and progress statements
        ROOT / "tracker" / "reminder_plans.py",  # what reminder emails say about a child
    ]
)


def _banned(text: str) -> list[str]:
    found = []
    for match in BANNED.finditer(text):
        context = text[max(0, match.start() - 6) : match.end()].lower()
        if not any(allowed in context for allowed in ALLOWED):
            found.append(match.group(0))
    return found


def _readable_text(path: Path) -> str:
    """A template as it is; of a Python module, its string literals (labels, alt texts), not comments or docstrings."""
    if path.suffix != ".py":
        return path.read_text()
    tree = ast.parse(path.read_text())
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
    }
    return "\n".join(
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings
    )


@pytest.mark.parametrize("path", SOURCES, ids=[str(p.relative_to(ROOT)) for p in SOURCES])
def test_no_banned_word_in_what_people_read(path):
    assert _banned(_readable_text(path)) == []


def test_no_banned_word_in_the_catalogue():
    catalogue = json.loads((ROOT / "fixtures" / "catalogue.json").read_text())
    texts = [value for item in catalogue for value in item["fields"].values() if isinstance(value, str)]
    assert _banned("\n".join(texts)) == []


def test_the_check_itself_finds_a_banned_word():
    assert _banned("Walking is delayed; a Failed attempt; at-risk") == ["delayed", "Failed", "at-risk"]
    assert _banned("a guide, not a diagnosis") == []


def test_every_status_words_its_concern_calmly():
    for meaning in status.MEANINGS.values():
        assert _banned(meaning.heading + " " + meaning.explanation) == []
