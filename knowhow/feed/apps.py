from django.apps import AppConfig


class FeedConfig(AppConfig):
    name = "knowhow.feed"
    label = "feed"
    verbose_name = "Feed and notifications"

    def ready(self) -> None:
        from knowhow.feed import receivers, similar, tasks
        from knowhow.privacy.registry import register_personal_model
        from knowhow.search import rebuilders

        receivers.connect()
        # Who is notified of what, their choices, what they follow and what was routed to them.
        for label in (
            "feed.Notification",
            "feed.NotificationPreference",
            "feed.QuestionFollow",
            "feed.CollectionFollow",
            "feed.ExpertRequest",
        ):
            register_personal_model(label)
        rebuilders.register(
            rebuilders.Rebuilder(
                name="question-vectors",
                label="Sentence vectors of questions (similar questions)",
                count=similar.question_vectors_count,
                rebuild=similar.question_vectors_rebuild,
                queue=lambda: tasks.question_vectors_rebuild.enqueue(),
            )
        )
        from knowhow.privacy.registry import register_mention_fields

        # A notification quotes the post it is about, @mentions included: erasure rewrites them.
        register_mention_fields("feed.Notification", "title", "text")
