"""ETag and 304 Not Modified for API reads, applied to every API view in one place."""

import functools
import hashlib
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.utils.cache import patch_vary_headers
from django.utils.http import parse_etags


def with_etag(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A strong ETag over the body of successful GETs; If-None-Match answers 304.

    Responses depend on who asks (visibility), so they vary on Authorization and Cookie and
    are private to the caller's cache.
    """

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        response = view(request, *args, **kwargs)
        if request.method not in ("GET", "HEAD") or response.status_code != 200:
            return response
        if getattr(response, "streaming", False):
            return response
        etag = '"' + hashlib.sha256(response.content).hexdigest()[:32] + '"'
        response["ETag"] = etag
        response["Cache-Control"] = "private, no-cache"
        patch_vary_headers(response, ("Authorization", "Cookie"))
        if_none_match = request.headers.get("If-None-Match")
        if if_none_match and (if_none_match.strip() == "*" or etag in parse_etags(if_none_match)):
            not_modified = HttpResponseNotModified()
            for header in ("ETag", "Cache-Control", "Vary"):
                not_modified[header] = response[header]
            return not_modified
        return response

    return wrapped
