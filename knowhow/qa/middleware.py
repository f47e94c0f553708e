"""Serves the cached anonymous question page early in the middleware stack (see
`core.early_page`). Everything else (a miss, a redirect, a 404, a page that needs a CSRF token,
a query string) goes down the stack as usual.
"""

from django.http import HttpRequest, HttpResponse
from django.urls import NoReverseMatch, Resolver404, resolve, reverse

from knowhow.core.early_page import EarlyPageMiddleware
from knowhow.qa import views


class CachedQuestionPageMiddleware(EarlyPageMiddleware):
    _prefix: str | None = None

    @property
    def prefix(self) -> str:
        """Only paths under the question page's prefix are resolved a second time ("" when
        the URLconf has no question page, as in some tests: then nothing is)."""
        if self._prefix is None:
            try:
                url = reverse("qa:question_detail", kwargs={"pk": 1})
            except NoReverseMatch:
                url = ""
            self._prefix = url.rsplit("1/", 1)[0]
        return self._prefix

    def cached_page(self, request: HttpRequest) -> HttpResponse | None:
        if (
            not self.prefix
            or not request.path_info.startswith(self.prefix)
            or request.META.get("QUERY_STRING")
        ):
            return None
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return None
        if match.func is not views.question_detail:
            return None
        return views.question_detail_early(request, **match.kwargs)
