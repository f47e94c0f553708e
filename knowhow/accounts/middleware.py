"""Request-level parts of accounts: the person behind a session (memoized on SQLite while the
database is unchanged), the person's address, the 'last seen' time of sessions (at most one
write per session every few minutes, tracked in the cache so that ordinary requests cost no
query), and the two-factor requirement for administrators."""

import copy
import ipaddress
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import auth
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, load_backend
from django.contrib.auth.middleware import (
    AuthenticationMiddleware as DjangoAuthenticationMiddleware,
)
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.crypto import constant_time_compare

from knowhow.accounts.models import User, UserSession
from knowhow.core.read_memo import memoized

SEEN_EVERY_SECONDS = 300


class AuthenticationMiddleware(DjangoAuthenticationMiddleware):
    """Django's, but the person behind a session is read once per thread while the database is
    unchanged (`core.read_memo`: on SQLite and PostgreSQL, outside transactions; on another
    database every request reads them, as Django does). Any write to the database, from any
    thread or process, drops the
    memo, so deactivation, a password change, SCIM deprovisioning and erasure are seen on the
    next request. Only a session that verifies with the current secret is memoized; anything
    else (no such person, a fallback secret, a failed check) goes through Django's `get_user`
    every time, which re-keys or flushes the session as it always does.

    The person is loaded here, not behind Django's lazy proxy: every request through this stack
    reads it anyway (SessionActivityMiddleware asks `is_authenticated` on every response), and
    through the proxy each attribute read is a method call (a signed-in question page made
    ~160 of them, a fifth of its time in process)."""

    def process_request(self, request: HttpRequest) -> None:
        super().process_request(request)
        request.user = session_user(request)


def session_user(request: HttpRequest) -> Any:
    if not hasattr(request, "_cached_user"):
        request._cached_user = _session_user(request)  # type: ignore[attr-defined]
    return request._cached_user  # type: ignore[attr-defined]


def _session_user(request: HttpRequest) -> Any:
    session = request.session
    try:
        user_id = session[SESSION_KEY]
        backend_path = session[BACKEND_SESSION_KEY]
        session_hash = session[HASH_SESSION_KEY]
    except KeyError:
        return auth.get_user(request)
    if not session_hash or backend_path not in settings.AUTHENTICATION_BACKENDS:
        return auth.get_user(request)
    key = (
        "session-user",
        str(user_id),
        backend_path,
        session_hash,
        tuple(settings.AUTHENTICATION_BACKENDS),
        settings.SECRET_KEY,
    )
    user = memoized(key, lambda: _verified_user(user_id, backend_path, session_hash))
    if user is None:
        return auth.get_user(request)
    # Each request gets its own copy (own field values and relation cache) to change freely.
    return copy.copy(user)


def _verified_user(user_id: Any, backend_path: str, session_hash: str) -> User | None:
    """The person, if the session's hash matches them with the current secret; else None."""
    user = load_backend(backend_path).get_user(User._meta.pk.to_python(user_id))
    if user is None or not constant_time_compare(session_hash, user.get_session_auth_hash()):
        return None
    return user  # type: ignore[no-any-return]


def session_seen_cache_key(session_key: str) -> str:
    return f"knowhow:session-seen:{session_key}"


def client_ip(request: HttpRequest) -> str | None:
    """The person's address. Behind a reverse proxy every request comes from the proxy, which
    would make one person's failed logins lock everybody out; with TRUSTED_PROXIES=N the
    address that the N-th proxy from us saw is taken from X-Forwarded-For instead."""
    hops = getattr(settings, "TRUSTED_PROXIES", 0)
    if hops:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= hops:
            candidate = forwarded[-hops]
            try:
                return str(ipaddress.ip_address(candidate))
            except ValueError:
                pass
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
        if cache.add(session_seen_cache_key(session.session_key), 1, SEEN_EVERY_SECONDS):
            UserSession.objects.filter(session_key=session.session_key).update(
                last_seen_at=timezone.now()
            )
        return response


class TwoFactorRequiredMiddleware:
    """With TWO_FACTOR_REQUIRED_FOR_STAFF on, administrators who log in with a password must
    turn two-factor authentication on before they can use anything else."""

    ALLOWED_PREFIXES = ("/accounts/two-factor/", "/accounts/logout/", "/static/", "/healthz")

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            settings.TWO_FACTOR_REQUIRED_FOR_STAFF
            and user is not None
            and user.is_authenticated
            and user.is_staff
            and user.has_usable_password()
            and not request.path.startswith(self.ALLOWED_PREFIXES)
        ):
            from knowhow.accounts.two_factor import has_two_factor

            if not has_two_factor(user):
                from django.contrib import messages
                from django.shortcuts import redirect

                messages.warning(
                    request, "Administrators must turn on two-factor authentication first."
                )
                return redirect("accounts:two_factor")
        return self.get_response(request)
