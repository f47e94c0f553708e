"""Tags: list, detail, follow and unfollow."""

from typing import Any

from django.http import HttpRequest
from ninja import Path, Query, Router

from knowhow.api.auth import READ_AUTH, WRITE_AUTH
from knowhow.api.pagination import MAX_PAGE_SIZE, paginate
from knowhow.api.problems import ERROR_CODES, Problem
from knowhow.api.schemas import TAG_PATTERN, Paged, TagOut
from knowhow.qa import selectors, services

router = Router(tags=["tags"])

TagName = Path(..., pattern=TAG_PATTERN)


@router.get("", response={200: Paged[TagOut], ERROR_CODES: Problem}, auth=READ_AUTH)
def list_tags(
    request: HttpRequest,
    q: str = Query("", max_length=35, pattern=r"^[^\x00]*$"),
    sort: str = Query("popular", pattern="^(popular|name)$"),
    page: int = Query(1, ge=1, le=100_000),
    page_size: int = Query(50, ge=1, le=MAX_PAGE_SIZE),
) -> Any:
    return paginate(
        request,
        selectors.tag_list(viewer=request.auth, query=q, sort=sort),
        page=page,
        page_size=page_size,
    )


@router.get("/{name}", response={200: TagOut, ERROR_CODES: Problem}, auth=READ_AUTH)
def get_tag(request: HttpRequest, name: str = TagName) -> Any:
    return selectors.tag_get(name=name)


@router.put("/{name}/follow", response={204: None, ERROR_CODES: Problem}, auth=WRITE_AUTH)
def follow_tag(request: HttpRequest, name: str = TagName) -> Any:
    services.tag_follow(user=request.auth, tag=selectors.tag_get(name=name))
    return 204, None


@router.delete("/{name}/follow", response={204: None, ERROR_CODES: Problem}, auth=WRITE_AUTH)
def unfollow_tag(request: HttpRequest, name: str = TagName) -> Any:
    services.tag_unfollow(user=request.auth, tag=selectors.tag_get(name=name))
    return 204, None
