"""Writes that touch several models at once, each in one transaction."""

import hashlib
import uuid
from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import F, Q, Subquery
from django.urls import reverse
from django.utils import timezone

from accounts.models import KeptForm

from . import ages, audit
from .models import (
    AuditAction,
    CareTeamMembership,
    Child,
    Discipline,
    Domain,
    Goal,
    GoalReview,
    Invitation,
    LossReview,
    Note,
    NoteRevision,
    Observation,
    Role,
    Skill,
    Source,
    Status,
)


def one_line(text: str) -> str:
    """`text` with every run of whitespace or control characters as one space: safe in a mail header."""
    return " ".join("".join(c if c.isprintable() else " " for c in text).split())


_DISCIPLINE_OF_PROFESSION = {"ot": Discipline.OCCUPATIONAL_THERAPY, "pt": Discipline.PHYSIOTHERAPY}


def role_for_profession(profession: str) -> tuple[str, str]:
    """The (role, discipline) a person joins a child's team with when they add the child."""
    if profession in _DISCIPLINE_OF_PROFESSION:
        return Role.THERAPIST, _DISCIPLINE_OF_PROFESSION[profession]
    return Role.GUARDIAN, ""


def catalogue_changed() -> int:
    """Move every child's `data_version` after a change to the skill catalogue; returns how many children.

    A skill's name, window or source is on every checklist, chart and caseload, and drawn pages and
    charts are kept until their child's version moves (tracker/page_cache.py). Used by
    `manage.py load_catalogue` and the staff admin, inside their own transaction.
    """
    return Child.objects.update(data_version=F("data_version") + 1)


CATALOGUE_MODELS = (Domain, Source, Skill)


@dataclass
class StaffChanges:
    """What a catalogue reload did with the rows changed in the staff admin (labels like "skill gm-walks-alone")."""

    kept: list[str] = field(default_factory=list)  # the staff's values stay over the fixture's
    adopted: list[str] = field(default_factory=list)  # the fixture now says the same: no longer a staff change
    discarded: list[str] = field(default_factory=list)  # the fixture's values replaced them, as asked


def staff_changed_rows() -> list[tuple[type, dict]]:
    """Every catalogue row changed in the staff admin, with all its values: read before a reload."""
    return [
        (model, values)
        for model in CATALOGUE_MODELS
        for values in model.objects.filter(staff_changed_at__isnull=False).order_by("pk").values()
    ]


def keep_staff_changes(before: list[tuple[type, dict]], *, discard: bool = False) -> StaffChanges:
    """After a reload, put back the staff admin's values that the fixture overwrote (unless `discard`).

    Loading a fixture saves each of its rows whole, so a staff change to a row the fixture holds is
    replaced and its `staff_changed_at` cleared; a row only the staff added is left as it was. A
    change the fixture has since taken in (the same values) stops being a staff change.
    """
    outcome = StaffChanges()
    for model, values in before:
        label = f"{model._meta.model_name} {values['slug']}"
        now = model.objects.filter(pk=values["id"]).values().get()
        if now["staff_changed_at"] is not None:  # not in the fixture: nothing overwrote it
            outcome.kept.append(label)
            continue
        if {**now, "staff_changed_at": None} == {**values, "staff_changed_at": None}:
            outcome.adopted.append(label)
        elif discard:
            outcome.discarded.append(label)
        else:
            model.objects.filter(pk=values["id"]).update(**{k: v for k, v in values.items() if k != "id"})
            outcome.kept.append(label)
    return outcome


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
    # Forms kept from an expired session hang off the account, not the child: what was typed on the
    # child's pages goes with the child.
    KeptForm.objects.filter(path__startswith=reverse("tracker:child_detail", args=[child.public_id])).delete()
    child.delete()


