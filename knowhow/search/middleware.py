"""Serves the cached anonymous search page early in the middleware stack (see
`core.early_page`), like `qa.middleware` for the question page: a hit is the shared page of
`result_cache.py`; a miss goes down the stack as usual, and the view stores the page for the
next visitor.
"""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import NoReverseMatch, reverse

from knowhow.core.early_page import EarlyPageMiddleware
from knowhow.search import views


class CachedSearchPageMiddleware(EarlyPageMiddleware):
    _path: str | None = None

    @property
    def path(self) -> str:
        """The search page's path ("" when the URLconf has none, as in some tests)."""
        if self._path is None:
            try:
                self._path = reverse("search:search")
            except NoReverseMatch:
                self._path = ""
        return self._path

    def cached_page(self, request: HttpRequest) -> HttpResponse | None:
        if (
            not self.path
            or request.path_info != self.path
            or not settings.SEARCH_RESULT_CACHE_SECONDS
        ):
            return None
        return views.search_early(request)
