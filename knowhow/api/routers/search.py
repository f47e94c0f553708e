"""Full-text search over questions, with the same syntax and filters as the search page."""

import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router

from knowhow.api.auth import READ_AUTH
from knowhow.api.pagination import MAX_PAGE_SIZE, page_link
from knowhow.api.problems import ERROR_CODES, Problem
from knowhow.api.schemas import MAX_ID, SLUG_PATTERN, TAG_PATTERN, Paged, SearchHitOut
from knowhow.search.selectors import SearchFilters, SearchSort, search_questions

router = Router(tags=["search"])


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
    filters = SearchFilters(
        tags=(tag,) if tag else (),
        space=space,
        author_id=author,
        answered=answered,
        accepted=accepted,
        created_from=created_from,
        created_to=created_to,
    )
    results = search_questions(
        viewer=request.auth, text=q, filters=filters, sort=sort, page=page, per_page=page_size
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
