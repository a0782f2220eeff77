"""Catch-up for families who join late: confirm in one screen per area the earlier skills the child already does.

A four-year-old joining the tracker has dozens of baby skills nobody has
recorded: unknown, not late ("to check"). The family ticks off what the
child does in one go; each is recorded as achieved *before joining*, with an
estimated date (services.record_before_joining), never as seen today.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from .. import audit, checklist, services
from ..forms import CatchUpForm
from ..models import Child, Domain, Skill
from ..permissions import Action, child_for
from ..status import Standing


def _to_check(child: Child, domains: list[Domain]) -> dict[str, list]:
    """Each area's skills to check (not recorded, window passed), by domain slug."""
    skills = Skill.objects.for_child(child).with_current_observation(child).select_related("domain")
    age = child.effective_age_in_months(timezone.localdate())
    found: dict[str, list] = {domain.slug: [] for domain in domains}
    for skill in checklist.assess(skills, age):
        if skill.standing == Standing.TO_CHECK:
            found[skill.domain.slug].append(skill)
    return found


@login_required
def catch_up(request: HttpRequest, child_id, domain_slug: str) -> HttpResponse:
    child = child_for(request.user, child_id, action=Action.RECORD)
    domains = list(Domain.objects.all())
    domain = next((d for d in domains if d.slug == domain_slug), None)
    if domain is None:
        raise Http404("No such area.")
    to_check = _to_check(child, domains)
    form = CatchUpForm(request.POST if request.method == "POST" else None, skills=to_check[domain.slug])
    if request.method == "POST" and form.is_valid():
        saved = services.record_before_joining(child=child, skills=form.cleaned_data["skills"], by=request.user)
        messages.success(
            request,
            f"Saved {len(saved)} skill{'' if len(saved) == 1 else 's'} in {domain.name.lower()} as achieved before "
            "joining. Their dates are estimates, and marked so.",
        )
        following = [d for d in domains if d.order > domain.order and to_check[d.slug]]
        if following:
            return redirect("tracker:catch_up", child_id=child.public_id, domain_slug=following[0].slug)
        return redirect(child)
    audit.viewed_form(request, child, summary=f"Opened the catch-up for {domain.slug}")
    context = {
        "child": child,
        "domain": domain,
        "form": form,
        "areas": [(d, len(to_check[d.slug])) for d in domains],
    }
    return render(request, "tracker/catch_up.html", context)
