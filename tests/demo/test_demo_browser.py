"""The dashboard on the demo database, in headless Chromium: the modeled outage is there (synthetic data)."""

import pytest

from tests.dashboard.test_browser import no_exception, serve

pytestmark = [pytest.mark.slow, pytest.mark.browser]


@pytest.fixture(scope="module")
def demo_server(demo, tmp_path_factory):
    result, _ = demo
    with serve(result.db_url, tmp_path_factory.mktemp("demo-server") / "streamlit.log") as base:
        yield base


def open_at(page, base: str, path: str, heading: str) -> None:
    """Load a page (path may carry a query) and wait until Streamlit has finished running it."""
    page.goto(f"{base}/{path}")
    page.get_by_role("heading", name=heading, level=1).wait_for(timeout=30_000)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=stSkeleton], [data-testid=stStatusWidgetRunningIcon]')",
        timeout=30_000,
    )
    page.wait_for_timeout(500)


def _incident_id(demo, org: str) -> int:
    result, _ = demo
    return next(int(i["id"]) for i in result.incidents if i["org"] == org)


def test_incidents_page_shows_the_kaiser_outage_with_services_regions_and_lead(demo, page, demo_server):
    open_at(page, demo_server, f"incidents?id={_incident_id(demo, 'kaiser')}", "Incidents")
    no_exception(page)
    assert page.get_by_text("kaiser", exact=False).count() >= 1
    details = page.locator('[data-testid="stText"]').all_inner_texts()
    text = "\n".join(details)
    for service in ("pharmacy", "lab", "radiology", "e_visits", "billing", "messaging", "records", "phone"):
        assert service in text, text
    for region in ("Northern California", "Northwest", "Southern California", "Mid-Atlantic States"):
        assert region in text, text
    assert page.get_by_text("lead grade C").count() >= 1
    assert page.get_by_text("alerts delivered").count() >= 1
    assert page.blocked == []


def test_incidents_page_shows_the_walgreens_incident(demo, page, demo_server):
    open_at(page, demo_server, f"incidents?id={_incident_id(demo, 'walgreens')}", "Incidents")
    no_exception(page)
    assert page.get_by_text("Incident #", exact=False).first.inner_text().endswith("walgreens")
    text = "\n".join(page.locator('[data-testid="stText"]').all_inner_texts())
    assert "pharmacy" in text
    assert "login_app" in text


def test_posts_page_marks_demo_posts_synthetic(page, demo_server):
    open_at(page, demo_server, "posts", "Posts")
    no_exception(page)
    assert page.get_by_text("synthetic", exact=False).count() >= 1