@transaction.atomic
def invite(*, invitation: Invitation, by, accept_url_for) -> str:
    """Save the invitation, mail the link and return it for the inviter to copy."""
    begin_child_write(invitation.child)  # the timeline shows "Invited as …"
    token = invitation.issue_token()
    invitation.invited_by = by
    invitation.full_clean()
    invitation.save()
    link = accept_url_for(token)
    audit.record(by, AuditAction.INVITED, invitation.child, invitation, summary=f"Invited as {invitation.role_label}")
    transaction.on_commit(
        lambda: send_mail(
            # One line whatever the name holds: a CR or LF in a subject makes Django refuse the mail.
            subject=one_line(f"{by.name} invited you to a child's care team"),
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
def revoke_invitation(*, invitation: Invitation, by) -> Invitation:
    """Revoke a pending invitation: its link stops working; the timeline shows the revocation."""
    begin_child_write(invitation.child)
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])
    audit.record(by, AuditAction.REMOVED, invitation.child, invitation, summary="Revoked an invitation")
    return invitation


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
    if not user.email_verified:
        # An address nobody has confirmed proves nothing: it could have been typed to catch this invitation.
        raise ValidationError(
            f"Confirm your email address first: open the link we sent to {user.email}, then this invitation again."
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
        begin_child_write(invitation.child)
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
    begin_child_write(child)
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


def touch_children_of(user) -> None:
    """Bump the data version of every child on `user`'s teams: their name shows on those children's pages."""
    Child.objects.filter(care_team__user=user).update(data_version=F("data_version") + 1)


def refresh_current_status(*, child: Child, skill: Skill) -> None:
    """Mark the skill's latest observation in force as current, and only that one."""
    history = Observation.objects.filter(child=child, skill=skill)
    history.filter(is_current=True).update(is_current=False)
    latest = history.in_force().newest_first().values("pk")[:1]
    Observation.objects.filter(pk=Subquery(latest)).update(is_current=True)


def mark_current_if_latest(observation: Observation) -> None:
    """Before a new observation is saved: make it the skill's current one if it is the latest in force.

    The same rule as `refresh_current_status`, in one UPDATE instead of two
    after the INSERT: a new observation is recorded now, so it is the latest
    unless the current one was observed on a later day (a backdated entry).
    Taking the mark off an older current one, if there is one, says it is the
    latest; if none was taken off, it is the latest only if nothing is current
    (nothing in force). A save makes one round trip fewer (issue 7's profile).
    """
    current = Observation.objects.filter(child=observation.child, skill=observation.skill, is_current=True)
    older = Q(observed_on__lt=observation.observed_on) | Q(
        observed_on=observation.observed_on, recorded_at__lte=observation.recorded_at
    )
    replaced = current.filter(older).update(is_current=False)
    observation.is_current = replaced > 0 or not current.exists()


# The reason an observation undone from the checklist carries in its history.
UNDO_REASON = "Undone straight after recording"

OBSERVATION_RELATIONS = ["child", "skill", "recorded_by", "corrects", "withdrawn_by"]


def _save_observation(observation: Observation, by) -> Observation:
    begin_child_write(observation.child)
    observation.recorded_by = by
    observation.recorded_by_name = by.name
    observation.recorded_as = voice_of(observation.child, by)
    observation.recorded_at = timezone.now()
    # The related rows are in hand (checked by the view), and the one constraint, a single current
    # observation per skill, is kept just below and by the database: checking them again cost four
    # queries and 40 % of a save (benchmark profile, issue 7).
    observation.full_clean(exclude=OBSERVATION_RELATIONS, validate_constraints=False)
    mark_current_if_latest(observation)
    observation.save()
    return observation


def _take_out_of_force(observation: Observation, by, reason: str) -> Observation:
    begin_child_write(observation.child)
    observation = Observation.objects.select_related("child", "skill").get(pk=observation.pk)
    if observation.is_withdrawn:
        raise ValidationError("This observation was already withdrawn.")
    observation.withdrawn_at = timezone.now()
    observation.withdrawn_by = by
    observation.withdrawal_reason = reason[:200]
    observation.save(update_fields=["withdrawn_at", "withdrawn_by", "withdrawal_reason"])
    refresh_current_status(child=observation.child, skill=observation.skill)
    return observation


@transaction.atomic
def record_observation(*, observation: Observation, by) -> Observation:
    """Save a new observation (child, skill, status, date… already set) and update the current status."""
    _save_observation(observation, by)
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
    observation = _take_out_of_force(observation, by, reason)
    # The reason is free text that may name the child; it stays on the observation (erased with
    # the child), never in the audit trail, which outlives an erasure.
    audit.record(by, AuditAction.WITHDREW, observation.child, observation, summary="Withdrew an observation")
    return observation


@transaction.atomic
def correct_observation(*, original: Observation, correction: Observation, by) -> Observation:
    """Replace a wrong observation: the original is withdrawn (kept), the correction points to it.

    One change, one audit event (on the correction, naming the original it replaces).
    """
    original = _take_out_of_force(original, by, "Corrected")
    correction.corrects = original
    _save_observation(correction, by)
    audit.record(
        by,
        AuditAction.CHANGED,
        correction.child,
        correction,
        summary=(
            f"Corrected observation {original.pk}: now {correction.get_status_display().lower()} "
            f"for skill {correction.skill.slug}"
        ),
    )
    return correction


@transaction.atomic
def review_loss(*, child: Child, skill: Skill, by, note: str = "") -> LossReview:
    """A therapist marks a skill that is no longer seen as reviewed; the review belongs to this loss only."""
    begin_child_write(child)
    current = Observation.objects.current().filter(child=child, skill=skill).with_last_achieved().first()
    if current is None or current.status == Status.ACHIEVED or current.last_achieved_id is None:
        raise ValidationError("This skill is not recorded as no longer seen, so there is nothing to review.")
    review, created = LossReview.objects.get_or_create(
        last_achieved_id=current.last_achieved_id,
        defaults={"child": child, "reviewed_by": by, "reviewed_by_name": by.name, "note": note},
    )
    if created:
        # The note is free text that may name the child: it stays on the review, never in the audit trail.
        audit.record(by, AuditAction.CREATED, child, review, summary=f"Reviewed skill {skill.slug}, no longer seen")
    return review


@transaction.atomic
def record_before_joining(*, child: Child, skills, by) -> list[Observation]:
    """Record skills the family confirms the child already had before joining: achieved, with an estimated date.

    The date is the day the child reached the end of the skill's window
    (corrected age where it applied), or the day the child joined if that
    came first: an estimate, marked `before_joining` in the history, the
    charts and the export, and never a day someone saw it.
    """
    joined = timezone.localtime(child.created_at).date() if child.created_at else timezone.localdate()
    saved = []
    for skill in skills:
        reached_end = ages.day_at_effective_age(
            child.date_of_birth, child.gestational_days, float(skill.window_end_months)
        )
        day = max(child.date_of_birth, min(reached_end, joined, timezone.localdate()))
        observation = Observation(
            child=child, skill=skill, status=Status.ACHIEVED, observed_on=day, before_joining=True
        )
        _save_observation(observation, by)
        audit.record(
            by,
            AuditAction.CREATED,
            child,
            observation,
            summary=f"Recorded achieved before joining for skill {skill.slug}",
        )
        saved.append(observation)
    return saved


@transaction.atomic
def add_custom_skill(*, child: Child, skill: Skill, by) -> Skill:
    """Save a therapist's custom skill for one child."""
    begin_child_write(child)  # a new skill changes the child's checklists and charts
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


def add_note(*, note: Note, by, skills, goals) -> tuple[Note, bool]:
    """Save a new note; the same form submission posted twice returns the first note, unsaved again.

    Returns (note, created).
    """
    try:
        with transaction.atomic():
            return _add_note(note, by, skills, goals)
    except IntegrityError:
        # A double submit that raced past the check in _add_note: the first one won, and this
        # one's transaction is rolled back whole. (Catching it out here, not in a savepoint
        # around the INSERT, saves two round trips on every note: issue 7's profile.)
        if note.submission_id is None:
            raise
        first = Note.objects.filter(author=by, submission_id=note.submission_id).first()
        if first is None:
            raise
        return first, False


def _add_note(note: Note, by, skills, goals) -> tuple[Note, bool]:
    # Lock the child first: a racing double submit then waits here for the first one to
    # commit, and finds its note below (instead of failing full_clean's uniqueness check).
    begin_child_write(note.child)
    if note.submission_id is not None:
        existing = Note.objects.filter(author=by, submission_id=note.submission_id).first()
        if existing is not None:
            return existing, False
    note.author = by
    note.author_name = by.name
    note.author_voice = voice_of(note.child, by)
    # The form has checked what was typed, including the family-update rule; the relations are in
    # hand and a repeated submission is caught above (or by add_note, if two race past it). Checking
    # those again cost a third of a save (benchmark profile, issue 7); the database still enforces
    # every constraint.
    note.full_clean(exclude=["child", "author", "withdrawn_by"], validate_unique=False, validate_constraints=False)
    note.save()
    # A new note links nothing yet: add() inserts without first reading the links set() would compare.
    if skills:
        note.skills.add(*skills)
    if goals:
        note.goals.add(*goals)
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


# --- Goals ------------------------------------------------------------------------

GOAL_FIELDS = (
    "domain",
    "skill",
    "description",
    "target_date",
    "review_on",
    "status",
    "weight",
    "baseline_level",
    "level_minus_2",
    "level_minus_1",
    "level_0",
    "level_plus_1",
    "level_plus_2",
)


def goal_version(goal: Goal) -> str:
    """A fingerprint of the goal's editable fields: an edit form carries it, a save compares it.

    Content rather than a timestamp, so two saves in the same instant still conflict, and a save
    that changed nothing does not.
    """
    values = [str(getattr(goal, f"{name}_id" if name in ("domain", "skill") else name)) for name in GOAL_FIELDS]
    return hashlib.sha256("\x1f".join(values).encode()).hexdigest()[:32]


class GoalConflict(Exception):
    """Someone saved the goal after the editor opened it; `current` is the newer goal."""

    def __init__(self, current: Goal) -> None:
        super().__init__("The goal changed since you opened it.")
        self.current = current


def _goal_area(goal: Goal) -> str:
    return goal.skill.slug if goal.skill_id else goal.domain.slug


@transaction.atomic
def set_goal(*, goal: Goal, by) -> Goal:
    """Save a new goal (child, area or skill, description… already set), owned by the therapist who sets it."""
    begin_child_write(goal.child)
    goal.owner = by
    goal.owner_name = by.name
    goal.full_clean()
    goal.save()
    # The summary names the area, never the goal's text: it may hold the child's name.
    audit.record(by, AuditAction.CREATED, goal.child, goal, summary=f"Set a goal about {_goal_area(goal)}")
    return goal


@transaction.atomic
def edit_goal(*, goal_id: int, changes: dict, expected_version: str, by) -> Goal:
    """Change a goal's fields; refused with GoalConflict if it changed since the editor loaded it."""
    goal = Goal.objects.select_for_update().select_related("child").get(pk=goal_id)
    if goal_version(goal) != expected_version:
        raise GoalConflict(goal)
    begin_child_write(goal.child)
    changed = [name for name in GOAL_FIELDS if name in changes and getattr(goal, name) != changes[name]]
    for name in changed:
        setattr(goal, name, changes[name])
    goal.full_clean()
    goal.save()
    audit.record(
        by, AuditAction.CHANGED, goal.child, goal, summary=f"Edited a goal ({', '.join(changed) or 'nothing'})"
    )
    return goal


@transaction.atomic
def review_goal(*, review: GoalReview, by, next_review: date | None = None) -> GoalReview:
    """Record the GAS level a goal reached on a date (goal, date, level, comment already set).

    The goal's next review becomes `next_review`; None leaves the next one at the target date.
    """
    goal = review.goal
    begin_child_write(goal.child)
    if goal.review_on != next_review:
        goal.review_on = next_review
        goal.save(update_fields=["review_on", "updated_at"])
    review.reviewed_by = by
    review.reviewed_by_name = by.name
    review.reviewer_voice = voice_of(goal.child, by)
    review.full_clean()
    review.save()
    audit.record(
        by, AuditAction.CREATED, goal.child, review, summary=f"Reviewed goal {goal.pk}: level {review.level:+d}"
    )
    return review
