"""The status page in a real browser: Debian's chromium driven by Playwright.

Log in, walk dashboard → campaign → messages → quarantine and retry an entry; axe-core checks
every page for accessibility problems, and the console must show no CSP violation or error.
Never downloads a browser: without /usr/bin/chromium the tests skip (fail under CI=true).
"""

# The fixtures come from test_web_support by import; pytest passes them in by name.

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.rig.fixtures import unavailable
from tests.test_web_support import PASSWORD, Seeded, build_app, seed
from web_status import create_server

pytestmark = pytest.mark.browser
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-gpu",
]


class Site:
    def __init__(self, base: str, data: Seeded) -> None:
        self.base = base
        self.data = data


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """The page served by waitress (as in production) in a thread, on a free loopback port."""
    folder = tmp_path_factory.mktemp("browser")
    app = build_app(folder, f"sqlite:///{folder / 'mailflow.sqlite3'}")
    data = seed(app)
    server = create_server(app, "127.0.0.1", 0)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    yield Site(f"http://127.0.0.1:{server.effective_port}", data)
    server.close()
    thread.join(timeout=5)
    app.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        unavailable(f"{CHROMIUM} is not installed (apt install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="pl-PL")
    page = context.new_page()
    problems: list[str] = []
    page.on(
        "console", lambda m: problems.append(m.text) if m.type in ("error", "warning") else None
    )
    page.on("pageerror", lambda e: problems.append(str(e)))

    # A hostile message that managed to run script would most likely open an alert.
    def on_dialog(dialog: Any) -> None:
        problems.append(f"dialog: {dialog.message}")
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.problems = problems
    yield page
    context.close()
    assert problems == [], "the browser console reported problems"


def accessibility_problems(page: Any) -> str | None:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return results.generate_report() if results.violations_count else None


def log_in(page: Any, base: str, name: str) -> None:
    page.goto(f"{base}/")
    assert "/login" in page.url
    assert accessibility_problems(page) is None
    page.fill("#username", name)
    page.fill("#password", PASSWORD)
    page.click("form.stack button[type=submit]")
    page.wait_for_url(f"{base}/")


def test_a_coordinator_walks_from_the_dashboard_to_a_quarantine_retry(
    site: Site, page: Any
) -> None:
    log_in(page, site.base, "coordinator1")
    assert page.inner_text("h1") == "Pulpit"
    assert accessibility_problems(page) is None

    page.click("text=Otwórz badanie 2027")
    page.wait_for_url(f"{site.base}/campaigns/2027")
    assert page.locator(".tl-current").inner_text().startswith("5")
    assert "11\u00a0500,00" in page.inner_text("#quotes")
    assert accessibility_problems(page) is None

    page.click("nav[aria-label='Główna'] >> text=Wiadomości")
    page.wait_for_url(f"{site.base}/messages")
    assert accessibility_problems(page) is None
    page.click(f"a[href='/messages/{site.data.hostile_message_id}']")
    assert "oferta[U+202E]fdp.exe" in page.inner_text(".files")
    assert accessibility_problems(page) is None

    page.click("nav[aria-label='Główna'] >> text=Kwarantanna")
    page.wait_for_url(f"{site.base}/quarantine")
    assert accessibility_problems(page) is None
    entry = site.data.quarantine_ids[1]
    page.click(f"#q{entry} form[action$='/retry'] button")
    page.wait_for_url(f"{site.base}/quarantine")
    flash = page.inner_text(".flashes")
    assert "została przetworzona" in flash or "wróciła do kwarantanny" in flash
    assert page.locator(f"#q{entry}").count() == 0
    assert accessibility_problems(page) is None


def test_the_other_pages_pass_axe_and_the_main_ones_also_at_phone_width(
    site: Site, page: Any
) -> None:
    log_in(page, site.base, "admin1")
    paths = [
        "/",
        "/campaigns/2026",
        f"/outbox/{site.data.outbox_id}",
        "/users",
        "/nothing-here",
    ]
    for width, checked in (
        (1280, paths),
        (390, ["/", "/campaigns/2027", "/messages", "/quarantine"]),
    ):
        page.set_viewport_size({"width": width, "height": 900})
        for path in checked:
            page.goto(site.base + path)
            report = accessibility_problems(page)
            assert report is None, f"{path} at {width}px:\n{report}"
        # Nothing may stick out sideways on a phone (tables scroll inside their own box).
        assert page.evaluate("() => document.documentElement.scrollWidth") <= width
    page.problems[:] = [p for p in page.problems if "404" not in p]  # the deliberate 404


@pytest.mark.skipif(
    os.environ.get("MAILFLOW_SCREENSHOTS") is None, reason="set MAILFLOW_SCREENSHOTS=DIR"
)
def test_it_saves_screenshots_of_the_main_pages(site: Site, page: Any) -> None:
    folder = Path(os.environ["MAILFLOW_SCREENSHOTS"])
    folder.mkdir(parents=True, exist_ok=True)
    log_in(page, site.base, "coordinator1")
    for name, path in [("dashboard", "/"), ("campaign", "/campaigns/2027")]:
        page.goto(site.base + path)
        page.screenshot(path=str(folder / f"{name}.png"), full_page=True)
