"""The therapist's caseload: which children need attention."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_safe

from ..caseload import SORT_KEYS, caseload_for, caseload_version
from ..page_cache import page_number, render_page

PAGE_SIZE = 25


@login_required
@require_safe
def caseload(request: HttpRequest) -> HttpResponse:
    sort = request.GET.get("sort", "overdue")
    if sort not in SORT_KEYS:
        sort = "overdue"

    number = page_number(request)

    def context() -> dict:
        rows = caseload_for(request.user, timezone.localdate(), sort=sort)
        return {"page": Paginator(rows, PAGE_SIZE).get_page(number), "sort": sort}

    # The default sort stays out of the query, as the pagination links leave it out.
    reads = {"sort": "" if sort == "overdue" else sort, "page": number if number > 1 else ""}
    return render_page(request, "tracker/caseload.html", context, version=caseload_version(request.user), reads=reads)
