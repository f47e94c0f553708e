"""People and spaces."""

from typing import Any

from django.http import HttpRequest
from ninja import Path, Query, Router

from knowhow.api.auth import READ_AUTH, WRITE_AUTH
from knowhow.api.pagination import MAX_PAGE_SIZE, paginate
from knowhow.api.problems import ERROR_CODES, Problem
from knowhow.api.schemas import MAX_ID, SLUG_PATTERN, Paged, SpaceOut, TagOut, UserOut
from knowhow.qa import selectors
from knowhow.spaces.selectors import space_get_for_viewer, spaces_visible_to

users = Router(tags=["users"])
spaces = Router(tags=["spaces"])


@users.get("", response={200: Paged[UserOut], ERROR_CODES: Problem}, auth=READ_AUTH)
def list_users(
    request: HttpRequest,
    source: str | None = Query(None, max_length=100, pattern=r"^[^\x00]*$"),
    source_id: int | None = Query(None, ge=-MAX_ID, le=MAX_ID),
    page: int = Query(1, ge=1, le=100_000),
    page_size: int = Query(50, ge=1, le=MAX_PAGE_SIZE),
) -> Any:
    """People, optionally looked up by where an imported profile came from."""
    qs = selectors.user_list(source=source, source_id=source_id)
    return paginate(request, qs, page=page, page_size=page_size)


@users.get("/me", response={200: UserOut, ERROR_CODES: Problem}, auth=WRITE_AUTH)
def me(request: HttpRequest) -> Any:
    return request.auth


@users.get("/me/followed-tags", response={200: list[TagOut], ERROR_CODES: Problem}, auth=WRITE_AUTH)
def my_followed_tags(request: HttpRequest) -> Any:
    return selectors.followed_tags(user=request.auth, viewer=request.auth)


@users.get("/{int:user_id}", response={200: UserOut, ERROR_CODES: Problem}, auth=READ_AUTH)
def get_user(request: HttpRequest, user_id: int = Path(..., ge=1, le=MAX_ID)) -> Any:
    return selectors.user_get(pk=user_id)


@spaces.get("", response={200: list[SpaceOut], ERROR_CODES: Problem}, auth=READ_AUTH)
def list_spaces(request: HttpRequest) -> Any:
    return spaces_visible_to(request.auth).order_by("-is_default", "name")


@spaces.get("/{slug}", response={200: SpaceOut, ERROR_CODES: Problem}, auth=READ_AUTH)
def get_space(request: HttpRequest, slug: str = Path(..., pattern=SLUG_PATTERN)) -> Any:
    return space_get_for_viewer(slug=slug, viewer=request.auth)
