"""Request-level parts of accounts: the person's address, the 'last seen' time of sessions (at
most one write per session every few minutes, tracked in the cache so that ordinary requests
cost no query), and the two-factor requirement for administrators."""

import ipaddress
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from knowhow.accounts.models import UserSession

SEEN_EVERY_SECONDS = 300


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
