"""The real app in headless Chromium: every page opens without an error, the map draws with the
network closed, and hostile post text stays inert text. One server for the whole module.

Screenshots go to test-output/screenshots/ (git-ignored) for a person to look at.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlparse

import pytest

from tests.dashboard.seed import INJECTIONS

pytestmark = pytest.mark.browser
playwright = pytest.importorskip("playwright.sync_api")

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]
ARGS += ["--disable-sync", "--no-first-run"]
SHOTS = Path(__file__).resolve().parents[2] / "test-output" / "screenshots"
LOCAL = {"127.0.0.1", "localhost"}
PAGES = {
    "": "Overview",
    "map": "Map",
    "trends": "Trends",
    "posts": "Posts",
    "incidents": "Incidents",
    "sources": "Sources",
    "model": "Model",
    "labeling": "Labeling",
    "export": "Export",
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_healthy(base: str, proc: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the dashboard exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise TimeoutError(f"the dashboard did not answer at {base} within {timeout} s")


@contextmanager
def serve(url: str, log: Path) -> Iterator[str]:
    """`outagewatch dashboard` on ``url``, as a user starts it; yields its base URL."""
    if not Path(CHROMIUM).exists():
        message = f"{CHROMIUM} missing: apt-get install chromium"
        pytest.fail(message) if os.environ.get("CI") else pytest.skip(message)
    port = free_port()
    command = [str(Path(sys.executable).with_name("outagewatch")), "--db-url", url, "dashboard", "--port", str(port)]
    with log.open("w") as out:
        proc = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(base, proc)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture(scope="module")
def server(seeded_db, tmp_path_factory) -> Iterator[str]:
    """One server on the seeded store for the whole module."""
    with serve(seeded_db[0], tmp_path_factory.mktemp("server") / "streamlit.log") as base:
        yield base


@pytest.fixture(scope="module")
def browser() -> Iterator:
    with playwright.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser) -> Iterator:
    """A page whose every request off this machine is blocked and recorded."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    blocked: list[str] = []

    def guard(route) -> None:
        if urlparse(route.request.url).hostname in LOCAL:
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    context.route("**/*", guard)
    tab = context.new_page()
    tab.blocked = blocked
    yield tab
    context.close()


def open_page(page, base: str, path: str) -> None:
    """Load a page and wait until Streamlit has finished running its script."""
    page.goto(f"{base}/{path}")
    page.get_by_role("heading", name=PAGES[path], level=1).wait_for(timeout=30_000)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=stSkeleton], [data-testid=stStatusWidgetRunningIcon]')",
        timeout=30_000,
    )
    page.wait_for_timeout(500)


def no_exception(page) -> None:
    assert page.locator('[data-testid="stException"]').count() == 0


@pytest.mark.parametrize("path", list(PAGES))
def test_every_page_opens_cleanly_offline(page, server, path):
    open_page(page, server, path)
    if path in {"", "map", "trends", "incidents"}:
        page.locator(".vega-embed").first.wait_for(timeout=30_000)
    no_exception(page)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{path or 'overview'}.png"), full_page=True)
    assert page.blocked == []


def test_a_deep_link_as_first_request_keeps_the_app_navigation(seeded_db, browser, tmp_path):
    """The first visitor after a restart opens /map: the app's navigation must still be in charge."""
    with serve(seeded_db[0], tmp_path / "streamlit.log") as base:
        context = browser.new_context()
        tab = context.new_page()
        open_page(tab, base, "map")
        links = tab.locator('[data-testid="stSidebarNavLink"]').all_inner_texts()
        nav = [text.split("\n")[-1] for text in links]  # the icon's ligature name comes first
        context.close()
    assert nav == list(PAGES.values())


def test_overview_shows_status_and_chart(page, server):
    open_page(page, server, "")
    assert page.get_by_text("Likely outage").count() >= 1
    assert page.get_by_text("No problem detected").count() >= 1
    page.locator(".vega-embed svg").first.wait_for()
    chart = drawn(page)
    assert chart["lines"] == 1  # reports
    assert chart["areas"] == 1  # the normal band, from the expected level up to the upper bound


def drawn(page) -> dict[str, int]:
    """What vega drew in the first chart's SVG: grey base states, coloured states, lines, areas (non-empty paths)."""
    return page.evaluate(
        """() => {
        const svg = document.querySelector('.vega-embed svg');
        const shapes = (css) => Array.from(svg ? svg.querySelectorAll(css) : [])
            .filter(p => (p.getAttribute('d') || '').length > 10);
        return {
            base: shapes('g.mark-shape path[fill="#e5e5e5"]').length,
            colored: shapes('g.mark-shape path[fill^="rgb("]').length,
            lines: shapes('g.mark-line path').length,
            areas: shapes('g.mark-area path').length,
        };
    }"""
    )


def test_map_draws_states_with_the_network_closed(page, server):
    open_page(page, server, "map")
    page.locator(".vega-embed svg").first.wait_for(timeout=30_000)
    shapes = drawn(page)
    assert shapes["base"] >= 51, shapes  # every state and DC, in grey
    assert shapes["colored"] == 3, shapes  # CA, CO and OR have reports
    no_exception(page)
    assert page.blocked == []


def test_clicking_a_state_filters_to_it(page, server):
    open_page(page, server, "map")
    page.locator(".vega-embed svg").first.wait_for(timeout=30_000)
    box = page.evaluate(
        """() => {
        const shapes = Array.from(document.querySelectorAll('.vega-embed svg g.mark-shape path[fill^="rgb("]'));
        const area = (r) => r.width * r.height;
        const rects = shapes.map(p => p.getBoundingClientRect()).sort((a, b) => area(b) - area(a));
        const r = rects[0];
        return {x: r.x + r.width / 2, y: r.y + r.height / 2};
    }"""
    )  # the largest shaded state is California
    page.mouse.click(box["x"], box["y"])
    page.get_by_text("CA: Northern California, Southern California").wait_for(timeout=30_000)
    no_exception(page)
    page.screenshot(path=str(SHOTS / "map-state-clicked.png"), full_page=True)


@pytest.mark.parametrize(("query", "text"), [("script>window", 0), ("onerror", 1), ("evil.example", 2)])
def test_hostile_post_text_is_inert(page, server, query, text):
    open_page(page, server, "posts")
    search = page.get_by_label("Search the text")
    search.fill(query)
    search.press("Enter")
    shown = page.locator('[data-testid="stText"]')
    shown.first.wait_for(timeout=30_000)
    page.wait_for_timeout(500)
    assert INJECTIONS[text] in shown.all_inner_texts()
    assert any("[channel](http://evil.example/c)" in t for t in shown.all_inner_texts())
    assert page.evaluate("window.__pwned") is None
    links = page.locator('a[href*="evil.example"]')
    assert links.count() == 0, links.evaluate_all("els => els.map(e => e.parentElement.outerHTML)")
    assert page.locator('img[src="x"]').count() == 0
    assert page.locator("script", has_text="__pwned").count() == 0
    no_exception(page)
    page.screenshot(path=str(SHOTS / f"posts-injection-{text}.png"), full_page=True)
