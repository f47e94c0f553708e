"""Questions: list (filters, sort, source lookup), detail, ask, edit, and their answers."""

from typing import Any

from django.http import HttpRequest
from ninja import Path, Query, Router

from knowhow.api.auth import READ_AUTH, WRITE_AUTH
from knowhow.api.pagination import MAX_PAGE_SIZE, paginate
from knowhow.api.problems import ERROR_CODES, Problem
from knowhow.api.schemas import (
    MAX_ID,
    SLUG_PATTERN,
    TAG_PATTERN,
    AnswerIn,
    AnswerOut,
    Paged,
    QuestionIn,
    QuestionOut,
    QuestionPatch,
    QuestionSummary,
)
from knowhow.qa import selectors, services
from knowhow.qa.selectors import QuestionSort
from knowhow.spaces.selectors import default_space, space_get_for_viewer

router = Router(tags=["questions"])

SORTS = "|".join(key for key, _ in QuestionSort.CHOICES)


@router.get("", response={200: Paged[QuestionSummary], ERROR_CODES: Problem}, auth=READ_AUTH)
def list_questions(
    request: HttpRequest,
    sort: str = Query(QuestionSort.ACTIVE, pattern=f"^({SORTS})$"),
    tag: str | None = Query(None, pattern=TAG_PATTERN),
    space: str | None = Query(None, pattern=SLUG_PATTERN, description="Space slug"),
    author: int | None = Query(None, ge=1, le=MAX_ID, description="Author user id"),
    source: str | None = Query(None, max_length=100, pattern=r"^[^\x00]*$"),
    source_id: int | None = Query(None, ge=-MAX_ID, le=MAX_ID),
    page: int = Query(1, ge=1, le=100_000),
    page_size: int = Query(20, ge=1, le=MAX_PAGE_SIZE),
) -> Any:
    viewer = request.auth
    space_obj = space_get_for_viewer(slug=space, viewer=viewer) if space else None
    author_obj = selectors.user_get(pk=author) if author else None
    filters = {
        "sort": sort,
        "tag": tag,
        "space": space_obj,
        "author": author_obj,
        "source": source,
        "source_id": source_id,
    }
    qs = selectors.question_list(viewer=viewer, **filters)
    key = selectors.list_count_key(viewer=viewer, **filters)
    return paginate(request, qs, page=page, page_size=page_size, count_key=key)


@router.post("", response={201: QuestionOut, ERROR_CODES: Problem}, auth=WRITE_AUTH)
def ask_question(request: HttpRequest, payload: QuestionIn) -> Any:
    space = (
        space_get_for_viewer(slug=payload.space, viewer=request.auth)
        if payload.space
        else default_space()
    )
    question = services.question_ask(
        author=request.auth,
        space=space,
        title=payload.title,
        body=payload.body,
        tags=payload.tags,
    )
    return 201, selectors.question_get_for_viewer(pk=question.pk, viewer=request.auth).question


@router.get("/{int:question_id}", response={200: QuestionOut, ERROR_CODES: Problem}, auth=READ_AUTH)
def get_question(request: HttpRequest, question_id: int = Path(..., ge=1, le=MAX_ID)) -> Any:
    return selectors.question_get_for_viewer(pk=question_id, viewer=request.auth).question


@router.patch(
    "/{int:question_id}", response={200: QuestionOut, ERROR_CODES: Problem}, auth=WRITE_AUTH
)
def edit_question(
    request: HttpRequest, payload: QuestionPatch, question_id: int = Path(..., ge=1, le=MAX_ID)
) -> Any:
    question = selectors.post_get_for_viewer(pk=question_id, viewer=request.auth)
    if not question.is_question:
        from knowhow.core.errors import NotFound

        raise NotFound("No such question.")
    services.post_edit(
        post=question,
        by=request.auth,
        body=payload.body if payload.body is not None else question.body,
        title=payload.title,
        tags=payload.tags,
        summary=payload.summary,
    )
    return selectors.question_get_for_viewer(pk=question.pk, viewer=request.auth).question


@router.get(
    "/{int:question_id}/answers",
    response={200: Paged[AnswerOut], ERROR_CODES: Problem},
    auth=READ_AUTH,
)
def list_answers(
    request: HttpRequest,
    question_id: int = Path(..., ge=1, le=MAX_ID),
    page: int = Query(1, ge=1, le=100_000),
    page_size: int = Query(20, ge=1, le=MAX_PAGE_SIZE),
) -> Any:
    """The answers the viewer sees, in page order (accepted first, then by score)."""
    answers = selectors.question_get_for_viewer(pk=question_id, viewer=request.auth).answers
    return paginate(request, answers, page=page, page_size=page_size)


@router.post(
    "/{int:question_id}/answers",
    response={201: AnswerOut, ERROR_CODES: Problem},
    auth=WRITE_AUTH,
)
def post_answer(
    request: HttpRequest, payload: AnswerIn, question_id: int = Path(..., ge=1, le=MAX_ID)
) -> Any:
    question = selectors.post_get_for_viewer(pk=question_id, viewer=request.auth)
    answer = services.answer_post(author=request.auth, question=question, body=payload.body)
    return 201, selectors.post_get_for_viewer(pk=answer.pk, viewer=request.auth)
