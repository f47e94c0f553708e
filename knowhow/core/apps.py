from datetime import timedelta

from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "knowhow.core"
    label = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        from knowhow.core.scheduling import every
        from knowhow.core.tasks import refresh_statistics

        every(timedelta(days=1), refresh_statistics)
