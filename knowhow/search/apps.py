from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "knowhow.search"
    label = "search"
    verbose_name = "Search"

    def ready(self) -> None:
        from knowhow.qa.signals import post_changed
        from knowhow.search import rebuilders, receivers, services

        post_changed.connect(receivers.on_post_changed, dispatch_uid="search.post_changed")
        rebuilders.register(
            rebuilders.Rebuilder(
                name="questions",
                label="Full-text index of questions and answers",
                count=services.question_index_count,
                rebuild=services.question_index_rebuild,
            )
        )
