"""JSON API for similar questions and following questions and collections, as django-ninja
Routers for the API app to mount:

    api.add_router("/questions", knowhow.feed.api.router)   # GET /api/v1/questions/similar
    api.add_router("/collections", knowhow.feed.api.collections)  # PUT /collections/{id}/follow
    api.add_router("/users", knowhow.feed.api.me)  # GET /users/me/followed-collections

(mount it before the router that has `/questions/{id}` so `similar` is not read as an id)."""

from typing import Any

from django.http import HttpRequest
from ninja import Path, Query, Router, Schema, Status

from knowhow.accounts.models import User
from knowhow.core.errors import ApplicationError
from knowhow.feed import selectors, services
from knowhow.feed.similar import Mode, similar_questions
from knowhow.qa.selectors import post_get_for_viewer

router = Router(tags=["questions"])
collections = Router(tags=["collections"])
me = Router(tags=["users"])

MAX_ID = 2**63 - 1


class LoginRequired(ApplicationError):
    """Following is personal: send a token or log in."""

    status_code = 401
    code = "not_authenticated"


def _person(request: HttpRequest) -> User:
    auth = getattr(request, "auth", None)
    user = auth if isinstance(auth, User) else request.user
    if not getattr(user, "is_authenticated", False):
        raise LoginRequired("Log in or send an API token to follow questions and collections.")
    return user  # type: ignore[return-value]


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


class FollowOut(Schema):
    following: bool


@router.get(
    "/{int:question_id}/follow",
    response=FollowOut,
    summary="Whether you follow a question (answers and comments notify you)",
)
def follow_state(request: HttpRequest, question_id: int = Path(..., ge=1, le=MAX_ID)) -> Any:
    user = _person(request)
    question = post_get_for_viewer(pk=question_id, viewer=user)
    return {"following": selectors.is_following(user=user, question=question)}


@router.put(
    "/{int:question_id}/follow",
    response={204: None},
    summary="Follow a question",
)
def follow_question(request: HttpRequest, question_id: int = Path(..., ge=1, le=MAX_ID)) -> Any:
    user = _person(request)
    question = post_get_for_viewer(pk=question_id, viewer=user)
    services.question_follow(user=user, question=question)
    return Status(204, None)


@router.delete(
    "/{int:question_id}/follow",
    response={204: None},
    summary="Stop following a question",
)
def unfollow_question(request: HttpRequest, question_id: int = Path(..., ge=1, le=MAX_ID)) -> Any:
    user = _person(request)
    question = post_get_for_viewer(pk=question_id, viewer=user)
    services.question_follow(user=user, question=question, follow=False)
    return Status(204, None)


# --- collections -----------------------------------------------------------------------------


class CollectionOut(Schema):
    id: int
    title: str
    url: str
    is_path: bool
    space: str


def _collection_out(collection: Any) -> dict[str, Any]:
    return {
        "id": collection.pk,
        "title": collection.title,
        "url": collection.get_absolute_url(),
        "is_path": collection.is_path,
        "space": collection.space.slug,
    }


@collections.get(
    "/{int:collection_id}/follow",
    response=FollowOut,
    summary="Whether you follow a collection or learning path (new items reach your feed)",
)
def collection_follow_state(
    request: HttpRequest, collection_id: int = Path(..., ge=1, le=MAX_ID)
) -> Any:
    from knowhow.curation.selectors import collection_get

    user = _person(request)
    collection = collection_get(pk=collection_id, viewer=user)
    return {"following": selectors.is_following_collection(user=user, collection=collection)}


@collections.put(
    "/{int:collection_id}/follow", response={204: None}, summary="Follow a collection or path"
)
def follow_collection(request: HttpRequest, collection_id: int = Path(..., ge=1, le=MAX_ID)) -> Any:
    from knowhow.curation.selectors import collection_get

    user = _person(request)
    collection = collection_get(pk=collection_id, viewer=user)
    services.collection_follow(user=user, collection=collection)
    return Status(204, None)


@collections.delete(
    "/{int:collection_id}/follow",
    response={204: None},
    summary="Stop following a collection or path",
)
def unfollow_collection(
    request: HttpRequest, collection_id: int = Path(..., ge=1, le=MAX_ID)
) -> Any:
    from knowhow.curation.selectors import collection_get

    user = _person(request)
    collection = collection_get(pk=collection_id, viewer=user)
    services.collection_follow(user=user, collection=collection, follow=False)
    return Status(204, None)


@me.get(
    "/me/followed-collections",
    response=list[CollectionOut],
    summary="The collections and paths you follow, in spaces you can see",
)
def my_followed_collections(request: HttpRequest) -> Any:
    user = _person(request)
    return [_collection_out(c) for c in selectors.collections_followed(user=user)]
