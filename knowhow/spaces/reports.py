"""A pilot's report: its activity next to the rest of the organisation over the same period.

The figures come from the analytics app's rollups (reach, engagement, time to answer), which
that app registers here with `register_activity_comparison`, since spaces sits below it. Only
the head counts (members, everyone else) are read here.
"""

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

from django.utils import timezone

from knowhow.spaces.models import Space, SpaceMembership

# (space_id, first day, last day) -> {"rows": [...], "rolled_up_through": date | None}
ActivityComparison = Callable[..., dict[str, Any]]
_comparisons: list[ActivityComparison] = []


def register_activity_comparison(source: ActivityComparison) -> None:
    if source not in _comparisons:
        _comparisons.append(source)


def pilot_report(*, space: Space, days: int = 30, now: datetime | None = None) -> dict[str, Any]:
    from knowhow.accounts.models import User

    end: date = timezone.localdate(now) if now else timezone.localdate()
    start = end - timedelta(days=days - 1)
    members = SpaceMembership.objects.filter(space=space, user__is_active=True).count()
    everyone = User.objects.filter(is_active=True, is_claimed=True).count()
    report: dict[str, Any] = {
        "since": start,
        "until": end,
        "days": days,
        "people": {"pilot": members, "rest": max(everyone - members, 0)},
        "rows": [],
        "rolled_up_through": None,
        "available": bool(_comparisons),
    }
    if _comparisons:
        report.update(_comparisons[0](space_id=space.pk, start=start, end=end))
    return report
