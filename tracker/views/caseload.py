"""The therapist's caseload: which children need attention."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from ..caseload import SORT_KEYS, caseload_for

PAGE_SIZE = 25


@login_required
@require_safe
def caseload(request: HttpRequest) -> HttpResponse:
    sort = request.GET.get("sort", "overdue")
    if sort not in SORT_KEYS:
        sort = "overdue"
    rows = caseload_for(request.user, timezone.localdate(), sort=sort)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "tracker/caseload.html", {"page": page, "sort": sort})
