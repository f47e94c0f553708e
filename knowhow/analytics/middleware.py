"""Collects the events of one request and writes them in one batch after the response is built."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from knowhow.analytics.services import buffer_flush, buffer_start


class EventBufferMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        buffer_start()
        try:
            return self.get_response(request)
        finally:
            # The signed-in person as authentication already loaded them (never loaded here):
            # their events need no second look-up of the same row.
            buffer_flush(known_user=getattr(request, "_cached_user", None))
