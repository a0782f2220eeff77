"""Everything about one child, for the family to take away (GDPR articles 15 and 20), written as it is read.

Each section is a generator of rows (dicts with a fixed column order) reading the database in chunks
(`QuerySet.iterator(chunk_size=CHUNK)`), and `stream_json` / `stream_zip` write them out as they come,
as bytes for a `StreamingHttpResponse`. A worker's memory therefore does not grow with the record: a
child with 122,064 audit events took the worker from 101 to 407 MB when the export was built whole
(issue 15, finding 7); streamed, the benchmark measures the peak (`make bench`, README). Every audit
event is included, page views too: nothing is summarised (docs/security.md, "Export").

`gather` builds the same document whole, for tests and small uses. Formula injection in the CSV files is
neutralised by `neutralise`. What is included follows what the exporter may read in the app: notes (and
their earlier versions) go through `readable_notes`, so care-team-only notes leave only with a therapist.
The query count is fixed per section, plus one per CHUNK rows of a long section.
"""

import csv
import io
import json
import zipfile
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Prefetch
from django.utils import timezone

from . import programme_export
from .models import (
    AuditEvent,
    CareTeamMembership,
    Child,
    Goal,
    GoalReview,
    Invitation,
    LossReview,
    Note,
    NoteRevision,
    Observation,
    Skill,
    Visibility,
)
from .permissions import Action, readable_notes
from .reports import export as reports_export

FORMAT = "skills-tracker-export"
FORMAT_VERSION = 1

# Characters that make a spreadsheet read a cell as a formula (or hide its start).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

Rows = list[dict]


# --- Formatting (pure) --------------------------------------------------------------


def neutralise(value):
    """A CSV cell that no spreadsheet will run as a formula.

    Text starting with = + - @, a tab or a carriage return gets a leading
    apostrophe, which spreadsheets show as text and do not evaluate (OWASP,
    "CSV Injection"). Numbers stay numbers: -2 is a GAS level, not a formula.
    """
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def _cell(value):
    """How one value is written in a CSV cell, before neutralising."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, int | float):
        return value
    return str(value)


def to_csv(rows: Rows, columns: Iterable[str]) -> bytes:
    """One section as CSV (UTF-8 with a byte-order mark, so spreadsheets read accents and emoji right)."""
    columns = list(columns)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([neutralise(_cell(row[column])) for column in columns])
    return out.getvalue().encode("utf-8-sig")


README = """\
Everything the skills tracker held about one child on {exported_at}, exported by {exported_by}.

