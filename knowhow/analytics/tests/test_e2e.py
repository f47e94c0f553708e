"""The dashboard in a real browser: the charts are drawn, and the page is accessible."""

from datetime import timedelta

import pytest

from knowhow.analytics import rollups

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_the_learning_team_sees_charts_drawn(
    live_server, page, login_as, axe, activity_world, staff
):
    now = activity_world["now"]
    rollups.rollup_range((now - timedelta(days=29)).date(), now.date())
    rollups.refresh_question_outcomes()
    login_as(page, staff)
    page.goto(f"{live_server.url}/analytics/")
    assert page.locator("h1").inner_text() == "Learning analytics"
    assert page.locator("svg.chart").count() >= 8
    # Lines are drawn with real points, bars with real widths, in the rendered page.
    assert page.eval_on_selector("svg.chart polyline.series", "el => el.points.numberOfItems") == 30
    widths = page.eval_on_selector_all(
        "svg.chart rect.bar", "els => els.map(e => e.getBBox().width)"
    )
    assert widths and max(widths) > 50
    box = page.locator("svg.chart").first.bounding_box()
    assert box["width"] > 200 and box["height"] > 80
    assert not axe(page)
    page.goto(f"{live_server.url}/analytics/me/")
    assert page.get_by_text("People reached").is_visible()
    assert not axe(page)
