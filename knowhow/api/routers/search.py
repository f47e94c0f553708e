"""Full-text search over questions, with the same syntax and filters as the search page.

A response's JSON body is cached per audience, index generation and query string
(`search.result_cache`), like the search page: a repeated search serialises nothing.
"""

import datetime
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router
from ninja.renderers import JSONRenderer

from knowhow.api.auth import READ_AUTH
from knowhow.api.pagination import MAX_PAGE_SIZE, page_link
from knowhow.api.problems import ERROR_CODES, Problem
from knowhow.api.schemas import MAX_ID, SLUG_PATTERN, TAG_PATTERN, Paged, SearchHitOut
from knowhow.search import result_cache
from knowhow.search.selectors import SearchFilters, SearchSort, search_questions

router = Router(tags=["search"])
# What django-ninja renders a response with (the API sets no renderer of its own).
_RENDERER = JSONRenderer()
_CONTENT_TYPE = f"{_RENDERER.media_type}; charset={_RENDERER.charset}"


@router.get("", response={200: Paged[SearchHitOut], ERROR_CODES: Problem}, auth=READ_AUTH)
def search(
    request: HttpRequest,
    q: str = Query(
        "",
        max_length=10_000,
        description='Words, "phrases", [tag], user:ID, is:answered, is:accepted',
    ),
    tag: str | None = Query(None, pattern=TAG_PATTERN),
    space: str | None = Query(None, pattern=SLUG_PATTERN),
    author: int | None = Query(None, ge=1, le=MAX_ID),
    answered: bool = False,
    accepted: bool = False,
    created_from: datetime.date | None = None,
    created_to: datetime.date | None = None,
    sort: SearchSort = SearchSort.RELEVANCE,
    page: int = Query(1, ge=1, le=100_000),
    page_size: int = Query(20, ge=1, le=MAX_PAGE_SIZE),
) -> Any:
    """Questions matching `q`, with highlighted title and excerpt (HTML with <mark>).

    Counting stops after 1,000 matches: a `count` of 1,001 means "more than 1,000".
    """
    audience = result_cache.audience_for(request.auth)
    key = result_cache.api_key(audience, request.get_full_path())
    body = result_cache.get(key, audience)
    if body is None:
        data = _search_page(
            request,
            audience,
            text=q,
            filters=SearchFilters(
                tags=(tag,) if tag else (),
                space=space,
                author_id=author,
                answered=answered,
                accepted=accepted,
                created_from=created_from,
                created_to=created_to,
            ),
            sort=sort,
            page=page,
            page_size=page_size,
        )
        # Serialised as django-ninja would (the response schema, then its JSON renderer).
        validated = Paged[SearchHitOut].model_validate(
            data, context={"request": request, "response_status": 200}
        )
        body = _RENDERER.render(request, validated.model_dump(), response_status=200)
        result_cache.put(key, audience, body)
    return HttpResponse(body, content_type=_CONTENT_TYPE)


def _search_page(
    request: HttpRequest,
    audience: result_cache.Audience,
    *,
    text: str,
    filters: SearchFilters,
    sort: SearchSort,
    page: int,
    page_size: int,
) -> dict[str, Any]:
    results = search_questions(
        viewer=request.auth,
        text=text,
        filters=filters,
        sort=sort,
        page=page,
        per_page=page_size,
        audience=audience,
    )
    paginator = results.page.paginator
    num_pages = paginator.num_pages if paginator.count else 0
    past_end = page > num_pages
    return {
        "count": paginator.count,
        "page": page,
        "page_size": page_size,
        "num_pages": num_pages,
        "next": page_link(request, page + 1) if page < num_pages else None,
        "previous": page_link(request, page - 1) if 1 < page <= num_pages + 1 else None,
        "results": [] if past_end else results.hits,
    }
