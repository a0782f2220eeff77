"""A child's profile: list, add, overview, edit, archive, restore, delete."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from .. import ages, audit, chart_data, checklist, programme, services
from ..forms import ChildForm, ConfirmNameForm
from ..models import AuditAction, Child, Domain, LossReview, Skill
from ..page_cache import child_version, render_page
from ..permissions import Action, child_for

PAGE_SIZE = 25


def home(request: HttpRequest) -> HttpResponse:
    """Therapists land on what changed across their caseload; families on their children."""
    if request.user.is_authenticated:
        return redirect("tracker:changes" if request.user.is_therapist else "tracker:child_list")
    return render(request, "tracker/home.html")


@login_required
@require_safe
def child_list(request: HttpRequest, archived: bool = False) -> HttpResponse:
    """'My children': a guardian's children, a therapist's caseload."""
    children = Child.objects.visible_to(request.user)
    children = children.archived_only() if archived else children.active()
    children = children.order_by("given_name", "family_name", "id").values(
        "public_id", "given_name", "family_name", "date_of_birth", "gestational_days", "care_team__role"
    )
    page = Paginator(children, PAGE_SIZE).get_page(request.GET.get("page"))
    today = timezone.localdate()
    for row in page:
        row["age"] = ages.chronological_age(row["date_of_birth"], today).in_words()
        corrected = ages.corrected_age(row["date_of_birth"], row["gestational_days"], today)
        row["corrected_age"] = corrected.in_words() if corrected else ""
    return render(request, "tracker/child_list.html", {"page": page, "archived": archived})


@login_required
def child_create(request: HttpRequest) -> HttpResponse:
    form = ChildForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        child = services.add_child(user=request.user, child=form.instance)
        messages.success(request, f"{child.given_name} is added. You are on the care team.")
        return redirect(child)
    return render(request, "tracker/child_form.html", {"form": form})


@login_required
@require_safe
def child_detail(request: HttpRequest, child_id) -> HttpResponse:
    child = child_for(request.user, child_id, action=Action.VIEW)
    audit.record(request.user, AuditAction.VIEWED, child, summary="Viewed the overview")

    def context() -> dict:
        today = timezone.localdate()
        domains = list(Domain.objects.all())
        skills = list(Skill.objects.for_child(child).with_current_observation(child))
        summaries = checklist.summarise(domains, skills, child.effective_age_in_months(today))
        lost = with_loss_reviews(child, checklist.no_longer_seen(summaries))
        return {
            "child": child,
            "summaries": summaries,
            # The numbers behind the chart images, for the tables beside them (one query: the history).
            "charts": chart_data.overview_charts(child, domains, skills, on=today),
            "no_longer_seen": lost,
            "no_longer_seen_unreviewed": sum(1 for skill in lost if skill.loss_review is None),
            "attention": checklist.own_discipline_first(summaries, child.membership.discipline),
            "overdue_count": sum(len(summary.overdue) for summary in summaries),
            "to_check_count": sum(len(summary.to_check) for summary in summaries),
            "age": child.age_on(today),
            "corrected_age": child.corrected_age_on(today),
            "weeks_before_due": ages.weeks_before_due_date(child.date_of_birth, child.gestational_days, today),
            "team": child.care_team.select_related("user"),
            "adherence": programme.adherence_chart(child, on=today),
        }

    return render_page(request, "tracker/child_detail.html", context, version=child_version(child))


def with_loss_reviews(child: Child, skills: list) -> list:
    """`skills` no longer seen, each with `loss_review`: its review, or None while nobody has reviewed it."""
    if not skills:
        return skills
    reviews = {review.last_achieved_id: review for review in LossReview.objects.for_child(child)}
    for skill in skills:
        skill.loss_review = reviews.get(skill.current.last_achieved_id)
    return skills


@login_required
def child_edit(request: HttpRequest, child_id) -> HttpResponse:
    child = child_for(request.user, child_id, action=Action.EDIT_PROFILE)
    form = ChildForm(request.POST or None, instance=child)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            form.save()
            changed = ", ".join(form.changed_data) or "nothing"
            audit.record(request.user, AuditAction.CHANGED, child, summary=f"Edited the profile ({changed})")
        messages.success(request, "The profile is saved.")
        return redirect(child)
    audit.viewed_form(request, child, summary="Opened the profile form")
    return render(request, "tracker/child_form.html", {"form": form, "child": child})


@login_required
@require_POST
def child_archive(request: HttpRequest, child_id) -> HttpResponse:
    child = child_for(request.user, child_id, action=Action.ARCHIVE)
    _set_archived(request, child, archived=True)
    messages.success(request, f"{child.given_name} is archived: hidden from your lists, nothing deleted.")
    return redirect("tracker:child_list")


@login_required
@require_POST
def child_restore(request: HttpRequest, child_id) -> HttpResponse:
    child = child_for(request.user, child_id, action=Action.ARCHIVE)
    _set_archived(request, child, archived=False)
    messages.success(request, f"{child.given_name} is restored.")
    return redirect(child)


@transaction.atomic
def _set_archived(request: HttpRequest, child: Child, *, archived: bool) -> None:
    child.archived = archived
    child.save(update_fields=["archived", "updated_at"])
    audit.record(request.user, AuditAction.ARCHIVED if archived else AuditAction.RESTORED, child)


@login_required
def child_delete(request: HttpRequest, child_id) -> HttpResponse:
    """Permanent deletion, by a guardian, after typing the child's name."""
    child = child_for(request.user, child_id, action=Action.DELETE)
    form = ConfirmNameForm(request.POST or None, expected=child.given_name)
    if request.method == "POST" and form.is_valid():
        services.delete_child(child=child, by=request.user)
        messages.success(request, "The child's records are permanently deleted.")
        return redirect("tracker:child_list")
    audit.viewed_form(request, child, summary="Opened the deletion page")
    return render(request, "tracker/child_delete.html", {"child": child, "form": form})
