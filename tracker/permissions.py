"""The one place that decides who may do what with a child's data.

The matrix in DESIGN.md, as data. Every view that takes a child id calls
`child_for`; lists use `Child.objects.visible_to(user)`. Someone outside the
child's team gets the same 404 as for a child that does not exist, so a
record's existence is never revealed; a team member whose role lacks the
right gets 403.
"""

from enum import StrEnum

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from .models import CareTeamMembership, Child, Note, NoteKind, Report, ReportKind, Role, Visibility


class Action(StrEnum):
    VIEW = "view"  # profile, checklists, charts, notes shared with family
    RECORD = "record"  # record or correct observations
    READ_TEAM_NOTES = "read_team_notes"
    WRITE_FAMILY_UPDATE = "write_family_update"
    WRITE_ANY_NOTE = "write_any_note"
    MANAGE_GOALS = "manage_goals"
    ADD_CUSTOM_SKILL = "add_custom_skill"
    RATE_ASSISTANCE = "rate_assistance"  # offered the level-of-assistance scale when recording
    REVIEW_LOSS = "review_loss"  # mark a skill that is no longer seen as reviewed
    INVITE_THERAPIST = "invite_therapist"
    MANAGE_TEAM = "manage_team"  # invite any role, remove members, revoke invitations
    EDIT_PROFILE = "edit_profile"
    ARCHIVE = "archive"
    DELETE = "delete"
    EXPORT = "export"
    VIEW_AUDIT = "view_audit"
    MANAGE_PROGRAMME = "manage_programme"  # set, change and end home-programme activities
    LOG_PRACTICE = "log_practice"  # log (and undo one's own) practice of a home activity
    MAKE_FAMILY_REPORT = "make_family_report"  # the PDF for the doctor or family (tracker/reports/)
    MAKE_THERAPIST_REPORT = "make_therapist_report"  # the therapist progress report (IEP shape)
    READ_REPORTS = "read_reports"  # the child's report history (team-only reports: therapists only)
    SHARE_REPORTS = "share_reports"  # share a report by link outside the team; allow therapists to
    SHARE_REPORTS_IF_ALLOWED = "share_reports_if_allowed"  # share by link, if the family allows it for this child


_EVERYONE = frozenset({Action.VIEW})

ALLOWED: dict[str, frozenset[Action]] = {
    Role.GUARDIAN: _EVERYONE
    | {
        Action.RECORD,
        Action.WRITE_FAMILY_UPDATE,
        Action.INVITE_THERAPIST,
        Action.MANAGE_TEAM,
        Action.EDIT_PROFILE,
        Action.ARCHIVE,
        Action.DELETE,
        Action.EXPORT,
        Action.VIEW_AUDIT,
        Action.LOG_PRACTICE,
        Action.MAKE_FAMILY_REPORT,
        Action.READ_REPORTS,
        Action.SHARE_REPORTS,
    },
    Role.THERAPIST: _EVERYONE
    | {
        Action.RECORD,
        Action.READ_TEAM_NOTES,
        Action.WRITE_FAMILY_UPDATE,
        Action.WRITE_ANY_NOTE,
        Action.MANAGE_GOALS,
        Action.ADD_CUSTOM_SKILL,
        Action.RATE_ASSISTANCE,
        Action.REVIEW_LOSS,
        Action.INVITE_THERAPIST,
        Action.EDIT_PROFILE,
        Action.EXPORT,
        Action.VIEW_AUDIT,
        Action.MANAGE_PROGRAMME,
        Action.LOG_PRACTICE,
        Action.MAKE_FAMILY_REPORT,
        Action.MAKE_THERAPIST_REPORT,
        Action.READ_REPORTS,
        Action.SHARE_REPORTS_IF_ALLOWED,
    },
    Role.VIEWER: _EVERYONE,
}


def allowed_actions(role: str) -> frozenset[Action]:
    """What a member in `role` may do on a child."""
    return ALLOWED.get(role, frozenset())


def can(membership: CareTeamMembership | None, action: Action) -> bool:
    return membership is not None and action in allowed_actions(membership.role)


