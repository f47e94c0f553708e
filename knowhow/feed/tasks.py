"""Background work for the feed: load by id, call a service."""

from django_tasks import task

from knowhow.feed import services
from knowhow.feed.models import Notification, Webhook
from knowhow.qa.models import Comment, Post


@task()
def post_created(*, post_id: int) -> int:
    post = (
        Post.objects.select_related("space", "author", "question__space").filter(pk=post_id).first()
    )
    if post is None:
        return 0
    made = services.on_post_created(post=post)
    for hook_id, title, text, url in services.webhooks_for_post(post=post):
        webhook_send.enqueue(webhook_id=hook_id, title=title, text=text, url=url)
    if post.is_question:
        services.route_question(question=post)
    return len(made)


@task()
def comment_created(*, comment_id: int) -> int:
    comment = (
        Comment.objects.select_related("post__space", "post__question", "author")
        .filter(pk=comment_id)
        .first()
    )
    if comment is None:
        return 0
    return len(services.on_comment_added(comment=comment))


@task()
def collection_item_added(*, item_id: int, by_id: int | None = None) -> int:
    from knowhow.accounts.models import User
    from knowhow.curation.models import CollectionItem

    item = CollectionItem.objects.select_related("collection__space").filter(pk=item_id).first()
    if item is None:
        return 0
    by = User.objects.filter(pk=by_id).first() if by_id else None
    return len(services.on_collection_item_added(item=item, by=by))


@task()
def notification_email(*, notification_id: int) -> bool:
    notification = (
        Notification.objects.select_related("recipient", "space").filter(pk=notification_id).first()
    )
    if notification is None:
        return False
    return services.notification_email_send(notification=notification)


@task()
def webhook_send(*, webhook_id: int, title: str, text: str, url: str) -> bool:
    webhook = Webhook.objects.filter(pk=webhook_id, is_active=True).first()
    if webhook is None:
        return False
    return services.webhook_deliver(webhook=webhook, title=title, text=text, url=url)


@task()
def digests(*, period: str) -> int:
    return services.digests_send(period=period)


@task()
def question_embed(*, question_id: int) -> int:
    from knowhow.feed.similar import question_embed_many

    question = Post.objects.filter(pk=question_id, post_type=Post.PostType.QUESTION).first()
    if question is None:
        return 0
    return question_embed_many(questions=[question])


@task()
def question_vectors_rebuild() -> int:
    """`knowhow reindex --in-background` (after an import): every question's vector, by the
    worker, since the model takes about a second per 8 questions."""
    from knowhow.feed.similar import question_vectors_rebuild as rebuild

    return rebuild()
