"""`make screenshots`: every main page, as a parent sees it on a phone and a therapist on a desktop.

Loads the catalogue and the demo family into a database of its own
(`.screenshots/demo.sqlite3`, rebuilt each time: the demo is seeded relative
to today), serves it with `manage.py runserver` on 127.0.0.1, drives Debian's
Chromium (`CHROMIUM_PATH`, default /usr/bin/chromium) through Playwright, and
stops the server when done. The parent (Sam) at 360×740, the physiotherapist
(Peter) at 1280×800; each page captured from the top down to at most two
screens, reduced to a 256-colour palette, under docs/screenshots/.
"""

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
WORK = ROOT / ".screenshots"
HOST = "127.0.0.1"
CHROMIUM_PATH = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
PHONE = {"viewport": {"width": 360, "height": 740}, "device_scale_factor": 1, "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1280, "height": 800}, "device_scale_factor": 1}
# Every image loaded now (lazy ones too), waiting for each; a function, as the pages' CSP forbids eval.
LOAD_IMAGES = """async () => {
  const images = [...document.images];
  images.forEach((img) => { img.loading = 'eager'; });
  await Promise.all(images.map((img) => img.complete ? null : new Promise((done) => {
    img.addEventListener('load', done); img.addEventListener('error', done);
  })));
}"""
SCREENS = 2  # a capture is at most this many viewport heights: the top of a page is what is read first


def environment() -> dict:
    """The demo's settings: development mode (as `make run`), its own SQLite file, nothing else inherited."""
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_", "REDIS_"))}
    return {
        **keep,
        "DJANGO_DEBUG": "1",
        "DATABASE_URL": f"sqlite:///{WORK / 'demo.sqlite3'}",
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }


def manage(env: dict, *args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True)  # noqa: S603


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def serve(env: dict, port: int) -> subprocess.Popen:
    """runserver on 127.0.0.1:`port`, once it answers."""
    server = subprocess.Popen(  # noqa: S603
        [sys.executable, "manage.py", "runserver", f"{HOST}:{port}", "--noreload"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://{HOST}:{port}/accounts/login/", timeout=2):  # noqa: S310
                return server
        except OSError:
            time.sleep(0.3)
    server.terminate()
    sys.exit(f"runserver did not answer on {HOST}:{port}")


def pages(env: dict) -> dict[str, list[tuple[str, str]]]:
    """(file name, path) of the pages each person is shown on, from the demo's records."""
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.urls import reverse

    from tracker.models import Child, Goal, Note

    maya = Child.objects.get(given_name="Maya")
    child = maya.public_id
    goal = Goal.objects.filter(child=maya).order_by("pk").first()
    note = Note.objects.filter(child=maya, visibility="family").order_by("pk").first()

    def url(name: str, *args) -> str:
        return reverse(f"tracker:{name}", args=args)

    common = [
        ("overview", url("child_detail", child)),
        ("checklist", url("checklist", child, "gross-motor")),
        ("skill", url("skill_history", child, "gm-walks-alone")),
        # The gross motor charts of the overview, as they sit on the page (below the first two screens).
        ("charts", url("child_detail", child) + "#charts-gross-motor"),
        ("notes", url("note_list", child)),
        ("note", url("note_detail", child, note.pk)),
        ("timeline", url("timeline", child)),
        ("goals", url("goal_list", child)),
        ("goal", url("goal_detail", child, goal.pk)),
        ("this-week", url("programme", child)),
        ("progress-review", url("progress_review", child)),
        ("whats-new", url("changes")),
    ]
    return {
        "parent": [("children", url("child_list")), *common, ("family-update", url("note_create", child))],
        "therapist": [("caseload", url("caseload")), *common, ("note-form", url("note_create", child))],
    }


def shoot(page, path: str, target: Path) -> None:
    """The page from the top, down to SCREENS viewport heights, as a palette PNG."""
    from PIL import Image

    page.goto(path, wait_until="load", timeout=60_000)
    # Charts load lazily, on scrolling: load them all now, or a capture shows empty boxes.
    page.evaluate(LOAD_IMAGES)
    if "#" in path:  # one section of the page: that element
        page.locator(f"section[aria-labelledby={path.split('#')[1]}]").screenshot(path=str(target))
    else:
        viewport = page.viewport_size
        height = min(page.evaluate("document.documentElement.scrollHeight"), SCREENS * viewport["height"])
        page.screenshot(
            path=str(target), full_page=True, clip={"x": 0, "y": 0, "width": viewport["width"], "height": height}
        )
    with Image.open(target) as shot:
        small = shot.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT)
    small.save(target, optimize=True)


def main() -> None:
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM_PATH).is_file():
        sys.exit(f"No Chromium at {CHROMIUM_PATH}: install Debian's chromium or set CHROMIUM_PATH.")
    shutil.rmtree(WORK, ignore_errors=True)
    WORK.mkdir()
    (WORK / ".gitignore").write_text("*\n")
    OUT.mkdir(parents=True, exist_ok=True)
    env = environment()
    for args in (("migrate", "--verbosity", "0"), ("createcachetable",), ("load_catalogue", "--verbosity", "0")):
        manage(env, *args)
    manage(env, "load_demo")
    port = free_port()
    server = serve(env, port)
    try:
        wanted = pages(env)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM_PATH, headless=True, args=CHROMIUM_ARGS)
            for who, email, device in (
                ("parent", "parent@example.org", PHONE),
                ("therapist", "pt@example.org", DESKTOP),
            ):
                context = browser.new_context(base_url=f"http://{HOST}:{port}", **device)
                page = context.new_page()
                page.goto("/accounts/login/")
                page.get_by_label("Email").fill(email)
                page.get_by_label("Password").fill("demo-password-2026")
                page.get_by_role("button", name="Log in").click()
                page.wait_for_url(lambda address: "/accounts/login/" not in address)
                width = device["viewport"]["width"]
                for name, path in wanted[who]:
                    target = OUT / f"{who}-{width}-{name}.png"
                    shoot(page, path, target)
                    print(f"{target.relative_to(ROOT)}  {target.stat().st_size / 1000:.0f} kB")
                context.close()
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
