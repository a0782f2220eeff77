"""A parent makes the family report in Chromium and downloads the PDF; then shares it by link.

Every page visited is checked with axe, and any browser console error (a CSP violation included) fails.
"""

import io
import re
from collections.abc import Callable

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from tracker.models import Role

from ..factories import ChildFactory, MembershipFactory, UserFactory
from .test_team_notes import log_in

pytestmark = pytest.mark.browser

AxeCheck = Callable[[Page], None]


@pytest.fixture
def parent():
    # Load the URLconf (and with it matplotlib and WeasyPrint) before the first page, as a running server
    # has: on a busy machine the import alone outlasts the browser's 10-second wait for the first page.
    reverse("tracker:child_list")
    child = ChildFactory(given_name="Maya", family_name="Example")
    user = UserFactory(name="Gina Guardian", email="gina@example.org", profession="parent")
    MembershipFactory(child=child, user=user, role=Role.GUARDIAN)
    return user


def test_a_parent_makes_and_downloads_the_family_report(page: Page, axe_check: AxeCheck, parent):
    log_in(page, axe_check, parent.email)
    page.get_by_role("link", name="My children").click()
    page.get_by_role("main").get_by_role("link", name="Maya").click()
    page.get_by_role("link", name="Reports", exact=True).click()
    expect(page.get_by_role("heading", name="Maya Example: reports")).to_be_visible()
    axe_check(page)
    page.get_by_role("link", name="Make a report").click()
    axe_check(page)
    page.get_by_role("button", name="Make the PDF").click()
    expect(page.get_by_text(re.compile("The report for .* is ready"))).to_be_visible(timeout=60_000)
    axe_check(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the PDF").click()
    pdf = download.value.path().read_bytes()
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert "Progress report for the doctor or family" in text and "Maya Example" in text
    assert "Maya" not in download.value.suggested_filename

    page.get_by_text("Share this report by link").click()
    page.get_by_role("button", name="Make a link").click()
    link = page.get_by_label("Link to the report").input_value()
    passcode = page.get_by_label("Passcode (shown only once)").input_value()
    axe_check(page)
    assert "/shared/" in link and len(passcode) == 10
