"""Reads for imported content: find a post or comment by the id it had at its source."""

from knowhow.core.errors import NotFound
from knowhow.qa.models import Comment, Post
from knowhow.qa.permissions import check_view_post
from knowhow.spaces.selectors import Viewer


def post_get_by_source(*, source: str, source_id: int, viewer: Viewer) -> Post:
    post = (
        Post.objects.select_related("space", "question", "question__space")
        .filter(source=source, source_id=source_id)
        .order_by("pk")
        .first()
    )
    if post is None:
        raise NotFound(f"Nothing was imported from {source[:100]} with id {source_id}.")
    check_view_post(viewer, post)
    return post


def comment_get_by_source(*, source: str, source_id: int, viewer: Viewer) -> Comment:
    comment = (
        Comment.objects.select_related("post__space", "post__question")
        .filter(source=source, source_id=source_id, is_deleted=False)
        .order_by("pk")
        .first()
    )
    if comment is None:
        raise NotFound(f"No comment was imported from {source[:100]} with id {source_id}.")
    check_view_post(viewer, comment.post)
    return comment
