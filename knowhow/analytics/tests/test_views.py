"""The dashboards, their JSON and CSV data, and who may see them."""

import csv
import io
from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission

from knowhow.analytics import rollups
from knowhow.analytics.models import Event, EventKind
from knowhow.core.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def rolled(activity_world):
    now = activity_world["now"]
    rollups.rollup_range((now - timedelta(days=60)).date(), now.date())
    rollups.refresh_question_outcomes()
    return activity_world


@pytest.fixture
def ld_user(db):
    """Someone from the learning team: may see dashboards, is not an administrator."""
    u = UserFactory()
    u.user_permissions.add(Permission.objects.get(codename="view_dashboard"))
    return u


def test_staff_see_the_dashboard_with_charts_drawn(client, staff, rolled):
    client.force_login(staff)
    response = client.get(
        "/analytics/?start=" + (rolled["now"] - timedelta(days=59)).date().isoformat()
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('<svg class="chart"') >= 8
    assert "<polyline" in html and 'class="bar"' in html
    assert "Top contributors" in html and "security" in html


def test_the_learning_team_sees_dashboards_but_not_person_level_data(client, ld_user, rolled):
    client.force_login(ld_user)
    response = client.get("/analytics/")
    assert response.status_code == 200
    assert "visible only to administrators" in response.content.decode()
    assert client.get("/analytics/data/contributors.json").status_code == 403
    assert client.get("/analytics/data/activity.json").status_code == 200


def test_members_and_visitors_are_refused(client, user):
    assert client.get("/analytics/").status_code == 302
    client.force_login(user)
    response = client.get("/analytics/")
    assert response.status_code == 403
    assert "learning team" in response.content.decode()
    assert client.get("/analytics/data/activity.json").status_code == 403


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ("start=yesterday", 400),
        ("start=2026-05-01&end=2026-04-01", 400),
        ("start=2000-01-01&end=2026-01-01", 400),
        ("space=no-such-space", 404),
    ],
)
def test_bad_filters_get_a_clear_error(client, staff, query, status):
    client.force_login(staff)
    response = client.get("/analytics/?" + query)
    assert response.status_code == status
    assert "error-message" in response.content.decode()


def test_a_private_space_cannot_be_chosen_by_a_non_member(client, ld_user, private_space):
    client.force_login(ld_user)
    assert client.get(f"/analytics/?space={private_space.slug}").status_code == 404


def test_every_chart_is_available_as_json_and_csv(client, staff, rolled):
    client.force_login(staff)
    from knowhow.analytics.datasets import DATASETS

    for name in DATASETS:
        data = client.get(f"/analytics/data/{name}.json").json()
        assert data["name"] == name and isinstance(data["rows"], list)
        response = client.get(f"/analytics/data/{name}.csv")
        assert response["Content-Type"].startswith("text/csv")
        rows = list(csv.reader(io.StringIO(response.content.decode())))
        assert rows[0] == data["columns"] or (not data["rows"] and rows[0] == [])
    assert client.get("/analytics/data/activity.xml").status_code == 404
    assert client.get("/analytics/data/nothing.json").status_code == 404


def test_csv_neutralises_spreadsheet_formulas(client, staff, user):
    from django.utils import timezone

    Event.objects.create(
        kind=EventKind.SEARCH,
        actor=user,
        value=0,
        meta={"q": '=HYPERLINK("http://evil")'},
        occurred_at=timezone.now(),
    )
    rollups.rollup_day(timezone.localdate())
    client.force_login(staff)
    body = client.get("/analytics/data/zero_result_searches.csv").content.decode()
    assert "'=hyperlink" in body


def test_dashboard_query_count_does_not_grow_with_data(
    client, staff, rolled, django_assert_max_num_queries
):
    client.force_login(staff)
    with django_assert_max_num_queries(30):
        assert client.get("/analytics/?compare=").status_code == 200


def test_a_pilot_is_compared_with_the_rest(client, staff, rolled, private_space):
    client.force_login(staff)
    response = client.get(f"/analytics/?compare={private_space.slug}")
    assert response.status_code == 200
    assert "compared with the rest of the organisation" in response.content.decode()


def test_people_see_their_own_impact(client, rolled):
    person = rolled["people"][7]
    client.force_login(person)
    response = client.get("/analytics/me/")
    assert response.status_code == 200
    assert "People reached" in response.content.decode()


def test_chart_data_is_in_the_public_api(client, staff, ld_user, user, rolled):
    from knowhow.accounts.services import api_token_create

    _, raw = api_token_create(user=staff, name="reports")
    ok = client.get("/api/v1/analytics/activity", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert ok.status_code == 200 and ok.json()["columns"] == ["day", "dau", "wau", "mau"]
    assert (
        client.get("/api/v1/analytics/nothing", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code
        == 404
    )
    bad = client.get(
        "/api/v1/analytics/activity?start=2026-05-01&end=2026-01-01",
        HTTP_AUTHORIZATION=f"Bearer {raw}",
    )
    assert bad.status_code == 400 and bad["Content-Type"].startswith("application/problem+json")
    _, member_token = api_token_create(user=user, name="x")
    assert (
        client.get(
            "/api/v1/analytics/activity", HTTP_AUTHORIZATION=f"Bearer {member_token}"
        ).status_code
        == 403
    )
    _, ld_token = api_token_create(user=ld_user, name="x")
    assert (
        client.get(
            "/api/v1/analytics/contributors", HTTP_AUTHORIZATION=f"Bearer {ld_token}"
        ).status_code
        == 403
    )
    assert client.get("/api/v1/analytics/activity").status_code == 403
