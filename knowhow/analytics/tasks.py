"""Background tasks: load what they need and call the analytics code."""

from datetime import timedelta

from django.utils import timezone
from django_tasks import task

from knowhow.analytics import rollups, xapi
from knowhow.analytics.models import Event, XapiStatement
from knowhow.analytics.services import analytics_settings


@task()
def rollup_recent() -> int:
    return rollups.rollup_recent(days=analytics_settings()["ROLLUP_DAYS"])


@task()
def xapi_flush() -> dict[str, int]:
    return xapi.flush()


@task()
def purge_old_events() -> int:
    """Delete raw events (and delivered learning records) older than the retention period."""
    cutoff = timezone.now() - timedelta(days=analytics_settings()["EVENT_RETENTION_DAYS"])
    deleted, _ = Event.objects.filter(occurred_at__lt=cutoff).delete()
    XapiStatement.objects.filter(status=XapiStatement.Status.SENT, sent_at__lt=cutoff).delete()
    return deleted
