"""Who is calling: a personal token (Bearer kh_...), the browser session (with CSRF), or nobody."""

from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from knowhow.accounts.services import api_token_authenticate
from knowhow.core.errors import ApplicationError, PermissionRefused
from knowhow.moderation.permissions import check_may_write

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


class NotAuthenticated(ApplicationError):
    """Authentication is required: send `Authorization: Bearer kh_...` or log in."""

    status_code = 401
    code = "not_authenticated"


class InvalidToken(NotAuthenticated):
    """The API token is unknown, revoked, or belongs to a deactivated account."""

    code = "invalid_token"


class CsrfFailed(PermissionRefused):
    """Session-authenticated writes need the CSRF token in the X-CSRFToken header."""

    code = "csrf_failed"


def _check_may_write(request: HttpRequest, user: Any) -> None:
    """A suspended person reads through the API but writes nothing (as on the pages)."""
    if request.method not in SAFE_METHODS:
        check_may_write(user)


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = api_token_authenticate(raw=token)
        if user is None:
            raise InvalidToken()
        request.user = user
        _check_may_write(request, user)
        return user


class SessionWithCsrf(APIKeyCookie):
    """Django's session; unsafe methods must also pass Django's CSRF check."""

    param_name = settings.SESSION_COOKIE_NAME

    def __init__(self) -> None:
        super().__init__(csrf=False)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        if not request.user.is_authenticated:
            return None
        if request.method not in SAFE_METHODS and check_csrf(request) is not None:
            raise CsrfFailed()
        _check_may_write(request, request.user)
        return request.user


class Anonymous:
    """Lets reads through without credentials; visibility rules then apply to an anonymous viewer."""

    def __call__(self, request: HttpRequest) -> Any:
        if request.headers.get("Authorization"):
            raise InvalidToken("Use `Authorization: Bearer kh_...` with a personal API token.")
        return AnonymousUser()


READ_AUTH = [BearerToken(), SessionWithCsrf(), Anonymous()]
WRITE_AUTH = [BearerToken(), SessionWithCsrf()]
