"""Serves the cached anonymous question page early in the middleware stack.

A visitor with no session cookie and no message cookie is anonymous and has nothing pending, so
the shared page (`page_cache.py`) can be answered before sessions, authentication, CSRF,
messages and the other per-person middleware run, as Django's own cache middleware does. It
sits after the middleware that add the security headers (SecurityMiddleware, X-Frame-Options,
the Content-Security-Policy), so a page from here carries exactly the headers of one from the
view; the headers the skipped middleware would add (Vary: Cookie from the session lookup for
messages, Content-Length from CommonMiddleware) are set here. Everything else (a miss, a
redirect, a 404, a page that needs a CSRF token, a query string) goes down the stack as usual.
"""

from collections.abc import Callable

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.http import HttpRequest, HttpResponse
from django.urls import NoReverseMatch, Resolver404, resolve, reverse
from django.utils.cache import patch_vary_headers

from knowhow.qa import views


class CachedQuestionPageMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.cookies = (settings.SESSION_COOKIE_NAME, CookieStorage.cookie_name)
        self._prefix: str | None = None

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

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.early_response(request)
        return response if response is not None else self.get_response(request)

    def early_response(self, request: HttpRequest) -> HttpResponse | None:
        if (
            request.method != "GET"
            or not self.prefix
            or not request.path_info.startswith(self.prefix)
            or request.META.get("QUERY_STRING")
            or any(name in request.COOKIES for name in self.cookies)
        ):
            return None
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return None
        if match.func is not views.question_detail:
            return None
        response = views.question_detail_early(request, **match.kwargs)
        if response is None:
            return None
        patch_vary_headers(response, ("Cookie",))
        response.headers["Content-Length"] = str(len(response.content))
        return response
