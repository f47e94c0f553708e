"""The dashboard in a real browser: the charts are drawn."""

import os
from datetime import timedelta

import pytest

from knowhow.analytics import rollups

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

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


@pytest.fixture
def browser_page():
    if not os.path.exists("/usr/bin/chromium"):
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        page = browser.new_page()
        yield page
        browser.close()


def test_the_learning_team_sees_charts_drawn(live_server, browser_page, activity_world, staff):
    now = activity_world["now"]
    rollups.rollup_range((now - timedelta(days=29)).date(), now.date())
    rollups.refresh_question_outcomes()
    staff.set_password("correct horse battery")
    staff.save()
    page = browser_page
    page.goto(f"{live_server.url}/accounts/login/?next=/analytics/")
    page.fill("input[name=username]", staff.username)
    page.fill("input[name=password]", "correct horse battery")
    page.click("form.stacked button[type=submit]")
    page.wait_for_url("**/analytics/")
    assert page.locator("h1").inner_text() == "Learning analytics"
    charts = page.locator("svg.chart")
    assert charts.count() >= 8
    # Lines are drawn with real points, bars with real widths, in the rendered page.
    points = page.eval_on_selector("svg.chart polyline.series", "el => el.points.numberOfItems")
    assert points == 30
    widths = page.eval_on_selector_all(
        "svg.chart rect.bar", "els => els.map(e => e.getBBox().width)"
    )
    assert widths and max(widths) > 50
    box = page.locator("svg.chart").first.bounding_box()
    assert box["width"] > 200 and box["height"] > 80