One CSV file per kind of record; the first row of each names its columns. The PDF
reports are in the folder reports/, exactly as they were generated.
Dates are ISO 8601 (YYYY-MM-DD), times ISO 8601 with their UTC offset.
Text that begins with = + - @ (or a tab) starts with an apostrophe ' so that a
spreadsheet shows it as text instead of running it as a formula; the
apostrophe is not part of what was written. The same data, without that
apostrophe, is in the JSON export.
{notes_scope}
"""


def filename(child: Child, day, extension: str) -> str:
    """An opaque file name: a download folder on a shared computer should not name the child."""
    return f"skills-tracker-export-{child.public_id}-{day:%Y-%m-%d}.{extension}"


# --- Columns ------------------------------------------------------------------------

COLUMNS: dict[str, tuple[str, ...]] = {
    "child": (
        "public_id",
        "given_name",
        "family_name",
        "date_of_birth",
        "gestational_age",
        "gestational_days",
        "archived",
        "created_at",
        "updated_at",
    ),
    "care_team": ("name", "email", "role", "discipline", "joined_at"),
    "invitations": (
        "id",
        "email",
        "role",
        "discipline",
        "invited_by",
        "created_at",
        "expires_at",
        "accepted_at",
        "accepted_by",
        "revoked_at",
    ),
    "custom_skills": (
        "slug",
        "name",
        "domain",
        "description",
        "window_start_months",
        "window_end_months",
        "source_detail",
        "created_by",
    ),
    "observations": (
        "id",
        "skill",
        "skill_name",
        "domain",
        "observed_on",
        "before_joining",
        "status",
        "assistance",
        "note",
        "recorded_by",
        "recorded_as",
        "recorded_at",
        "corrects",
        "withdrawn_at",
        "withdrawn_by",
        "withdrawal_reason",
        "is_current",
    ),
    "loss_reviews": ("skill", "last_achieved", "reviewed_by", "reviewed_at", "note"),
    "goals": (
        "id",
        "domain",
        "skill",
        "description",
        "target_date",
        "review_on",
        "status",
        "owner",
        "weight",
        "baseline_level",
        "level_minus_2",
        "level_minus_1",
        "level_0",
        "level_plus_1",
        "level_plus_2",
        "created_at",
        "updated_at",
    ),
    "goal_reviews": ("id", "goal", "reviewed_on", "level", "comment", "reviewed_by", "reviewer_voice", "created_at"),
    "notes": (
        "id",
        "kind",
        "visibility",
        "session_date",
        "author",
        "author_voice",
        "body",
        "subjective",
        "objective",
        "assessment",
        "plan",
        "skills",
        "goals",
        "version",
        "created_at",
        "updated_at",
        "withdrawn_at",
        "withdrawn_by",
    ),
    "note_revisions": (
        "note",
        "version",
        "kind",
        "visibility",
        "session_date",
        "body",
        "subjective",
        "objective",
        "assessment",
        "plan",
        "written_at",
        "replaced_at",
    ),
    "audit_events": ("at", "actor", "action", "object_type", "object_id", "summary"),
    **programme_export.COLUMNS,
    **reports_export.COLUMNS,
}
# The list sections, in the order of the files and of the JSON document.
SECTIONS = tuple(name for name in COLUMNS if name != "child")


# --- Gathering (queries): one generator of rows per section -------------------------

CHUNK = 2000  # rows read from the database at a time
NOTE_CHUNK = 500  # notes come with their links and revisions (prefetched per chunk)


def _name(user) -> str:
    return user.name if user is not None else ""


def _care_team(child: Child) -> Iterator[dict]:
    team = CareTeamMembership.objects.filter(child=child).select_related("user").order_by("role", "joined_at", "id")
    for member in team:
        yield {
            "name": member.user.name,
            "email": member.user.email,
            "role": member.role,
            "discipline": member.discipline,
            "joined_at": member.joined_at,
        }


def _invitations(child: Child) -> Iterator[dict]:
    invitations = Invitation.objects.filter(child=child).select_related("invited_by", "accepted_by").order_by("id")
    for invitation in invitations:
        yield {
            "id": invitation.pk,
            "email": invitation.email,
            "role": invitation.role,
            "discipline": invitation.discipline,
            "invited_by": _name(invitation.invited_by),
            "created_at": invitation.created_at,
            "expires_at": invitation.expires_at,
            "accepted_at": invitation.accepted_at,
            "accepted_by": _name(invitation.accepted_by),
            "revoked_at": invitation.revoked_at,
        }


def _custom_skills(child: Child) -> Iterator[dict]:
    for skill in Skill.objects.filter(child=child).select_related("domain", "created_by").order_by("id"):
        yield {
            "slug": skill.slug,
            "name": skill.name,
            "domain": skill.domain.slug,
            "description": skill.description,
            "window_start_months": skill.window_start_months,
            "window_end_months": skill.window_end_months,
            "source_detail": skill.source_detail,
            "created_by": _name(skill.created_by),
        }


def _observations(child: Child) -> Iterator[dict]:
    observations = (
        Observation.objects.filter(child=child)
        .select_related("skill__domain", "withdrawn_by")
        .order_by("observed_on", "recorded_at", "id")
    )
    for observation in observations.iterator(chunk_size=CHUNK):
        yield {
            "id": observation.pk,
            "skill": observation.skill.slug,
            "skill_name": observation.skill.name,
            "domain": observation.skill.domain.slug,
            "observed_on": observation.observed_on,
            "before_joining": observation.before_joining,
            "status": observation.status,
            "assistance": observation.assistance,
            "note": observation.note,
            "recorded_by": observation.recorded_by_name,
            "recorded_as": observation.recorded_as,
            "recorded_at": observation.recorded_at,
            "corrects": observation.corrects_id,
            "withdrawn_at": observation.withdrawn_at,
            "withdrawn_by": _name(observation.withdrawn_by),
            "withdrawal_reason": observation.withdrawal_reason,
            "is_current": observation.is_current,
        }


def _loss_reviews(child: Child) -> Iterator[dict]:
    reviews = LossReview.objects.filter(child=child).select_related("last_achieved__skill").order_by("id")
    for review in reviews:
        yield {
            "skill": review.last_achieved.skill.slug,
            "last_achieved": review.last_achieved_id,
            "reviewed_by": review.reviewed_by_name,
            "reviewed_at": review.reviewed_at,
            "note": review.note,
        }


def _goals(child: Child) -> Iterator[dict]:
    for goal in Goal.objects.filter(child=child).select_related("domain", "skill").order_by("id"):
        yield {
            "id": goal.pk,
            "domain": goal.domain.slug if goal.domain else "",
            "skill": goal.skill.slug if goal.skill else "",
            "description": goal.description,
            "target_date": goal.target_date,
            "review_on": goal.review_on,
            "status": goal.status,
            "owner": goal.owner_name,
            "weight": goal.weight,
            "baseline_level": goal.baseline_level,
            "level_minus_2": goal.level_minus_2,
            "level_minus_1": goal.level_minus_1,
            "level_0": goal.level_0,
            "level_plus_1": goal.level_plus_1,
            "level_plus_2": goal.level_plus_2,
            "created_at": goal.created_at,
            "updated_at": goal.updated_at,
        }


def _goal_reviews(child: Child) -> Iterator[dict]:
    for review in GoalReview.objects.filter(goal__child=child).order_by("goal_id", "reviewed_on", "id"):
        yield {
            "id": review.pk,
            "goal": review.goal_id,
            "reviewed_on": review.reviewed_on,
            "level": review.level,
            "comment": review.comment,
            "reviewed_by": review.reviewed_by_name,
            "reviewer_voice": review.reviewer_voice,
            "created_at": review.created_at,
        }


def _readable_notes(child: Child):
    revisions = NoteRevision.objects.order_by("version")
    if Action.READ_TEAM_NOTES not in child.allowed:
        # An earlier version that was for the care team only stays with the care team.
        revisions = revisions.filter(visibility=Visibility.FAMILY)
    return (
        readable_notes(child, Note.objects.all())
        .select_related("withdrawn_by")
        .prefetch_related("skills", "goals", Prefetch("revisions", queryset=revisions, to_attr="kept_revisions"))
        .order_by("session_date", "created_at", "id")
    )


def _notes(child: Child) -> Iterator[dict]:
    for note in _readable_notes(child).iterator(chunk_size=NOTE_CHUNK):
        yield {
            "id": note.pk,
            "kind": note.kind,
            "visibility": note.visibility,
            "session_date": note.session_date,
            "author": note.author_name,
            "author_voice": note.author_voice,
            "body": note.body,
            "subjective": note.subjective,
            "objective": note.objective,
            "assessment": note.assessment,
            "plan": note.plan,
            "skills": ";".join(sorted(skill.slug for skill in note.skills.all())),
            "goals": ";".join(str(goal.pk) for goal in sorted(note.goals.all(), key=lambda goal: goal.pk)),
            "version": note.version,
            "created_at": note.created_at,
            "updated_at": note.updated_at,
            "withdrawn_at": note.withdrawn_at,
            "withdrawn_by": _name(note.withdrawn_by),
        }


def _note_revisions(child: Child) -> Iterator[dict]:
    for note in _readable_notes(child).iterator(chunk_size=NOTE_CHUNK):
        for revision in note.kept_revisions:
            yield {
                "note": note.pk,
                "version": revision.version,
                "kind": revision.kind,
                "visibility": revision.visibility,
                "session_date": revision.session_date,
                "body": revision.body,
                "subjective": revision.subjective,
                "objective": revision.objective,
                "assessment": revision.assessment,
                "plan": revision.plan,
                "written_at": revision.written_at,
                "replaced_at": revision.replaced_at,
            }


def _audit_events(child: Child) -> Iterator[dict]:
    events = AuditEvent.objects.filter(child=child).order_by("at", "id")
    fields = ("at", "actor_name", "action", "object_type", "object_id", "summary")
    for at, actor, action, object_type, object_id, summary in events.values_list(*fields).iterator(chunk_size=CHUNK):
        yield {
            "at": at,
            "actor": actor,
            "action": action,
            "object_type": object_type,
            "object_id": object_id,
            "summary": summary,
        }


def _read_once(child: Child, source, name: str) -> Iterator[dict]:
    """One section of a small source read once per export for all its sections (kept on this child object).

    `source` is a module with `sections(child)`: the home programme (tracker/programme_export.py) or the
    reports (tracker/reports/export.py).
    """
    read = child.__dict__.setdefault("export_sections", {})
    if source.__name__ not in read:
        read[source.__name__] = source.sections(child)
    yield from read[source.__name__][name]


# The list sections, in the order of the files and of the JSON document, and how each is read.
READERS: dict[str, Callable[[Child], Iterator[dict]]] = {
    "care_team": _care_team,
    "invitations": _invitations,
    "custom_skills": _custom_skills,
    "observations": _observations,
    "loss_reviews": _loss_reviews,
    "goals": _goals,
    "goal_reviews": _goal_reviews,
    "notes": _notes,
    "note_revisions": _note_revisions,
    "audit_events": _audit_events,
    "activities": lambda child: _read_once(child, programme_export, "activities"),
    "practice_logs": lambda child: _read_once(child, programme_export, "practice_logs"),
    "reports": lambda child: _read_once(child, reports_export, "reports"),
    "report_links": lambda child: _read_once(child, reports_export, "report_links"),
}
if tuple(READERS) != SECTIONS:
    raise RuntimeError("COLUMNS and READERS must name the same sections, in the same order.")


def header(child: Child, *, exported_by) -> dict:
    """The document's opening: what it is, when and by whom, whose notes, and the child's profile."""
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "exported_at": timezone.now(),
        "exported_by": exported_by.email,
        "notes_scope": (
            "Notes: all notes, including those for the care team only, with every earlier version."
            if Action.READ_TEAM_NOTES in child.allowed
            else "Notes: the notes shared with the family, with their earlier versions shared with the family."
        ),
        "child": {
            "public_id": child.public_id,
            "given_name": child.given_name,
            "family_name": child.family_name,
            "date_of_birth": child.date_of_birth,
            "gestational_age": child.gestational_age,
            "gestational_days": child.gestational_days,
            "archived": child.archived,
            "created_at": child.created_at,
            "updated_at": child.updated_at,
        },
    }


def gather(child: Child, *, exported_by) -> dict:
    """The whole document in memory (tests, small uses); the views stream it instead."""
    return {**header(child, exported_by=exported_by), **{name: list(read(child)) for name, read in READERS.items()}}


# --- Writing as it is read -----------------------------------------------------------

FLUSH_AT = 64 * 1024  # bytes gathered before they are handed to the server


def _json_value(value) -> str:
    return json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False)


def stream_json(child: Child, *, exported_by) -> Iterator[bytes]:
    """The JSON document, a section's rows written one by one as they are read."""
    opening = header(child, exported_by=exported_by)
    parts = ["{\n"]
    parts += [f"  {_json_value(key)}: {_json_value(value)},\n" for key, value in opening.items()]
    size = 0
    for number, (name, read) in enumerate(READERS.items()):
        parts.append(f"  {_json_value(name)}: [")
        for index, row in enumerate(read(child)):
            text = ("," if index else "") + "\n    " + _json_value(row)
            parts.append(text)
            size += len(text)
            if size >= FLUSH_AT:
                yield "".join(parts).encode("utf-8")
                parts, size = [], 0
        parts.append("\n  ]" + ("," if number < len(READERS) - 1 else "") + "\n")
    parts.append("}\n")
    yield "".join(parts).encode("utf-8")


