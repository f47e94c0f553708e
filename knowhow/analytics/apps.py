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
        from knowhow.privacy.registry import register_personal_model, register_retention

        activity.connect(receivers.on_activity, dispatch_uid="analytics.on_activity")
        every(timedelta(minutes=15), tasks.rollup_recent)
        from knowhow.analytics.selectors import space_comparison
        from knowhow.spaces.reports import register_activity_comparison

        # A pilot's report (spaces app) compares it with the rest from these rollups.
        register_activity_comparison(space_comparison)
        every(timedelta(minutes=1), tasks.xapi_flush)
        # A person's raw events go with them at erasure (the rollups hold no names); raw events
        # and delivered learning records are purged by the privacy app's retention task.
        register_personal_model("analytics.Event")
        register_retention("analytics.Event", date_field="occurred_at", setting="analytics_events")
        register_retention(
            "analytics.XapiStatement", date_field="sent_at", setting="logs", status="sent"
        )
