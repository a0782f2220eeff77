"""Writes that touch several models at once, each in one transaction."""

import uuid

from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from . import audit
from .models import (
    AuditAction,
    CareTeamMembership,
    Child,
    Discipline,
    Invitation,
    Note,
    NoteRevision,
    Observation,
    Role,
    Skill,
)

_DISCIPLINE_OF_PROFESSION = {"ot": Discipline.OCCUPATIONAL_THERAPY, "pt": Discipline.PHYSIOTHERAPY}


def role_for_profession(profession: str) -> tuple[str, str]:
    """The (role, discipline) a person joins a child's team with when they add the child."""
    if profession in _DISCIPLINE_OF_PROFESSION:
        return Role.THERAPIST, _DISCIPLINE_OF_PROFESSION[profession]
    return Role.GUARDIAN, ""


@transaction.atomic
def add_child(*, user, child: Child) -> Child:
    """Save a new child with its creator on the care team."""
    child.full_clean()
    child.save()
    role, discipline = role_for_profession(user.profession)
    CareTeamMembership.objects.create(child=child, user=user, role=role, discipline=discipline)
    audit.record(user, AuditAction.CREATED, child, summary="Added the child's profile")
    return child


@transaction.atomic
def delete_child(*, child: Child, by) -> None:
    """Delete a child and every record about them; the audit trail stays, unlinked."""
    audit.record(by, AuditAction.DELETED, child, summary="Deleted the child and all their records")
    child.delete()


@transaction.atomic
def invite(*, invitation: Invitation, by, accept_url_for) -> str:
    """Save the invitation, mail the link and return it for the inviter to copy."""
    token = invitation.issue_token()
    invitation.invited_by = by
    invitation.full_clean()
    invitation.save()
    link = accept_url_for(token)
    audit.record(by, AuditAction.INVITED, invitation.child, invitation, summary=f"Invited as {invitation.role_label}")
    transaction.on_commit(
        lambda: send_mail(
            subject=f"{by.name} invited you to a child's care team",
            message=(
                f"{by.name} invited you to join {invitation.child.given_name}'s care team "
                f"as {invitation.role_label} on the developmental skills tracker.\n\n"
                f"Open this link within 7 days to accept (it works once):\n{link}\n\n"
                "If you did not expect this, you can ignore this email."
            ),
            from_email=None,
            recipient_list=[invitation.email],
        )
    )
    return link


@transaction.atomic
def accept_invitation(*, invitation: Invitation, user) -> CareTeamMembership:
    """Add `user` to the team; the invitation is then spent."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if not invitation.is_usable:
        raise ValidationError("This invitation has already been used, revoked or has expired.")
    if invitation.email.casefold() != user.email.casefold():
        raise ValidationError(
            f"This invitation was sent to {invitation.email}, not to the account you are logged in with."
        )
    membership, created = CareTeamMembership.objects.get_or_create(
        child=invitation.child,
        user=user,
        defaults={"role": invitation.role, "discipline": invitation.discipline},
    )
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    if created:
        audit.record(
            user, AuditAction.JOINED, invitation.child, membership, summary=f"Joined as {membership.role_label}"
        )
    return membership


@transaction.atomic
def remove_member(*, membership: CareTeamMembership, by) -> None:
    """Take someone off a child's team, unless the child would have no guardian or therapist left."""
    child = membership.child
    # Lock the team so two people leaving at once cannot both pass the check.
    team = list(CareTeamMembership.objects.select_for_update().filter(child=child))
    others_responsible = [m for m in team if m.is_responsible and m.pk != membership.pk]
    if membership.is_responsible and not others_responsible:
        raise ValidationError("A child needs at least one guardian or therapist. Invite someone to take over first.")
    leaving = membership.user_id == by.pk
    audit.record(
        by,
        AuditAction.LEFT if leaving else AuditAction.REMOVED,
        child,
        membership,
        summary=("Left the team" if leaving else f"Removed {membership.user.email} ({membership.role_label})"),
    )
    membership.delete()


def voice_of(child: Child, user) -> str:
    """The perspective `user` writes from on this child's team (OT, PT, other, family)."""
    membership = getattr(child, "membership", None)
    if membership is None or membership.user_id != user.pk:
        membership = CareTeamMembership.objects.filter(child=child, user=user).first()
    return membership.voice if membership is not None else ""


def begin_child_write(child: Child) -> None:
    """Start a write to a child's records: lock the child and bump its data version.

    The UPDATE row lock serialises writers of one child on PostgreSQL (SQLite's
    IMMEDIATE transactions already serialise every writer). The new version
    invalidates cached charts and ETags. Call inside a transaction.
    """
    Child.objects.filter(pk=child.pk).update(data_version=F("data_version") + 1)


def refresh_current_status(*, child: Child, skill: Skill) -> None:
    """Mark the skill's latest observation in force as current, and only that one."""
    history = Observation.objects.filter(child=child, skill=skill)
    history.filter(is_current=True).update(is_current=False)
    latest = history.in_force().newest_first().values_list("pk", flat=True).first()
    if latest is not None:
        Observation.objects.filter(pk=latest).update(is_current=True)


