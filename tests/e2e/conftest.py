"""Browser tests: real Chromium through Playwright's sync API, against pytest-django's live server.

- Chromium is the system's (`CHROMIUM_PATH`, default /usr/bin/chromium); Playwright never downloads one.
  Without it every test here is skipped, unless `REQUIRE_BROWSER=1` (CI), which makes them fail instead.
- `new_page()` opens a page in a fresh browser context (its own cookies: one person each);
  `page` is the first one. Every page's console errors (a CSP violation, a failed script, a missing
  static file) fail the test.
- `axe_check(page)` runs axe-core on the current page and fails on any serious or critical violation.
- Each test ends only once the live server has finished every request the browser sent, so the
  per-test flush never runs beside a request still using the database.
"""

import os
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from playwright.sync_api import Browser, ConsoleMessage, Page, sync_playwright

from config.settings import env_bool
from tracker.models import Domain

# Playwright's sync API keeps an asyncio loop running in the main thread, so Django's
# async-safety check would refuse every ORM call made there (the live server's per-test
# flush, the test database's teardown). Nothing in these tests is async.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
# The address Chromium is sent to: IPv4 loopback, never a name that might resolve to ::1 first.
os.environ.setdefault("DJANGO_LIVE_TEST_SERVER_ADDRESS", "127.0.0.1")

CHROMIUM_PATH = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-dev-shm-usage",
]
BLOCKING_IMPACTS = ("serious", "critical")


@pytest.fixture(scope="session", autouse=True)
def chromium_path() -> str:
    """The Chromium to drive; skips (or, with REQUIRE_BROWSER=1, fails) every browser test without one.

    Session-scoped and autouse, so it runs before the live server and the test database are set up.
    """
    path = Path(CHROMIUM_PATH)
    if path.is_file() and os.access(path, os.X_OK):
        return str(path)
    reason = f"no Chromium at CHROMIUM_PATH={CHROMIUM_PATH}: install Debian's chromium or point CHROMIUM_PATH at one"
    if env_bool("REQUIRE_BROWSER", False):
        pytest.fail(f"REQUIRE_BROWSER=1 but {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser(chromium_path: str) -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class RequestsInFlight:
    """How many requests the live server's threads are handling, counted by Django's request signals.

    A browser closed mid-page (lazy chart images, an htmx swap) leaves its last requests running in
    the server's threads; on in-memory SQLite they share the test's connection, and a flush beside
    them fails ("couldn't be flushed"). This receiver is connected after Django's own
    `close_old_connections`, so a request counts as finished only once it is done with the database.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.count = 0

    def started(self, **kwargs) -> None:
        with self._lock:
            self.count += 1

    def finished(self, **kwargs) -> None:
        with self._lock:
            self.count -= 1

    def wait_until_idle(self, timeout: float = 15.0) -> None:
        """Return once no request has been running for two polls in a row; fail after `timeout` s."""
        deadline = time.monotonic() + timeout
        quiet_polls = 0
        while quiet_polls < 2:
            if time.monotonic() > deadline:
                pytest.fail(f"the live server still had {self.count} request(s) running after {timeout:.0f} s")
            quiet_polls = quiet_polls + 1 if self.count <= 0 else 0
            time.sleep(0.01)


@pytest.fixture(scope="session")
def requests_in_flight() -> Iterator[RequestsInFlight]:
    counter = RequestsInFlight()
    request_started.connect(counter.started, dispatch_uid="e2e.requests_in_flight.started")
    request_finished.connect(counter.finished, dispatch_uid="e2e.requests_in_flight.finished")
    yield counter
    request_started.disconnect(dispatch_uid="e2e.requests_in_flight.started")
    request_finished.disconnect(dispatch_uid="e2e.requests_in_flight.finished")


@pytest.fixture(autouse=True)
def _catalogue(live_server, transactional_db, requests_in_flight: RequestsInFlight) -> Iterator[None]:
    """The reference catalogue, as `make run` loads it; afterwards, wait for the server to go idle.

    Live-server tests run in transactional mode: the database is flushed after each one,
    taking the catalogue loaded at session start with it. This fixture's teardown runs after the
    browser contexts are closed (`new_page`) and before that flush.
    """
    if not Domain.objects.exists():
        call_command("load_catalogue", verbosity=0)
    yield
    requests_in_flight.wait_until_idle()


class ConsoleErrors:
    """Errors the browser reported on any watched page: console errors and uncaught exceptions."""

    def __init__(self) -> None:
        self.messages: list[str] = []
        self.reported = 0

    def watch(self, page: Page) -> None:
        page.on("console", lambda message: self._on_console(page, message))
        page.on("pageerror", lambda error: self.messages.append(f"{page.url}: uncaught {error}"))

    def _on_console(self, page: Page, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.messages.append(f"{page.url}: {message.text}")

    def fail_if_any(self) -> None:
        new = self.messages[self.reported :]
        self.reported = len(self.messages)
        if new:
            pytest.fail("The browser reported errors:\n" + "\n".join(f"- {m}" for m in new), pytrace=False)


@pytest.fixture
def console_errors() -> ConsoleErrors:
    return ConsoleErrors()


@pytest.fixture
def new_page(browser: Browser, live_server, console_errors: ConsoleErrors) -> Iterator[Callable[..., Page]]:
    """Open a page in a new browser context (a separate person); `new_page(viewport=...)` etc.

    Contexts are closed after the test, which then fails if any page logged an error not yet reported.
    """
    contexts = []

    def _new_page(**context_options) -> Page:
        context = browser.new_context(base_url=live_server.url, **context_options)
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        console_errors.watch(page)
        return page

    yield _new_page
    for context in contexts:
        context.close()
    console_errors.fail_if_any()


@pytest.fixture
def page(new_page: Callable[..., Page]) -> Page:
    return new_page()


def _describe(violation: dict) -> str:
    nodes = "".join(
        f"\n    at {' '.join(map(str, node['target']))}: {' '.join(node.get('failureSummary', '').split())}"
        for node in violation["nodes"]
    )
    return f"- {violation['id']} ({violation['impact']}): {violation['help']}{nodes}"


@pytest.fixture(scope="session")
def axe() -> Axe:
    return Axe()


@pytest.fixture
def axe_check(axe: Axe, console_errors: ConsoleErrors) -> Callable[[Page], None]:
    """`axe_check(page)`: fail on browser errors so far, then on serious or critical axe violations."""

    def _check(page: Page) -> None:
        page.wait_for_load_state("load")
        # Judge the page as a person sees it once it settles: htmx's settle step restores a swapped
        # row's classes a moment later, and Bootstrap's buttons fade between colours for 0.15 s,
        # so a check mid-fade measures colours that are never at rest on the screen.
        page.wait_for_function("() => document.getAnimations().every(a => a.playState !== 'running')")
        console_errors.fail_if_any()
        results = axe.run(page)
        blocking = [v for v in results.response["violations"] if v["impact"] in BLOCKING_IMPACTS]
        if blocking:
            pytest.fail(
                f"axe found {len(blocking)} serious or critical problem(s) on {page.url}:\n"
                + "\n".join(_describe(v) for v in blocking),
                pytrace=False,
            )
        console_errors.fail_if_any()

    return _check
