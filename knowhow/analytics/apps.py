from datetime import timedelta

from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "knowhow.analytics"
    label = "analytics"
    verbose_name = "Analytics and learning records"

    def ready(self) -> None:
        from knowhow.analytics import receivers, tasks
        from knowhow.core.scheduling import every
        from knowhow.core.signals import activity

        activity.connect(receivers.on_activity, dispatch_uid="analytics.on_activity")
        every(timedelta(minutes=15), tasks.rollup_recent)
        every(timedelta(minutes=1), tasks.xapi_flush)
        every(timedelta(days=1), tasks.purge_old_events)
