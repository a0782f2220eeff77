"""Checklists by domain, recording observations, skill history, corrections and custom skills."""

import copy

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from .. import audit, chart_data, services
from ..checklist import changed_groups, group_skills, is_lost, recorded_counts
from ..forms import CustomSkillForm, LossReviewForm, ObservationForm, WithdrawForm
from ..models import Assistance, AuditAction, Child, Domain, Observation, Skill
from ..page_cache import child_version, render_page
from ..permissions import Action, child_for
from ..status import GROUP_ORDER, MEANINGS, Standing
from .children import with_loss_reviews

# Every group but "later", which the page only counts: skills for older children.
SHOWN_GROUPS = [standing for standing in GROUP_ORDER if standing != Standing.LATER]
# Folded under "Show the N skills": done, skipped, or without an age norm; a parent needs the others first.
FOLDED_GROUPS = frozenset({Standing.ACHIEVED, Standing.NOT_NEEDED, Standing.TRACKED})


def _row_context(child: Child) -> dict:
    """What every checklist group and row needs: therapists also pick a level of assistance."""
    rates = Action.RATE_ASSISTANCE in child.allowed
    return {"assistance_levels": Assistance.choices if rates else None, "folded_groups": FOLDED_GROUPS}


def _skill(child: Child, slug: str) -> Skill:
    """A catalogue skill or one of this child's custom skills; 404 for another child's."""
    return get_object_or_404(Skill.objects.for_child(child).select_related("domain", "source"), slug=slug)


def _checklist_url(child: Child, skill: Skill) -> str:
    return reverse("tracker:checklist", args=[child.public_id, skill.domain.slug]) + f"#skill-{skill.slug}"


@login_required
@require_safe
def checklist(request: HttpRequest, child_id, domain_slug: str) -> HttpResponse:
    child = child_for(request.user, child_id, action=Action.VIEW)

    def context() -> dict:
        domains = list(Domain.objects.all())
        domain = next((d for d in domains if d.slug == domain_slug), None)
        if domain is None:
            raise Http404("No such domain.")
        today = timezone.localdate()
        skills, groups = _grouped(child, domain)
        return {
            "child": child,
            "domain": domain,
            "domains": domains,
            "groups": _shown(groups),
            "has_shown": any(groups[key] for key in SHOWN_GROUPS),
            "counts": recorded_counts(skills),
            "later_count": len(groups[Standing.LATER]),
            "age": child.age_on(today),
            "corrected_age": child.corrected_age_on(today),
            **_row_context(child),
        }

    # An unknown area is a 404 while drawing; a page in the cache was drawn for a known one.
    response = render_page(request, "tracker/checklist.html", context, version=child_version(child))
    audit.record(request.user, AuditAction.VIEWED, child, summary=f"Viewed the {domain_slug} checklist")
    return response


@login_required
def record(request: HttpRequest, child_id, skill_slug: str) -> HttpResponse:
    """Record a status: one tap from a checklist row (htmx or plain POST) or the full form."""
    child = child_for(request.user, child_id, action=Action.RECORD)
    skill = _skill(child, skill_slug)
    rates = Action.RATE_ASSISTANCE in child.allowed
    form = ObservationForm(request.POST or None, child=child, skill=skill, rates_assistance=rates)
    if request.method == "POST" and form.is_valid():
        current_before = _current_before_write(child, skill) if request.htmx else None
        observation = services.record_observation(observation=form.instance, by=request.user)
        if request.htmx:
            return _moved(request, child, skill, current_before, saved=observation)
        messages.success(request, f"Saved: {skill.name} — {observation.get_status_display()}.")
        # The undo a tap with JavaScript offers, as a plain form on the page this returns to (base.html).
        messages.info(request, reverse("tracker:undo", args=[child.public_id, observation.pk]), "undo-tap")
        return redirect(_checklist_url(child, skill))
    if request.method == "POST" and request.htmx:
        return _row(request, child, skill, form=form)
    audit.viewed_form(request, child, skill, summary="Opened the recording form")
    return render(request, "tracker/observation_form.html", {"child": child, "skill": skill, "form": form})


