"""Everything about one child, for the family to take away (GDPR articles 15 and 20).

`gather(child)` runs a fixed number of queries and returns plain data: an
ordered mapping of section name → list of rows (dicts with a fixed column
order). The rest is pure formatting: `to_json` and `to_zip` (one CSV file per
section), with spreadsheet formula injection neutralised by `neutralise`.

What is included follows what the exporter may read in the app: notes (and
their earlier versions) go through `readable_notes`, so care-team-only notes
leave only with a therapist.
"""

import csv
import io
import json
import zipfile
from collections.abc import Iterable
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


def to_json(document: dict) -> bytes:
    return json.dumps(document, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2).encode("utf-8")


README = """\
Everything the skills tracker held about one child on {exported_at}, exported by {exported_by}.

One CSV file per kind of record; the first row of each names its columns.
Dates are ISO 8601 (YYYY-MM-DD), times ISO 8601 with their UTC offset.
Text that begins with = + - @ (or a tab) starts with an apostrophe ' so that a
spreadsheet shows it as text instead of running it as a formula; the
apostrophe is not part of what was written. The same data, without that
apostrophe, is in the JSON export.
{notes_scope}
"""


def to_zip(document: dict) -> bytes:
    """The export as a zip of CSV files, one per section, with a README."""
    buffer = io.BytesIO()
    stamp = timezone.localtime(document["exported_at"]).timetuple()[:6]
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:

        def add(name: str, data: bytes) -> None:
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)

        add(
            "README.txt",
            README.format(
                exported_at=document["exported_at"].isoformat(),
                exported_by=document["exported_by"],
                notes_scope=document["notes_scope"],
            ).encode("utf-8"),
        )
        add("child.csv", to_csv([document["child"]], COLUMNS["child"]))
        for section in SECTIONS:
            add(f"{section}.csv", to_csv(document[section], COLUMNS[section]))
    return buffer.getvalue()


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
}
# The list sections, in the order of the files and of the JSON document.
SECTIONS = tuple(name for name in COLUMNS if name != "child")


# --- Gathering (queries) ------------------------------------------------------------


def _name(user) -> str:
    return user.name if user is not None else ""


def gather(child: Child, *, exported_by) -> dict:
    """Everything about `child` that its member (from `child_for`) may take away.

    A fixed number of queries, whatever the size of the record.
    """
    therapist_view = Action.READ_TEAM_NOTES in child.allowed
    team = CareTeamMembership.objects.filter(child=child).select_related("user").order_by("role", "joined_at", "id")
    invitations = Invitation.objects.filter(child=child).select_related("invited_by", "accepted_by").order_by("id")
    custom_skills = Skill.objects.filter(child=child).select_related("domain", "created_by").order_by("id")
    observations = (
        Observation.objects.filter(child=child)
        .select_related("skill__domain", "withdrawn_by")
        .order_by("observed_on", "recorded_at", "id")
    )
    loss_reviews = LossReview.objects.filter(child=child).select_related("last_achieved__skill").order_by("id")
    goals = Goal.objects.filter(child=child).select_related("domain", "skill").order_by("id")
    reviews = GoalReview.objects.filter(goal__child=child).order_by("goal_id", "reviewed_on", "id")
    revisions = NoteRevision.objects.order_by("version")
    if not therapist_view:
        # An earlier version that was for the care team only stays with the care team.
        revisions = revisions.filter(visibility=Visibility.FAMILY)
    notes = (
        readable_notes(child, Note.objects.all())
        .select_related("withdrawn_by")
        .prefetch_related("skills", "goals", Prefetch("revisions", queryset=revisions, to_attr="kept_revisions"))
        .order_by("session_date", "created_at", "id")
    )
    audit_events = AuditEvent.objects.filter(child=child).order_by("at", "id")

    note_rows, revision_rows = [], []
    for note in notes:
        note_rows.append(
            {
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
        )
        revision_rows.extend(
            {
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
            for revision in note.kept_revisions
        )

    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "exported_at": timezone.now(),
        "exported_by": exported_by.email,
        "notes_scope": (
            "Notes: all notes, including those for the care team only, with every earlier version."
            if therapist_view
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
        "care_team": [
            {
                "name": member.user.name,
                "email": member.user.email,
                "role": member.role,
                "discipline": member.discipline,
                "joined_at": member.joined_at,
            }
            for member in team
        ],
        "invitations": [
            {
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
            for invitation in invitations
        ],
        "custom_skills": [
            {
                "slug": skill.slug,
                "name": skill.name,
                "domain": skill.domain.slug,
                "description": skill.description,
                "window_start_months": skill.window_start_months,
                "window_end_months": skill.window_end_months,
                "source_detail": skill.source_detail,
                "created_by": _name(skill.created_by),
            }
            for skill in custom_skills
        ],
        "observations": [
            {
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
            for observation in observations
        ],
        "loss_reviews": [
            {
                "skill": review.last_achieved.skill.slug,
                "last_achieved": review.last_achieved_id,
                "reviewed_by": review.reviewed_by_name,
                "reviewed_at": review.reviewed_at,
                "note": review.note,
            }
            for review in loss_reviews
        ],
        "goals": [
            {
                "id": goal.pk,
                "domain": goal.domain.slug if goal.domain else "",
                "skill": goal.skill.slug if goal.skill else "",
                "description": goal.description,
                "target_date": goal.target_date,
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
            for goal in goals
        ],
        "goal_reviews": [
            {
                "id": review.pk,
                "goal": review.goal_id,
                "reviewed_on": review.reviewed_on,
                "level": review.level,
                "comment": review.comment,
                "reviewed_by": review.reviewed_by_name,
                "reviewer_voice": review.reviewer_voice,
                "created_at": review.created_at,
            }
            for review in reviews
        ],
        "notes": note_rows,
        "note_revisions": revision_rows,
        "audit_events": [
            {
                "at": event.at,
                "actor": event.actor_name,
                "action": event.action,
                "object_type": event.object_type,
                "object_id": event.object_id,
                "summary": event.summary,
            }
            for event in audit_events
        ],
        **programme_export.sections(child),
    }
