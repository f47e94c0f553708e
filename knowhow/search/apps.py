from typing import Any

from django.apps import AppConfig
from django.db import connections
from django.db.models.signals import post_migrate


def _install_state_triggers(sender: Any, *, using: str = "default", **kwargs: Any) -> None:
    """After every migrate: a table rebuilt on SQLite has lost its triggers."""
    from knowhow.search import state_triggers

    state_triggers.install(connections[using])


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
        post_migrate.connect(
            _install_state_triggers, sender=self, dispatch_uid="search.state_triggers"
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
