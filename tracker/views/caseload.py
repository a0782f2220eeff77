"""The therapist's caseload: which children need attention, in the areas the therapist leads."""

import re

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_safe

from ..caseload import OWN_AREAS, SORT_KEYS, area_choices, areas_counted, caseload_for, caseload_version, discipline_of
from ..models import Domain
from ..page_cache import page_number, render_page

PAGE_SIZE = 25
AREA = re.compile(r"[a-z0-9-]{1,50}")


@login_required
@require_safe
def caseload(request: HttpRequest) -> HttpResponse:
    sort = request.GET.get("sort", "overdue")
    if sort not in SORT_KEYS:
        sort = "overdue"

    number = page_number(request)

    def context() -> dict:
        domains = list(Domain.objects.all())
        choices = area_choices(domains)
        area = request.GET.get("area", OWN_AREAS)
        if area not in dict(choices):
            area = OWN_AREAS
        domain_ids = areas_counted(domains, area, discipline_of(request.user))
        rows = caseload_for(request.user, timezone.localdate(), domain_ids=domain_ids, sort=sort)
        return {
            "page": Paginator(rows, PAGE_SIZE).get_page(number),
            "sort": sort,
            "area": area,
            "area_choices": choices,
            "areas_named": ", ".join(d.name.lower() for d in domains if d.pk in domain_ids),
        }

    # The default sort stays out of the query, as the pagination links leave it out.
    # An area is a domain's slug or a fixed word: anything not shaped like one is keyed and drawn as the default.
    area = request.GET.get("area", "")
    reads = {
        "sort": "" if sort == "overdue" else sort,
        "area": area if AREA.fullmatch(area) else "",
        "page": number if number > 1 else "",
    }
    return render_page(request, "tracker/caseload.html", context, version=caseload_version(request.user), reads=reads)