class _Pipe:
    """A file-like object zipfile writes into; what was written is taken out as it comes (no seeking)."""

    def __init__(self) -> None:
        self._chunks: list[bytes] = []
        self.size = 0

    def write(self, data) -> int:
        self._chunks.append(bytes(data))
        self.size += len(data)
        return len(data)

    def flush(self) -> None:
        pass

    def take(self) -> bytes:
        data = b"".join(self._chunks)
        self._chunks.clear()
        self.size = 0
        return data


def _csv_lines(rows: Iterable[dict], columns: tuple[str, ...]) -> Iterator[str]:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([neutralise(_cell(row[column])) for column in columns])
        if out.tell() >= FLUSH_AT:
            yield out.getvalue()
            out.seek(0)
            out.truncate()
    yield out.getvalue()


def stream_zip(child: Child, *, exported_by) -> Iterator[bytes]:
    """The zip of CSV files (one per section, with a README), each file written as its rows are read."""
    opening = header(child, exported_by=exported_by)
    stamp = timezone.localtime(opening["exported_at"]).timetuple()[:6]
    pipe = _Pipe()
    with zipfile.ZipFile(pipe, "w", compression=zipfile.ZIP_DEFLATED) as archive:

        def entry(name: str, texts: Iterable[str], *, bom: bool = True) -> Iterator[bytes]:
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            with archive.open(info, "w") as member:
                if bom:
                    member.write("\ufeff".encode())  # so spreadsheets read accents and emoji right
                for text in texts:
                    member.write(text.encode("utf-8"))
                    if pipe.size >= FLUSH_AT:
                        yield pipe.take()

        readme = README.format(
            exported_at=opening["exported_at"].isoformat(),
            exported_by=opening["exported_by"],
            notes_scope=opening["notes_scope"],
        )
        yield from entry("README.txt", [readme], bom=False)
        yield from entry("child.csv", _csv_lines([opening["child"]], COLUMNS["child"]))
        for name, read in READERS.items():
            yield from entry(f"{name}.csv", _csv_lines(read(child), COLUMNS[name]))
        for name, pdf in reports_export.pdfs(child):
            yield from _stored(archive, pipe, name, stamp, pdf)
    yield pipe.take()


def _stored(archive: zipfile.ZipFile, pipe: _Pipe, name: str, stamp: tuple, data: bytes) -> Iterator[bytes]:
    """One file as it is (a PDF is compressed already): the report exactly as it was generated."""
    info = zipfile.ZipInfo(name, date_time=stamp)
    info.compress_type = zipfile.ZIP_STORED
    with archive.open(info, "w") as member:
        member.write(data)
    if pipe.size >= FLUSH_AT:
        yield pipe.take()
