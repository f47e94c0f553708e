"""Background work for curation: load by id, call a service."""

import datetime

from django.utils import timezone
from django_tasks import task

from knowhow.curation import services
from knowhow.curation.models import FeedSubscription, Resource


@task()
def resource_fetch_preview(*, resource_id: int) -> str:
    resource = Resource.objects.filter(pk=resource_id).first()
    if resource is None:
        return "gone"
    return services.resource_fetch_preview(resource=resource).preview_status


@task()
def feed_poll(*, subscription_id: int) -> int:
    subscription = (
        FeedSubscription.objects.select_related("space").filter(pk=subscription_id).first()
    )
    if subscription is None or not subscription.is_active:
        return 0
    return services.feed_poll(subscription=subscription)


@task()
def feeds_poll_due(*, reschedule_minutes: int = 0) -> int:
    """Poll every subscription that is due. With reschedule_minutes it queues its own next run,
    so one `knowhow poll_feeds --every 10` keeps polling on the database queue without cron."""
    due = services.feeds_due()
    for subscription_id in due:
        feed_poll.enqueue(subscription_id=subscription_id)
    if reschedule_minutes > 0 and feeds_poll_due.get_backend().supports_defer:
        feeds_poll_due.using(
            run_after=timezone.now() + datetime.timedelta(minutes=reschedule_minutes)
        ).enqueue(reschedule_minutes=reschedule_minutes)
    return len(due)
