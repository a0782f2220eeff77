"""Chart images under a child: formats, validators (ETag, 304), the render cache, and no audit per image."""

import gc
from datetime import UTC, date, datetime

import pytest
import time_machine
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from config.cache import drawn
from tracker import chart_data
from tracker.models import AuditEvent, Domain, Skill
from tracker.views import charts as chart_views

from ..charts.rendering import png_size, svg_has_script, svg_texts
from ..factories import ChildFactory, observation

pytestmark = pytest.mark.django_db

TODAY = datetime(2026, 3, 1, 11, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _frozen_today_and_empty_cache():
    cache.clear()
    drawn.clear()
    with time_machine.travel(TODAY, tick=False):
        yield
    cache.clear()
    drawn.clear()


def _url(name: str, child, *args, fmt: str = "png") -> str:
    return reverse(f"tracker:{name}", args=[child.public_id, *args, fmt])


def _milestones(child, fmt="png"):
    return _url("chart_milestones", child, "gross-motor", fmt=fmt)


def test_anonymous_is_sent_to_login(client, child):
    response = client.get(_milestones(child))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_outsider_gets_404(login, outsider, child):
    assert login(outsider).get(_milestones(child)).status_code == 404


def test_viewer_gets_the_png_at_the_charts_size(login, viewer, child):
    response = login(viewer).get(_milestones(child))
    assert response["Content-Type"] == "image/png"
    chart = chart_data.milestone_chart(child, Domain.objects.get(slug="gross-motor"), on=timezone.localdate())
    assert png_size(response.content) == (400, chart.height_px)


def test_svg_is_served_as_svg_with_text_and_no_script(login, guardian, child):
    observation(child, guardian, skill="gm-sits-without-support", status="achieved", on=date(2025, 9, 1))
    response = login(guardian).get(_url("chart_progress", child, "gross-motor", fmt="svg"))
    assert response["Content-Type"] == "image/svg+xml"
    assert "age (months)" in svg_texts(response.content)
    assert not svg_has_script(response.content)


def test_svg_gets_a_policy_that_allows_its_styles_and_nothing_else(login, guardian, child):
    policy = login(guardian).get(_milestones(child, fmt="svg"))["Content-Security-Policy"]
    assert policy.startswith("default-src 'none'; style-src 'unsafe-inline'")
    assert "script" not in policy


def test_every_chart_kind_renders(login, pt, child):
    observation(child, pt, skill="gm-walks-alone", status="emerging", on=date(2026, 2, 1))
    client = login(pt)
    for url in (
        _url("chart_milestones", child, "fine-motor"),
        _url("chart_progress", child, "sensory"),
        _url("chart_skill", child, "gm-walks-alone"),
        _url("chart_goals", child),
    ):
        assert png_size(client.get(url).content)[0] == 400, url


def test_unknown_format_is_404(login, guardian, child):
    assert login(guardian).get(_milestones(child, fmt="gif")).status_code == 404


def test_unknown_domain_is_404(login, guardian, child):
    assert login(guardian).get(_url("chart_milestones", child, "juggling")).status_code == 404


def test_another_childs_custom_skill_is_404(login, guardian, child):
    other = ChildFactory()
    domain = Domain.objects.get(slug="gross-motor")
    skill = Skill.objects.create(domain=domain, slug="custom-elsewhere", name="Elsewhere", child=other)
    assert login(guardian).get(_url("chart_skill", child, skill.slug)).status_code == 404


def test_an_invalid_period_is_400(login, guardian, child):
    response = login(guardian).get(_url("chart_goals", child) + "?from=2026-02-01&to=2026-01-01")
    assert response.status_code == 400


def test_a_date_that_is_not_a_date_is_400(login, guardian, child):
    assert login(guardian).get(_url("chart_goals", child) + "?to=yesterday").status_code == 400


# --- Validators and caching ----------------------------------------------------------


def test_chart_has_an_etag_and_must_revalidate_privately(login, guardian, child):
    response = login(guardian).get(_milestones(child))
    assert response["ETag"].startswith('"')
    assert response["Cache-Control"] == "private, no-cache"


def test_unchanged_chart_answers_304_without_a_body(login, guardian, child):
    client = login(guardian)
    etag = client.get(_milestones(child))["ETag"]
    response = client.get(_milestones(child), headers={"if-none-match": etag})
    assert response.status_code == 304
    assert response.content == b""
    assert (response["ETag"], response["Cache-Control"]) == (etag, "private, no-cache")


def test_304_does_not_render(login, guardian, child, monkeypatch):
    client = login(guardian)
    etag = client.get(_milestones(child))["ETag"]
    cache.clear()
    monkeypatch.setattr(chart_views.milestones, "render", _refuse)
    assert client.get(_milestones(child), headers={"if-none-match": etag}).status_code == 304


def _refuse(*args, **kwargs):
    raise AssertionError("rendered")


def test_new_observation_recorded_in_the_app_changes_the_etag(login, guardian, child):
    client = login(guardian)
    before = client.get(_milestones(child))["ETag"]
    record = reverse("tracker:record", args=[child.public_id, "gm-walks-alone"])
    assert client.post(record, {"status": "achieved", "observed_on": "2026-02-20"}).status_code == 302
    response = client.get(_milestones(child), headers={"if-none-match": before})
    assert response.status_code == 200
    assert response["ETag"] != before


def test_the_etag_changes_the_next_day(login, guardian, child):
    before = login(guardian).get(_milestones(child))["ETag"]
    with time_machine.travel(datetime(2026, 3, 2, 11, 0, tzinfo=UTC), tick=False):
        response = login(guardian).get(_milestones(child), headers={"if-none-match": before})
    assert response.status_code == 200


def test_each_format_and_option_has_its_own_etag(login, guardian, child):
    client = login(guardian)
    etags = {client.get(url)["ETag"] for url in (_milestones(child), _milestones(child, "svg"))}
    etags.add(client.get(_milestones(child) + "?all=1")["ETag"])
    assert len(etags) == 3


def test_cached_bytes_are_reused_without_rendering_again(login, guardian, viewer, child, monkeypatch):
    calls = []
    real = chart_views.milestones.render

    def counting(chart, fmt):
        calls.append(fmt)
        return real(chart, fmt)

    monkeypatch.setattr(chart_views.milestones, "render", counting)
    first = login(guardian).get(_milestones(child)).content
    second = login(viewer).get(_milestones(child)).content  # another person, no If-None-Match
    assert first == second
    assert calls == ["png"]


def test_chart_images_write_no_audit_event(login, guardian, child):
    client = login(guardian)
    before = AuditEvent.objects.count()
    client.get(_milestones(child))
    client.get(_url("chart_goals", child))
    assert AuditEvent.objects.count() == before


def test_child_without_observations_gets_a_chart_that_says_so(login, guardian, child):
    texts = svg_texts(login(guardian).get(_url("chart_progress", child, "gross-motor", fmt="svg")).content)
    assert "No observations recorded yet." in texts


def test_a_drawn_chart_leaves_no_figure_in_the_worker(client, child, pt):
    """A Figure is a web of reference cycles holding its pixel buffer: the view collects it once drawn.

    With the collector switched off, only the view's own collection can free it, so a figure still
    alive after the response would stay in a gunicorn worker until some later full collection.
    """
    from matplotlib.figure import Figure

    client.force_login(pt, backend="django.contrib.auth.backends.ModelBackend")
    gc.collect()
    gc.disable()
    try:
        response = client.get(_milestones(child))
        alive = [thing for thing in gc.get_objects() if type(thing) is Figure]  # not isinstance: lazy objects
    finally:
        gc.enable()
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert alive == []
