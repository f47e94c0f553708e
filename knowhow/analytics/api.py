"""The dashboards' data in the public API: every chart as JSON, with the same filters."""

from datetime import date
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from knowhow.analytics.datasets import dataset_for, filters_for
from knowhow.analytics.permissions import check_view_dashboard

router = Router(tags=["analytics"])


class DatasetOut(Schema):
    name: str
    title: str
    columns: list[str]
    rows: list[list[Any]]


@router.get("/{name}", response=DatasetOut, summary="One dashboard chart's data")
def dataset(
    request: HttpRequest,
    name: str,
    start: date | None = None,
    end: date | None = None,
    space: str | None = None,
    department: str | None = None,
) -> dict[str, Any]:
    """Names: activity, participation, questions, summary, answer_times_by_tag,
    unanswered_by_tag, zero_result_searches, knowledge_gaps, gap_questions, videos, paths,
    reactions, and (administrators only) contributors and rising_stars."""
    user = getattr(request, "auth", None) or request.user
    check_view_dashboard(user)
    filters = filters_for(viewer=user, start=start, end=end, space=space, department=department)
    data = dataset_for(viewer=user, name=name, filters=filters)
    rows = [[v.isoformat() if isinstance(v, date) else v for v in row] for row in data.rows]
    return {"name": data.name, "title": data.title, "columns": data.columns, "rows": rows}
