"""Answers and what applies to any post: comments, votes, acceptance, revisions, source lookup."""

from typing import Any

from django.http import HttpRequest
from ninja import Path, Query, Router

from knowhow.api.auth import READ_AUTH, WRITE_AUTH
from knowhow.api.pagination import MAX_PAGE_SIZE, paginate
from knowhow.api.problems import ERROR_CODES, Problem
from knowhow.api.schemas import (
    MAX_ID,
    AcceptOut,
    AnswerOut,
    AnswerPatch,
    CommentIn,
    CommentOut,
    Paged,
    PostRef,
    RevisionOut,
    VoteIn,
    VoteOut,
)
from knowhow.core.errors import NotFound
from knowhow.qa import selectors, services
from knowhow.qa.models import Post

answers = Router(tags=["answers"])
posts = Router(tags=["posts"])
comments = Router(tags=["comments"])

PostId = Path(..., ge=1, le=MAX_ID)


def _answer(request: HttpRequest, answer_id: int) -> Post:
    post = selectors.post_get_for_viewer(pk=answer_id, viewer=request.auth)
    if not post.is_answer:
        raise NotFound("No such answer.")
    return post


@answers.get("/{int:answer_id}", response={200: AnswerOut, ERROR_CODES: Problem}, auth=READ_AUTH)
def get_answer(request: HttpRequest, answer_id: int = PostId) -> Any:
    return _answer(request, answer_id)


@answers.patch("/{int:answer_id}", response={200: AnswerOut, ERROR_CODES: Problem}, auth=WRITE_AUTH)
def edit_answer(request: HttpRequest, payload: AnswerPatch, answer_id: int = PostId) -> Any:
    answer = _answer(request, answer_id)
    services.post_edit(post=answer, by=request.auth, body=payload.body, summary=payload.summary)
    return _answer(request, answer_id)


@answers.post(
    "/{int:answer_id}/accept", response={200: AcceptOut, ERROR_CODES: Problem}, auth=WRITE_AUTH
)
def accept_answer(request: HttpRequest, answer_id: int = PostId) -> Any:
    question = services.answer_accept(answer=_answer(request, answer_id), by=request.auth)
    return {"question_id": question.pk, "accepted_answer_id": question.accepted_answer_id}


@answers.delete(
    "/{int:answer_id}/accept", response={200: AcceptOut, ERROR_CODES: Problem}, auth=WRITE_AUTH
)
def unaccept_answer(request: HttpRequest, answer_id: int = PostId) -> Any:
    question = services.answer_unaccept(answer=_answer(request, answer_id), by=request.auth)
    return {"question_id": question.pk, "accepted_answer_id": question.accepted_answer_id}


@posts.get("/by-source", response={200: PostRef, ERROR_CODES: Problem}, auth=READ_AUTH)
def post_by_source(
    request: HttpRequest,
    source: str = Query(..., min_length=1, max_length=100, pattern=r"^[^\x00]*$"),
    source_id: int = Query(..., ge=-MAX_ID, le=MAX_ID),
) -> Any:
    """Find an imported question or answer by its original site and id."""
    return selectors.post_get_by_source(source=source, source_id=source_id, viewer=request.auth)


@posts.delete("/{int:post_id}", response={204: None, ERROR_CODES: Problem}, auth=WRITE_AUTH)
def delete_post(request: HttpRequest, post_id: int = PostId) -> Any:
    post = selectors.post_get_for_viewer(pk=post_id, viewer=request.auth)
    services.post_delete(post=post, by=request.auth)
    return 204, None


@posts.put("/{int:post_id}/vote", response={200: VoteOut, ERROR_CODES: Problem}, auth=WRITE_AUTH)
def vote(request: HttpRequest, payload: VoteIn, post_id: int = PostId) -> Any:
    """Set your vote: 1 up, -1 down, 0 withdrawn."""
    post = selectors.post_get_for_viewer(pk=post_id, viewer=request.auth)
    post = services.vote_cast(post=post, user=request.auth, value=payload.value)
    return {
        "post_id": post.pk,
        "score": post.score,
        "up_votes": post.up_votes,
        "down_votes": post.down_votes,
        "my_vote": payload.value,
    }


@posts.get(
    "/{int:post_id}/revisions",
    response={200: list[RevisionOut], ERROR_CODES: Problem},
    auth=READ_AUTH,
)
def list_revisions(request: HttpRequest, post_id: int = PostId) -> Any:
    post = selectors.post_get_for_viewer(pk=post_id, viewer=request.auth)
    return selectors.revisions_for(post=post)


@posts.get(
    "/{int:post_id}/comments",
    response={200: Paged[CommentOut], ERROR_CODES: Problem},
    auth=READ_AUTH,
)
def list_comments(
    request: HttpRequest,
    post_id: int = PostId,
    page: int = Query(1, ge=1, le=100_000),
    page_size: int = Query(20, ge=1, le=MAX_PAGE_SIZE),
) -> Any:
    post = selectors.post_get_for_viewer(pk=post_id, viewer=request.auth)
    return paginate(request, selectors.comments_for(post=post), page=page, page_size=page_size)


@posts.post(
    "/{int:post_id}/comments", response={201: CommentOut, ERROR_CODES: Problem}, auth=WRITE_AUTH
)
def add_comment(request: HttpRequest, payload: CommentIn, post_id: int = PostId) -> Any:
    post = selectors.post_get_for_viewer(pk=post_id, viewer=request.auth)
    return 201, services.comment_add(post=post, author=request.auth, body=payload.body)


@comments.delete("/{int:comment_id}", response={204: None, ERROR_CODES: Problem}, auth=WRITE_AUTH)
def delete_comment(request: HttpRequest, comment_id: int = PostId) -> Any:
    comment = selectors.comment_get(pk=comment_id)
    services.comment_delete(comment=comment, by=request.auth)
    return 204, None