@login_required
@require_POST
def undo(request: HttpRequest, child_id, observation_id: int) -> HttpResponse:
    """Take back one's own tap of the last few minutes: withdrawn with a set reason, kept in the history."""
    child = child_for(request.user, child_id, action=Action.RECORD)
    observation = _observation(child, observation_id)
    if not Observation.objects.undoable_by(request.user).filter(pk=observation.pk).exists():
        message = (
            "Only your own tap of the last few minutes can be undone here. "
            "To withdraw an older observation, open the skill's history and give a reason."
        )
        if request.htmx:
            return render(request, "tracker/_tap_status.html", {"error": message, "oob": True})
        messages.error(request, message)
        return redirect(_checklist_url(child, observation.skill))
    current_before = _current_before_write(child, observation.skill) if request.htmx else None
    services.withdraw_observation(observation=observation, by=request.user, reason=services.UNDO_REASON)
    if request.htmx:
        return _moved(request, child, observation.skill, current_before, undone=observation)
    messages.success(request, f"Undone: {observation.skill.name}. It stays in the history, marked as withdrawn.")
    return redirect(_checklist_url(child, observation.skill))


def _area_skills(child: Child, domain: Domain) -> list[Skill]:
    """The area's skills with their current observations (two queries)."""
    return list(
        Skill.objects.for_child(child).filter(domain=domain).select_related("source").with_current_observation(child)
    )


def _grouped(child: Child, domain: Domain) -> tuple[list[Skill], dict[Standing, list]]:
    """The area's skills with their current observations (two queries), and their groups for today."""
    skills = _area_skills(child, domain)
    return skills, group_skills(skills, child.effective_age_in_months(timezone.localdate()))


def _current_before_write(child: Child, skill: Skill) -> list[Observation]:
    """The skill's current observation as `with_current_observation` attaches it, read before a tap or an undo.

    A tap or an undo changes only this skill's observations, so the area as it was is the area read
    after the write with this put back: one small query instead of reading the whole area twice.
    """
    return list(Observation.objects.current().filter(child=child, skill=skill).with_last_achieved())


def _shown(groups: dict[Standing, list]) -> list[tuple]:
    """(key, meaning, skills) of every group the page shows, empty ones too: a tap may fill one."""
    return [(key, MEANINGS[key], groups[key]) for key in SHOWN_GROUPS]


def _moved(request: HttpRequest, child: Child, skill: Skill, current_before: list, **done) -> HttpResponse:
    """After a tap or an undo: the groups that changed, the area's counts and the confirmation, out of band.

    `current_before` is the skill's current observation before the write (`_current_before_write`).
    """
    domain = skill.domain
    skills = _area_skills(child, domain)
    skill = next(s for s in skills if s.pk == skill.pk)
    as_before = copy.copy(skill)
    as_before.current_observations = current_before
    age_months = child.effective_age_in_months(timezone.localdate())
    # Grouped as before the write first: grouping sets each skill's `standing`, and the page needs today's.
    before = group_skills([as_before if s is skill else s for s in skills], age_months)
    after = group_skills(skills, age_months)
    changed = set(changed_groups(before, after, skill))
    context = {
        "child": child,
        "domain": domain,
        "skill": skill,
        "groups": [group for group in _shown(after) if group[0] in changed],
        "counts": recorded_counts(skills),
        "moved_to": MEANINGS[skill.standing].heading,
        "open_group": skill.standing,
        "saved_slug": skill.slug,
        **done,
        **_row_context(child),
    }
    return render(request, "tracker/_checklist_moved.html", context)


def _row(request: HttpRequest, child: Child, skill: Skill, *, form) -> HttpResponse:
    """A row whose tap was refused, with the error, swapped out of band in place of the row on the page.

    Status 200: htmx swaps nothing from an error status, and the person must see why.
    """
    skill = Skill.objects.with_current_observation(child).select_related("domain", "source").get(pk=skill.pk)
    context = {"child": child, "skill": skill, "form": form, "row_oob": True, **_row_context(child)}
    return render(request, "tracker/_skill_row.html", context)


