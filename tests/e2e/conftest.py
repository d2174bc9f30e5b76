"""Browser tests: Playwright for Python driving Debian's Chromium (never `playwright install`).

Fixtures: ``browser`` (one Chromium per session), ``page`` (a fresh context on the live server
with the Lamphun demo loaded), ``signed_in(username)`` (signs a demo account in on that page),
``shot(name)`` (a full-page PNG under var/screenshots/). Every page records what went wrong
while it was open: ``page.static_failures`` (a /static/ URL that did not answer 200/304) and
``page.console_errors`` (console errors other than failed loads, CSP refusals among them).
"""

import os
from pathlib import Path

import pytest
from django.core.management import call_command

SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
DEMO_PASSWORD = "demo1234"  # institutions.demo.DEMO_PASSWORD


@pytest.fixture(scope="session", autouse=True)
def _allow_orm_beside_playwright():
    # Playwright's sync API runs an event loop in this thread; the ORM calls made by the test
    # body are still synchronous and safe. Only browser tests get this.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yield
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="session")
def browser():
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(
            f"no Chromium at {CHROMIUM} (apt-get install chromium; never playwright install)"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def demo(transactional_db):
    call_command("seed_demo", "--quiet-accounts")


@pytest.fixture
def page(browser, live_server, demo):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="th-TH")
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.base_url = live_server.url
    page.static_failures = []
    page.console_errors = []

    def _on_response(response):
        if "/static/" in response.url and response.status not in (200, 304):
            page.static_failures.append(f"{response.status} {response.url}")

    def _on_request_failed(request):
        # ERR_ABORTED: the browser dropped the load because the page navigated away (the
        # favicon, mostly); a missing file still shows up as a 404 response above.
        if "/static/" in request.url and "ERR_ABORTED" not in (request.failure or ""):
            page.static_failures.append(f"failed {request.url}: {request.failure}")

    def _on_console(message):
        # A failed load is reported by URL above; the console's copy names no URL.
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            page.console_errors.append(message.text)

    page.on("response", _on_response)
    page.on("requestfailed", _on_request_failed)
    page.on("console", _on_console)
    yield page
    context.close()


def sign_in(page, username, password=DEMO_PASSWORD):
    page.goto(page.base_url + "/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("[data-testid=sign-in]")
    page.wait_for_selector("[data-testid=user-menu]")
    return page


@pytest.fixture
def signed_in(page):
    """``signed_in("centre")`` signs a demo account in and returns the page."""

    def _signed_in(username, password=DEMO_PASSWORD):
        return sign_in(page, username, password)

    return _signed_in


@pytest.fixture
def shot(request):
    """``shot("name")`` (the test's ``page``) or ``shot(other_page, "name")``."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def _shot(*args):
        *target, name = args
        target = target[0] if target else request.getfixturevalue("page")
        path = SCREENSHOTS / f"{request.node.name}-{name}.png"
        target.screenshot(path=str(path), full_page=True)
        return path

    return _shot
