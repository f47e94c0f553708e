"""Pages that find imported content by the id it had at its source."""

from django.http import HttpRequest, HttpResponseRedirect

from knowhow.stackexchange import selectors


def post_by_source(request: HttpRequest, source: str, source_id: int) -> HttpResponseRedirect:
    post = selectors.post_get_by_source(source=source, source_id=source_id, viewer=request.user)
    return HttpResponseRedirect(post.get_absolute_url())


def comment_by_source(request: HttpRequest, source: str, source_id: int) -> HttpResponseRedirect:
    comment = selectors.comment_get_by_source(
        source=source, source_id=source_id, viewer=request.user
    )
    return HttpResponseRedirect(
        comment.post.get_absolute_url().split("#")[0] + f"#comment-{comment.pk}"
    )
