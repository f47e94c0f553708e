"""Sessions read from the cache and written through to the database (Django's cached_db), with
the cached copy kept at most `SESSION_CACHE_MAX_SECONDS` when the cache belongs to one process.

The embedded default's cache is per process: a session revoked in one server process (sign out
everywhere, a removed or suspended account, SCIM) is deleted from that process's cache and the
database, but another process would go on accepting its cached copy until the session expires.
Capping how long a copy is cached bounds that to a few seconds while still saving the session
query on most requests. With a shared cache (Redis) the deletion is seen at once and nothing is
capped.
"""

from typing import Any

from django.conf import settings
from django.contrib.sessions.backends.cached_db import SessionStore as CachedDBStore
from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache


class _CappedCache:
    """The session cache with every `set`'s timeout capped."""

    def __init__(self, cache: Any, cap: int) -> None:
        self._cache = cache
        self._cap = cap

    def set(self, key: str, value: Any, timeout: Any = None, **kwargs: Any) -> None:
        if timeout is None or timeout > self._cap:
            timeout = self._cap
        self._cache.set(key, value, timeout, **kwargs)

    async def aset(self, key: str, value: Any, timeout: Any = None, **kwargs: Any) -> None:
        if timeout is None or timeout > self._cap:
            timeout = self._cap
        await self._cache.aset(key, value, timeout, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._cache, name)

    def __contains__(self, key: str) -> bool:
        return key in self._cache


class SessionStore(CachedDBStore):
    def __init__(self, session_key: str | None = None) -> None:
        super().__init__(session_key)
        cache = caches[settings.SESSION_CACHE_ALIAS]
        if isinstance(cache, LocMemCache):
            self._cache = _CappedCache(cache, settings.SESSION_CACHE_MAX_SECONDS)
