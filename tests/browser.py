"""Fixtures for tests that drive Debian's Chromium through Playwright against a live server.

Without Chromium these tests are skipped with the reason shown; CI sets KINERJA_REQUIRE_BROWSER=1 so that a
missing browser fails instead.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from kinerja.database import read_only_transactions

CHROMIUM = os.environ.get("KINERJA_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_missing() -> str | None:
    if Path(CHROMIUM).exists() or shutil.which(CHROMIUM):
        return None
    return f"Chromium not found at {CHROMIUM} (install Debian's 'chromium' or set KINERJA_CHROMIUM)"


@pytest.fixture(scope="session")
def browser() -> Iterator:
    reason = chromium_missing()
    if reason:
        if os.environ.get("KINERJA_REQUIRE_BROWSER") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture()
def live_server(app, db) -> Iterator[str]:
    """The test app served over HTTP on a free local port, for the length of one test.

    The test's own reads begin deferred, as a web page's do, so they never hold SQLite's write lock
    while the server handles the browser's sign-in and saves.
    """
    server = make_server("127.0.0.1", 0, app, threaded=True)
    # Keep the request threads joinable: a request the browser still had in flight when the test ended must finish
    # before the database is emptied (on PostgreSQL, emptying it deadlocked with such a request).
    server.daemon_threads = False
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        with read_only_transactions():
            yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()  # joins the request threads still running
        thread.join(timeout=5)


@pytest.fixture()
def phone(browser) -> Iterator:
    """A page in a 360 × 740 phone viewport with touch, Indonesian locale."""
    context = browser.new_context(
        viewport={"width": 360, "height": 740}, device_scale_factor=2, is_mobile=True, has_touch=True,
        locale="id-ID", timezone_id="Asia/Jakarta",
    )
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture()
def desktop(browser) -> Iterator:
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="id-ID",
                                  timezone_id="Asia/Jakarta")
    page = context.new_page()
    yield page
    context.close()


def screenshot(page, name: str) -> Path:
    """Keep a picture of what the user saw, for people reviewing a run."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def assert_fits_width(page) -> None:
    """Nothing on the page forces sideways scrolling."""
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"page is {overflow}px wider than the viewport"


def text_fits(locator) -> bool:
    """Every choice of a select (or a control's own text) fits inside it, nothing cut off at the edge."""
    return locator.evaluate("""control => {
        const style = getComputedStyle(control);
        const ruler = document.createElement("canvas").getContext("2d");
        ruler.font = style.font;
        const texts = control.options ? [...control.options].map((option) => option.text) : [control.value];
        const widest = Math.max(...texts.map((text) => ruler.measureText(text).width));
        return widest <= control.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    }""")


def text_lines(locator) -> int:
    """On how many lines an element's text is laid out."""
    return locator.evaluate("""element => {
        const range = document.createRange();
        range.selectNodeContents(element);
        return new Set([...range.getClientRects()].map((rect) => Math.round(rect.top))).size;
    }""")


SERIOUS = ("serious", "critical")
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def axe_script() -> Path:
    """axe-core, as axe-playwright-python ships it. A context that checks many pages loads it into each with
    `context.add_init_script(path=axe_script())`: a third cheaper than adding it to each page after the load."""
    import axe_playwright_python

    return Path(axe_playwright_python.__file__).with_name("axe.min.js")


def axe_violations(page) -> list[str]:
    """The serious and critical WCAG 2.1 AA violations axe-core finds on the page as it stands, one line each
    (rule, impact, the first elements and what axe says to fix). The page's context needs `bypass_csp=True`, as
    the app's content security policy forbids the injected script."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(axe_script()))
    result = page.evaluate("options => axe.run(document, options)",
                           {"runOnly": {"type": "tag", "values": WCAG_AA}, "resultTypes": ["violations"]})
    found = []
    for violation in result["violations"]:
        if violation["impact"] in SERIOUS:
            nodes = violation["nodes"]
            targets = ", ".join(" ".join(node["target"]) for node in nodes[:3])
            summary = nodes[0].get("failureSummary", "").replace("\n", " ") if nodes else ""
            found.append(f"{violation['id']} ({violation['impact']}, {len(nodes)}×): {targets} — {summary[:200]}")
    return found
