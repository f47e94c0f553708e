"""Q&A tells the world that a post or comment was made (signals sent after commit); the feed app
queues the notification, webhook and routing work. Q&A never imports this app."""

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


def connect() -> None:
    post_changed.connect(_on_post_changed, dispatch_uid="feed.post_created")
    comment_added.connect(_on_comment_added, dispatch_uid="feed.comment_added")
