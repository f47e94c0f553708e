"""Q&A tells the world that a post or comment was made, curation that a collection was made or
given an item (signals sent after commit); the feed app queues the notification, webhook and
routing work. Neither app imports this one."""

from knowhow.curation.signals import collection_created, collection_item_added
from knowhow.qa.signals import comment_added, post_changed


def _on_post_changed(sender, *, post_id: int, created: bool = False, **kwargs) -> None:  # type: ignore[no-untyped-def]
    from knowhow.feed.embeddings import model_installed
    from knowhow.feed.tasks import post_created, question_embed

    if created:
        post_created.enqueue(post_id=post_id)
    # Edits change the text; the task skips the work when the text hash is unchanged.
    if model_installed():
        question_embed.enqueue(question_id=post_id)


def _on_comment_added(sender, *, comment_id: int, **kwargs) -> None:  # type: ignore[no-untyped-def]
    from knowhow.feed.tasks import comment_created

    comment_created.enqueue(comment_id=comment_id)


def _on_collection_created(sender, *, collection_id: int, **kwargs) -> None:  # type: ignore[no-untyped-def]
    from knowhow.curation.models import Collection
    from knowhow.feed.services import on_collection_created

    # Cheap and wanted at once (the curator sees "Following" on the page they land on).
    collection = Collection.objects.filter(pk=collection_id).first()
    if collection is not None:
        on_collection_created(collection=collection)


def _on_collection_item_added(sender, *, item_id: int, by_id: int | None = None, **kwargs) -> None:  # type: ignore[no-untyped-def]
    from knowhow.feed.tasks import collection_item_added

    collection_item_added.enqueue(item_id=item_id, by_id=by_id)


def connect() -> None:
    post_changed.connect(_on_post_changed, dispatch_uid="feed.post_created")
    comment_added.connect(_on_comment_added, dispatch_uid="feed.comment_added")
    collection_created.connect(_on_collection_created, dispatch_uid="feed.collection_created")
    collection_item_added.connect(
        _on_collection_item_added, dispatch_uid="feed.collection_item_added"
    )
