from datetime import timedelta

from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "knowhow.privacy"
    label = "privacy"
    verbose_name = "Data protection"

    def ready(self) -> None:
        from knowhow.core.scheduling import every
        from knowhow.privacy.tasks import retention_purge_task

        every(timedelta(days=1), retention_purge_task, name="privacy.retention_purge")
