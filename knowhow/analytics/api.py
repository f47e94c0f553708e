"""The dashboards' data in the public API: every chart as JSON, with the same filters."""

from datetime import date
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from knowhow.analytics.datasets import DATASETS
from knowhow.analytics.permissions import can_view_people, check_view_dashboard
from knowhow.analytics.selectors import Filters
from knowhow.analytics.views import MAX_RANGE_DAYS
from knowhow.core.errors import NotFound, PermissionRefused, ValidationFailed
from knowhow.spaces.selectors import spaces_visible_to

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
    if name not in DATASETS:
        raise NotFound("No such chart.")
    from django.utils import timezone

    end = end or timezone.localdate()
    start = start or end.fromordinal(end.toordinal() - 29)
    if start > end or (end - start).days > MAX_RANGE_DAYS:
        raise ValidationFailed("Choose a start before the end, at most three years apart.")
    space_id = None
    if space:
        found = spaces_visible_to(user).filter(slug=space).first()
        if found is None:
            raise NotFound("No such space.")
        space_id = found.pk
    data = DATASETS[name](
        Filters(
            start=start, end=end, space_id=space_id, department=(department or "")[:120] or None
        )
    )
    if data.people and not can_view_people(user):
        raise PermissionRefused("Person-level data is visible only to administrators.")
    rows = [[v.isoformat() if isinstance(v, date) else v for v in row] for row in data.rows]
    return {"name": data.name, "title": data.title, "columns": data.columns, "rows": rows}
