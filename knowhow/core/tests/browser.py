"""Browser fixtures for end-to-end tests in real Chromium, shared by every app.

Loaded for the whole suite from the root conftest (`pytest_plugins`), so any app's
`@pytest.mark.e2e` test can ask for `browser`, `page`, `new_page`, `login_as` and `axe`.

Chromium is Debian's (`/usr/bin/chromium`, or `CHROMIUM_PATH`), driven by Playwright's sync API.
The sync API runs an event loop in the test thread, so Django's "no ORM calls inside an event
loop" guard is switched off for the test process; the ORM is only ever used synchronously here.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP = {"width": 1280, "height": 900}
MOBILE = {"width": 390, "height": 844}
# Playwright's default wait (30 s) hides hangs for too long; pages here answer in milliseconds.
TIMEOUT_MS = 10_000


def chromium_path() -> str | None:
    candidate = os.environ.get("CHROMIUM_PATH") or "/usr/bin/chromium"
    if Path(candidate).exists():
        return candidate
    return shutil.which("chromium")


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """One headless Chromium for the whole session (starting it costs about a second)."""
    executable = chromium_path()
    if executable is None:
        pytest.skip("Chromium is not installed (apt-get install chromium, or set CHROMIUM_PATH)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def new_page(browser, live_server) -> Iterator[Callable[..., object]]:
    """Open a page in a fresh browser context (its own cookies and storage) on the live server.

    `new_page(color_scheme="dark", viewport=MOBILE)`; every context is closed after the test.
    """
    contexts = []
    external_requests: list[str] = []

    def record_if_external(request) -> None:
        if not request.url.startswith((live_server.url, "data:", "blob:", "about:")):
            external_requests.append(request.url)

    def make(*, viewport: dict[str, int] | None = None, color_scheme: str = "light", **kwargs):
        context = browser.new_context(
            base_url=live_server.url,
            viewport=viewport or DESKTOP,
            color_scheme=color_scheme,
            **kwargs,
        )
        context.set_default_timeout(TIMEOUT_MS)
        # Nothing may come from the internet: a request off the live server fails the test.
        context.on("request", record_if_external)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()
    assert not external_requests, f"pages tried to load from outside: {external_requests}"


@pytest.fixture
def page(new_page):
    """A desktop page in the light theme, not logged in."""
    return new_page()


@pytest.fixture
def login_as(live_server) -> Callable[..., None]:
    """Log `user` in to `page`'s browser context without the form (a real session cookie)."""
    from django.conf import settings
    from django.test import Client

    def login(page, user) -> None:
        client = Client()
        client.force_login(user)
        cookie = client.cookies[settings.SESSION_COOKIE_NAME]
        page.context.add_cookies(
            [{"name": cookie.key, "value": cookie.value, "url": live_server.url}]
        )

    return login


AXE_BLOCKING_IMPACTS = ("serious", "critical")


def _axe_script() -> str:
    from axe_playwright_python.base import AXE_FILE_PATH  # the bundled axe-core (axe.min.js)

    return AXE_FILE_PATH.read_text(encoding="utf-8")


# The rules whose outcome depends on colours. Everything else axe checks (names, labels,
# landmarks, ARIA) is the same markup in both themes, so a second theme needs only these.
AXE_COLOUR_RULES = ("color-contrast", "link-in-text-block")


@pytest.fixture(scope="session")
def axe() -> Callable[..., list[dict]]:
    """Run axe-core on the page as it is now; return the serious and critical violations,
    each as {id, impact, help, nodes: [target + failure summary]} for a readable assertion.

    `axe(page)` runs every rule; `axe(page, rules=AXE_COLOUR_RULES)` only those."""
    script = _axe_script()

    def run(page, rules: tuple[str, ...] | None = None) -> list[dict]:
        if not page.evaluate("typeof window.axe !== 'undefined'"):
            # Evaluated through the DevTools protocol rather than as a <script> tag, so that the
            # site's Content-Security-Policy (no inline scripts) stays on while axe runs.
            page.evaluate(script)
        options = {"resultTypes": ["violations"]}
        if rules:
            options["runOnly"] = list(rules)
        results = page.evaluate(
            "(options) => axe.run(document, options).then(r => r.violations.map(v => ({"
            "id: v.id, impact: v.impact, help: v.help,"
            " nodes: v.nodes.map(n => n.target.join(' ') + ' :: ' + (n.failureSummary || ''))})))",
            options,
        )
        return [v for v in results if v["impact"] in AXE_BLOCKING_IMPACTS]

    return run
