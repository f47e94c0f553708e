"""A cached page answered early in the middleware stack (the question page, the search page).

A visitor with no session cookie and no message cookie is anonymous and has nothing pending, so
a page cached for every anonymous visitor can be answered before sessions, authentication, CSRF,
messages and the other per-person middleware run, as Django's own cache middleware does. Such a
middleware sits after the ones that add the security headers, so a page from it carries exactly
the headers of one from the view; the headers the skipped middleware would add (Vary: Cookie
from the session lookup for messages, Content-Length from CommonMiddleware) are set here.
"""

from collections.abc import Callable

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_vary_headers


class EarlyPageMiddleware:
    """Subclasses give `cached_page`: the cached response for an anonymous GET, or None to let
    the request go down the stack as usual."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.cookies = (settings.SESSION_COOKIE_NAME, CookieStorage.cookie_name)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.early_response(request)
        return response if response is not None else self.get_response(request)

    def early_response(self, request: HttpRequest) -> HttpResponse | None:
        if request.method != "GET" or any(name in request.COOKIES for name in self.cookies):
            return None
        response = self.cached_page(request)
        if response is None:
            return None
        patch_vary_headers(response, ("Cookie",))
        response.headers["Content-Length"] = str(len(response.content))
        return response

    def cached_page(self, request: HttpRequest) -> HttpResponse | None:
        raise NotImplementedError
