"""The baseline: the least a signed-in page of this stack can do (session, user, a small template)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe


@login_required
@require_safe
def baseline(request: HttpRequest) -> HttpResponse:
    return render(request, "bench/baseline.html")