def child_for(user, public_id, *, action: Action) -> Child:
    """The child, if `user` may do `action` on it; 404 if not on its team; 403 if the role lacks it.

    The returned child carries `membership` (the user's place on its team) and
    `allowed` (the set of actions the user may take), for templates.
    """
    if not user.is_authenticated:
        raise Http404
    found = Child.objects.with_membership(user, public_id)
    if found is None:
        raise Http404("No child found.")
    child, membership = found
    if membership.role == Role.THERAPIST and settings.REQUIRE_2FA_FOR_THERAPISTS and not _second_factor(user):
        # Whatever their profession, whoever is a child's therapist signs in with a second factor
        # (accounts/two_factor.py; a therapist by profession is sent to set it up before any page).
        raise PermissionDenied(
            "A child's therapist signs in with two-factor authentication: set it up on your profile first."
        )
    if action not in allowed_actions(membership.role):
        raise PermissionDenied("Your role on this child's team does not allow this.")
    child.membership = membership
    child.allowed = allowed_actions(membership.role)
    return child


def _second_factor(user) -> bool:
    is_verified = getattr(user, "is_verified", None)  # set by django-otp's middleware
    return bool(is_verified and is_verified())


def may_invite(membership: CareTeamMembership, role: str) -> bool:
    """Guardians invite anyone; therapists invite therapists only."""
    allowed = allowed_actions(membership.role)
    if Action.MANAGE_TEAM in allowed:
        return True
    return role == Role.THERAPIST and Action.INVITE_THERAPIST in allowed


def may_remove(membership: CareTeamMembership, target: CareTeamMembership) -> bool:
    """Anyone may leave; only those who manage the team may remove someone else."""
    return target.user_id == membership.user_id or Action.MANAGE_TEAM in allowed_actions(membership.role)


# --- Reports ------------------------------------------------------------------------


def readable_reports(child: Child) -> QuerySet:
    """The reports of `child` its member may read: one holding a care-team-only note only for therapists."""
    reports = Report.objects.for_child(child)
    if Action.READ_TEAM_NOTES in child.allowed:
        return reports
    return reports.filter(team_only=False)


def report_kinds_for(child: Child) -> list[str]:
    """The reports this member may make: therapists either, guardians the family one."""
    kinds = []
    if Action.MAKE_FAMILY_REPORT in child.allowed:
        kinds.append(ReportKind.FAMILY)
    if Action.MAKE_THERAPIST_REPORT in child.allowed:
        kinds.append(ReportKind.THERAPIST)
    return kinds


# --- Notes ------------------------------------------------------------------------


def readable_notes(child: Child, notes: QuerySet) -> QuerySet:
    """The notes of `child` its member (from `child_for`) may read: team-only notes only for therapists."""
    notes = notes.filter(child=child)
    if Action.READ_TEAM_NOTES in child.allowed:
        return notes
    return notes.filter(visibility=Visibility.FAMILY)


def readable_revisions(child: Child, note: Note) -> QuerySet:
    """The earlier versions of `note` this member may read: a version written for the team only stays with the team.

    A note first written care-team-only and later shared with the family keeps its team-only versions
    in its history; a parent or viewer reading the note must not see them.
    """
    revisions = note.revisions.all()
    if Action.READ_TEAM_NOTES in child.allowed:
        return revisions
    return revisions.filter(visibility=Visibility.FAMILY)


def readable_notes_across_children(user) -> QuerySet:
    """Every note `user` may read on any of their children's teams (for cross-child lists)."""
    member_of = CareTeamMembership.objects.filter(user=user).values("child_id")
    therapist_of = CareTeamMembership.objects.filter(user=user, role=Role.THERAPIST).values("child_id")
    return Note.objects.filter(child__in=member_of).filter(Q(visibility=Visibility.FAMILY) | Q(child__in=therapist_of))


def note_kinds_for(child: Child) -> list[str]:
    """The kinds of note this member may write: therapists any, guardians family updates."""
    if Action.WRITE_ANY_NOTE in child.allowed:
        return list(NoteKind.values)
    if Action.WRITE_FAMILY_UPDATE in child.allowed:
        return [NoteKind.FAMILY_UPDATE]
    return []


def may_edit_note(child: Child, note: Note) -> bool:
    """Only the author edits or withdraws a note, and only while they may still write its kind."""
    return note.author_id == child.membership.user_id and note.kind in note_kinds_for(child)
