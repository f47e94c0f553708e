"""One pagination shape for every list: page numbers, a count, and links to the neighbours."""

from typing import Any

from django.http import HttpRequest

from knowhow.qa.selectors import CachedCountPaginator

MAX_PAGE_SIZE = 100


def page_link(request: HttpRequest, page: int) -> str:
    params = request.GET.copy()
    params["page"] = str(page)
    return f"{request.path}?{params.urlencode()}"


def paginate(
    request: HttpRequest,
    items: Any,
    *,
    page: int,
    page_size: int,
    count_key: str | None = None,
) -> dict[str, Any]:
    """A page of `items` (a queryset or list); past the last page the results are empty. With a
    `count_key`, the total is cached for a minute under it (see `CachedCountPaginator`)."""
    paginator = CachedCountPaginator(items, page_size, count_key=count_key)
    count = paginator.count
    num_pages = paginator.num_pages if count else 0
    results = list(paginator.page(page).object_list) if page <= num_pages else []
    return {
        "count": count,
        "page": page,
        "page_size": page_size,
        "num_pages": num_pages,
        "next": page_link(request, page + 1) if page < num_pages else None,
        "previous": page_link(request, page - 1) if 1 < page <= num_pages + 1 else None,
        "results": results,
    }
