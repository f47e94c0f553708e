from django.apps import AppConfig


class FeedConfig(AppConfig):
    name = "knowhow.feed"
    label = "feed"
    verbose_name = "Feed and notifications"

    def ready(self) -> None:
        from knowhow.feed import receivers

        receivers.connect()
        from knowhow.privacy.registry import register_mention_fields

        # A notification quotes the post it is about, @mentions included: erasure rewrites them.
        register_mention_fields("feed.Notification", "title", "text")
