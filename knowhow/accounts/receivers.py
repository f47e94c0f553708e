"""Records sessions at login and forgets them at logout (Django's own auth signals)."""

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.core.cache import cache
from django.dispatch import receiver
from django.http import HttpRequest

from knowhow.accounts import services
from knowhow.accounts.middleware import SEEN_EVERY_SECONDS, client_ip, session_seen_cache_key


@receiver(user_logged_in, dispatch_uid="knowhow.accounts.session_record")
def _record_session(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if request is None or not hasattr(request, "session"):
        return
    backend = request.session.get("_auth_user_backend", "")
    method = "single sign-on" if "allauth" in backend else "password"
    record = services.session_record(
        user=user,
        session=request.session,
        ip=client_ip(request),
        user_agent=request.headers.get("User-Agent", ""),
        method=method,
    )
    if record is not None:
        # Just recorded as seen: the middleware need not write again for a while.
        cache.set(session_seen_cache_key(record.session_key), 1, SEEN_EVERY_SECONDS)


@receiver(user_logged_out, dispatch_uid="knowhow.accounts.session_forget")
def _forget_session(sender: Any, request: HttpRequest | None, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session"):
        services.session_forget(session_key=request.session.session_key)
