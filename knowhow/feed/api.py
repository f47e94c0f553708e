"""JSON API for similar questions, as a django-ninja Router for the API app to mount:

    api.add_router("/questions", knowhow.feed.api.router)   # GET /api/v1/questions/similar

(mount it before the router that has `/questions/{id}` so `similar` is not read as an id)."""

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema

from knowhow.feed.similar import Mode, similar_questions

router = Router(tags=["questions"])


class SimilarQuestionOut(Schema):
    id: int
    title: str
    url: str
    score: float
    fulltext_score: float | None
    semantic_score: float | None
    answer_count: int
    is_answered: bool


class SimilarOut(Schema):
    mode: str
    notice: str
    results: list[SimilarQuestionOut]


@router.get("/similar", response=SimilarOut, summary="Questions similar to a title and body")
def similar(
    request: HttpRequest,
    title: str = Query(..., min_length=1, max_length=300),
    body: str = Query("", max_length=50_000),
    limit: int = Query(10, ge=1, le=50),
    mode: str = Query(Mode.HYBRID, pattern="^(hybrid|fulltext|semantic)$"),
) -> Any:
    viewer = getattr(request, "auth", None) or request.user
    result = similar_questions(viewer=viewer, title=title, body=body, limit=limit, mode=mode)
    return {
        "mode": result.mode,
        "notice": result.notice,
        "results": [
            {
                "id": hit["question"].pk,
                "title": hit["question"].title,
                "url": hit["question"].get_absolute_url(),
                "score": hit["score"],
                "fulltext_score": hit["fulltext_score"],
                "semantic_score": hit["semantic_score"],
                "answer_count": hit["question"].answer_count,
                "is_answered": hit["question"].answer_count > 0,
            }
            for hit in result.hits
        ],
    }
