from django.apps import AppConfig


class FeedConfig(AppConfig):
    name = "knowhow.feed"
    label = "feed"
    verbose_name = "Feed and notifications"

    def ready(self) -> None:
        from knowhow.feed import receivers

        receivers.connect()
