from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "knowhow.search"
    label = "search"
    verbose_name = "Search"

    def ready(self) -> None:
        from knowhow.curation.signals import resource_changed
        from knowhow.qa.signals import post_changed
        from knowhow.search import rebuilders, receivers, services
        from knowhow.search.resources import RESOURCE_DOCUMENTS
        from knowhow.search.videos import VIDEO_DOCUMENTS
        from knowhow.videos.signals import video_changed

        post_changed.connect(receivers.on_post_changed, dispatch_uid="search.post_changed")
        video_changed.connect(receivers.on_video_changed, dispatch_uid="search.video_changed")
        resource_changed.connect(
            receivers.on_resource_changed, dispatch_uid="search.resource_changed"
        )
        services.register_document_type(VIDEO_DOCUMENTS)
        services.register_document_type(RESOURCE_DOCUMENTS)
        rebuilders.register(
            rebuilders.Rebuilder(
                name="questions",
                label="Full-text index of questions, answers, videos and curated resources",
                count=services.question_index_count,
                rebuild=services.question_index_rebuild,
            )
        )