@login_required
@require_safe
def skill_history(request: HttpRequest, child_id, skill_slug: str) -> HttpResponse:
    """Every observation of one skill, withdrawn ones included and marked."""
    child = child_for(request.user, child_id, action=Action.VIEW)
    skills = Skill.objects.for_child(child).select_related("domain", "source").with_current_observation(child)
    skill = get_object_or_404(skills, slug=skill_slug)
    history = list(
        Observation.objects.for_child(child)
        .filter(skill=skill)
        .newest_first()
        .select_related("withdrawn_by", "corrects")
    )
    chart = chart_data.skill_history_chart(
        child, skill, on=timezone.localdate(), observations=chart_data.observed(history, key=skill.slug)
    )
    audit.record(request.user, AuditAction.VIEWED, child, skill, summary="Viewed a skill's history")
    lost = with_loss_reviews(child, [skill] if is_lost(skill) else [])
    context = {
        "child": child,
        "skill": skill,
        "history": history,
        "chart": chart,
        "withdraw_form": WithdrawForm(),
        "no_longer_seen": lost,
        "no_longer_seen_unreviewed": sum(1 for s in lost if s.loss_review is None),
    }
    return render(request, "tracker/skill_history.html", context)


def _observation(child: Child, observation_id: int) -> Observation:
    return get_object_or_404(Observation.objects.select_related("skill__domain"), pk=observation_id, child=child)


@login_required
def correct(request: HttpRequest, child_id, observation_id: int) -> HttpResponse:
    """Replace a wrong observation with a corrected one; the original stays in the history."""
    child = child_for(request.user, child_id, action=Action.RECORD)
    original = _observation(child, observation_id)
    initial = {field: getattr(original, field) for field in ("status", "observed_on", "assistance", "note")}
    rates = Action.RATE_ASSISTANCE in child.allowed
    form = ObservationForm(
        request.POST or None, child=child, skill=original.skill, initial=initial, rates_assistance=rates
    )
    if original.is_withdrawn:
        messages.error(request, "This observation was already withdrawn or corrected.")
        return redirect("tracker:skill_history", child_id=child.public_id, skill_slug=original.skill.slug)
    if request.method == "POST" and form.is_valid():
        services.correct_observation(original=original, correction=form.instance, by=request.user)
        messages.success(request, "Corrected. The original stays in the history, marked as corrected.")
        return redirect("tracker:skill_history", child_id=child.public_id, skill_slug=original.skill.slug)
    context = {"child": child, "skill": original.skill, "form": form, "original": original}
    audit.viewed_form(request, child, original, summary="Opened the correction form")
    return render(request, "tracker/observation_form.html", context)


@login_required
@require_POST
def withdraw(request: HttpRequest, child_id, observation_id: int) -> HttpResponse:
    child = child_for(request.user, child_id, action=Action.RECORD)
    observation = _observation(child, observation_id)
    form = WithdrawForm(request.POST)
    if form.is_valid():
        try:
            services.withdraw_observation(observation=observation, by=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, "Withdrawn. It stays in the history, marked as withdrawn.")
        return redirect("tracker:skill_history", child_id=child.public_id, skill_slug=observation.skill.slug)
    history = (
        Observation.objects.for_child(child)
        .filter(skill=observation.skill)
        .newest_first()
        .select_related("withdrawn_by", "corrects")
    )
    context = {
        "child": child,
        "skill": observation.skill,
        "history": history,
        "withdraw_form": form,
        "withdraw_target": observation.pk,
    }
    return render(request, "tracker/skill_history.html", context, status=400)


@login_required
@require_POST
def loss_review(request: HttpRequest, child_id, skill_slug: str) -> HttpResponse:
    """A therapist marks a skill that is no longer seen as reviewed, with an optional note."""
    child = child_for(request.user, child_id, action=Action.REVIEW_LOSS)
    skill = _skill(child, skill_slug)
    form = LossReviewForm(request.POST)
    if form.is_valid():
        try:
            services.review_loss(child=child, skill=skill, by=request.user, note=form.cleaned_data["note"])
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request, f"Marked reviewed: {skill.name}. The team and the family can see who reviewed it."
            )
    else:
        messages.error(request, " ".join(form.errors["note"]))
    return redirect(child)


@login_required
def custom_skill_create(request: HttpRequest, child_id) -> HttpResponse:
    child = child_for(request.user, child_id, action=Action.ADD_CUSTOM_SKILL)
    form = CustomSkillForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        skill = services.add_custom_skill(child=child, skill=form.instance, by=request.user)
        messages.success(request, f"“{skill.name}” is added to {child.given_name}'s checklist.")
        return redirect(_checklist_url(child, skill))
    audit.viewed_form(request, child, summary="Opened the custom skill form")
    return render(request, "tracker/custom_skill_form.html", {"child": child, "form": form})
