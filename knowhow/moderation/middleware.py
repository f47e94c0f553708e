"""A suspended person may read but not write: every unsafe request from them is refused here,
whichever app it is for, except the few a suspended person still needs (log out, appeal, account
security, their data rights). The API applies the same rule in its authentication."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.urls import Resolver404, resolve

from knowhow.core.errors import ApplicationError
from knowhow.core.middleware import error_response
from knowhow.moderation.permissions import check_may_write

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")

# URL names (namespace:name, or a whole namespace as "namespace:*") a suspended person may post to.
ALLOWED_WHILE_SUSPENDED = {
    "accounts:logout",
    "account_logout",
    "accounts:password_change",
    "accounts:two_factor",
    "accounts:login_verify",
    "accounts:session_revoke",
    "accounts:sessions_revoke_others",
    "accounts:token_revoke",
    "moderation:appeal",
    "privacy:*",
    # Reading, not writing: playback measures, marking notifications read, and e-mail opt-outs
    # (a suspended person must always be able to stop the mail).
    "videos:events",
    "feed:notifications_read",
    "feed:preferences",
    "feed:unsubscribe",
}


def allowed_while_suspended(path: str) -> bool:
    try:
        match = resolve(path)
    except Resolver404:
        return True  # nothing to write to: the view answers 404 itself
    name = f"{match.namespace}:{match.url_name}" if match.namespace else (match.url_name or "")
    return name in ALLOWED_WHILE_SUSPENDED or f"{match.namespace}:*" in ALLOWED_WHILE_SUSPENDED


class SuspensionMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            request.method not in SAFE_METHODS
            and user is not None
            and user.is_authenticated
            # The API answers in its own error format (see knowhow.api.auth).
            and not request.path_info.startswith("/api/")
            and not allowed_while_suspended(request.path_info)
        ):
            try:
                check_may_write(user)
            except ApplicationError as error:
                return error_response(request, error.message, error.status_code)
        return self.get_response(request)
