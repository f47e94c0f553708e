"""Keeps the 'last seen' time of signed-in sessions fresh (at most one write per few minutes)."""

import time
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from knowhow.accounts.models import UserSession

SEEN_KEY = "_knowhow_seen"
SEEN_EVERY_SECONDS = 300


def client_ip(request: HttpRequest) -> str | None:
    # Behind the proxy that HTTPS=1 expects, the server sees the proxy's address; operators who
    # need the person's address put the proxy's X-Forwarded-For into REMOTE_ADDR (gunicorn does).
    return request.META.get("REMOTE_ADDR") or None


class SessionActivityMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        session = getattr(request, "session", None)
        user = getattr(request, "user", None)
        if session is None or user is None or not user.is_authenticated or not session.session_key:
            return response
        now = int(time.time())
        if now - int(session.get(SEEN_KEY, 0)) >= SEEN_EVERY_SECONDS:
            session[SEEN_KEY] = now
            UserSession.objects.filter(session_key=session.session_key).update(
                last_seen_at=timezone.now()
            )
        return response
