"""Background tasks: load what they need and call the analytics code."""

from django_tasks import task

from knowhow.analytics import rollups, xapi
from knowhow.analytics.services import analytics_settings


@task()
def rollup_recent() -> int:
    return rollups.rollup_recent(days=analytics_settings()["ROLLUP_DAYS"])


@task()
def xapi_flush() -> dict[str, int]:
    return xapi.flush()
