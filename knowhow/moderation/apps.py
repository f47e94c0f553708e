from django.apps import AppConfig


class ModerationConfig(AppConfig):
    name = "knowhow.moderation"
    label = "moderation"
    verbose_name = "Moderation"

    def ready(self) -> None:
        from datetime import timedelta

        from knowhow.core.scheduling import every
        from knowhow.moderation.tasks import detect_serial_voting

        every(timedelta(hours=1), detect_serial_voting)
