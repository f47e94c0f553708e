"""Rate limits on writes, per token (or session user) and per client IP, in the Django cache."""

import hashlib
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from ninja.throttling import BaseThrottle

from knowhow.api.auth import SAFE_METHODS


def _window() -> int:
    return int(settings.API_WRITE_LIMIT_WINDOW)


class WriteThrottle(BaseThrottle):
    """A fixed-window counter: at most `limit` writes per window for one identity."""

    scope = ""

    def limit(self) -> int:
        raise NotImplementedError

    def identity(self, request: HttpRequest) -> str | None:
        raise NotImplementedError

    def allow_request(self, request: HttpRequest) -> bool:
        if request.method in SAFE_METHODS:
            return True
        ident = self.identity(request)
        if ident is None:
            return True
        window = _window()
        now = time.time()
        bucket = int(now // window)
        self._wait = window - (now - bucket * window)
        key = f"api-write:{self.scope}:{ident}:{bucket}"
        cache.add(key, 0, timeout=window + 1)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=window + 1)
            count = 1
        return count <= self.limit()

    def wait(self) -> float | None:
        return max(1.0, getattr(self, "_wait", float(_window())))


class PerCaller(WriteThrottle):
    scope = "caller"

    def limit(self) -> int:
        return int(settings.API_WRITE_LIMIT_PER_CALLER)

    def identity(self, request: HttpRequest) -> str | None:
        header = request.headers.get("Authorization", "")
        if header.lower().startswith("bearer "):
            return "t" + hashlib.sha256(header[7:].strip().encode()).hexdigest()[:32]
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            return f"u{user.pk}"
        return None


class PerIp(WriteThrottle):
    scope = "ip"

    def limit(self) -> int:
        return int(settings.API_WRITE_LIMIT_PER_IP)

    def identity(self, request: HttpRequest) -> str | None:
        return self.get_ident(request)