@transaction.atomic
def record_observation(*, observation: Observation, by) -> Observation:
    """Save a new observation (child, skill, status, date… already set) and update the current status."""
    begin_child_write(observation.child)
    observation.recorded_by = by
    observation.recorded_by_name = by.name
    observation.recorded_as = voice_of(observation.child, by)
    observation.recorded_at = timezone.now()
    observation.full_clean()
    observation.save()
    refresh_current_status(child=observation.child, skill=observation.skill)
    audit.record(
        by,
        AuditAction.CREATED,
        observation.child,
        observation,
        summary=f"Recorded {observation.get_status_display().lower()} for skill {observation.skill.slug}",
    )
    return observation


@transaction.atomic
def withdraw_observation(*, observation: Observation, by, reason: str) -> Observation:
    """Take an observation out of force; it stays in the history, marked withdrawn."""
    begin_child_write(observation.child)
    observation = Observation.objects.select_related("child", "skill").get(pk=observation.pk)
    if observation.is_withdrawn:
        raise ValidationError("This observation was already withdrawn.")
    observation.withdrawn_at = timezone.now()
    observation.withdrawn_by = by
    observation.withdrawal_reason = reason[:200]
    observation.save(update_fields=["withdrawn_at", "withdrawn_by", "withdrawal_reason"])
    refresh_current_status(child=observation.child, skill=observation.skill)
    audit.record(by, AuditAction.WITHDREW, observation.child, observation, summary=f"Withdrew: {reason[:150]}")
    return observation


@transaction.atomic
def correct_observation(*, original: Observation, correction: Observation, by) -> Observation:
    """Replace a wrong observation: the original is withdrawn (kept), the correction points to it."""
    withdraw_observation(observation=original, by=by, reason="Corrected")
    correction.corrects = original
    return record_observation(observation=correction, by=by)


@transaction.atomic
def add_custom_skill(*, child: Child, skill: Skill, by) -> Skill:
    """Save a therapist's custom skill for one child."""
    skill.child = child
    skill.created_by = by
    skill.slug = f"custom-{uuid.uuid4().hex[:16]}"
    skill.order = 100_000  # after the catalogue's skills of the same domain
    skill.full_clean()
    skill.save()
    audit.record(by, AuditAction.CREATED, child, skill, summary=f"Added custom skill {skill.slug}")
    return skill


# --- Notes ------------------------------------------------------------------------

NOTE_TEXT_FIELDS = ("kind", "visibility", "session_date", "body", "subjective", "objective", "assessment", "plan")


class NoteConflict(Exception):
    """Someone saved the note after the editor opened it; `current` is the newer note."""

    def __init__(self, current: Note) -> None:
        super().__init__("The note changed since you opened it.")
        self.current = current


@transaction.atomic
def add_note(*, note: Note, by, skills, goals) -> tuple[Note, bool]:
    """Save a new note; the same form submission posted twice returns the first note, unsaved again.

    Returns (note, created).
    """
    if note.submission_id is not None:
        existing = Note.objects.filter(author=by, submission_id=note.submission_id).first()
        if existing is not None:
            return existing, False
    begin_child_write(note.child)
    note.author = by
    note.author_name = by.name
    note.author_voice = voice_of(note.child, by)
    note.full_clean()
    try:
        with transaction.atomic():
            note.save()
    except IntegrityError:
        # A double submit that raced past the check above: the first one won.
        return Note.objects.get(author=by, submission_id=note.submission_id), False
    note.skills.set(skills)
    note.goals.set(goals)
    audit.record(by, AuditAction.CREATED, note.child, note, summary=f"Wrote a {note.get_kind_display().lower()}")
    return note, True


@transaction.atomic
def edit_note(*, note_id: int, changes: dict, skills, goals, expected_version: int, by) -> Note:
    """Apply an edit made from `expected_version`, keeping the previous text as a revision.

    Raises NoteConflict when the note has moved on since then: nothing is overwritten.
    """
    note = Note.objects.select_for_update().get(pk=note_id)
    if note.version != expected_version:
        raise NoteConflict(note)
    begin_child_write(note.child)
    NoteRevision.objects.create(
        note=note,
        version=note.version,
        written_at=note.updated_at,
        **{name: getattr(note, name) for name in NOTE_TEXT_FIELDS},
    )
    for name in NOTE_TEXT_FIELDS:
        setattr(note, name, changes[name])
    note.version += 1
    note.full_clean()
    note.save()
    note.skills.set(skills)
    note.goals.set(goals)
    audit.record(by, AuditAction.CHANGED, note.child, note, summary=f"Edited a note (now version {note.version})")
    return note


@transaction.atomic
def withdraw_note(*, note: Note, by) -> Note:
    """Withdraw a note: it stays in the history, marked withdrawn."""
    note = Note.objects.select_for_update().get(pk=note.pk)
    if note.is_withdrawn:
        raise ValidationError("This note was already withdrawn.")
    begin_child_write(note.child)
    note.withdrawn_at = timezone.now()
    note.withdrawn_by = by
    note.save(update_fields=["withdrawn_at", "withdrawn_by", "updated_at"])
    audit.record(by, AuditAction.WITHDREW, note.child, note, summary="Withdrew a note")
    return note
