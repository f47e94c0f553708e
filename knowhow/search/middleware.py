"""Serves the cached anonymous search page early in the middleware stack.

Like `qa.middleware` for the question page: a visitor with no session cookie and no message
cookie is anonymous with nothing pending, so the shared page (`result_cache.py`) is answered
before sessions, authentication, CSRF and messages, with the headers they would have added
(Vary: Cookie, Content-Length). A miss goes down the stack as usual, and the view stores the
page for the next visitor.
"""

from collections.abc import Callable

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.http import HttpRequest, HttpResponse
from django.urls import NoReverseMatch, reverse
from django.utils.cache import patch_vary_headers

from knowhow.search import views


class CachedSearchPageMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.cookies = (settings.SESSION_COOKIE_NAME, CookieStorage.cookie_name)
        self._path: str | None = None

    @property
    def path(self) -> str:
        """The search page's path ("" when the URLconf has none, as in some tests)."""
        if self._path is None:
            try:
                self._path = reverse("search:search")
            except NoReverseMatch:
                self._path = ""
        return self._path

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.early_response(request)
        return response if response is not None else self.get_response(request)

    def early_response(self, request: HttpRequest) -> HttpResponse | None:
        if (
            request.method != "GET"
            or not self.path
            or request.path_info != self.path
            or not settings.SEARCH_RESULT_CACHE_SECONDS
            or any(name in request.COOKIES for name in self.cookies)
        ):
            return None
        response = views.search_early(request)
        if response is None:
            return None
        patch_vary_headers(response, ("Cookie",))
        response.headers["Content-Length"] = str(len(response.content))
        return response
