"""Maps ApplicationError raised anywhere in a view to one HTTP answer."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from knowhow.core.errors import ApplicationError


def error_response(request: HttpRequest, message: str, status: int) -> HttpResponse:
    """The error page, or over htmx a message fragment swapped into the flash area."""
    if request.headers.get("HX-Request"):
        response = render(request, "core/_error_fragment.html", {"message": message}, status=status)
        # Let htmx swap the message into the page-wide message area instead of the target.
        response["HX-Retarget"] = "#flash"
        response["HX-Reswap"] = "innerHTML"
        return response
    return render(request, "core/error.html", {"message": message, "status": status}, status=status)


class ApplicationErrorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # PostgreSQL cannot compare or store text with a NUL character, so a NUL in the path
        # or the query string (?q=%00) would end as a 500 in whichever query used it.
        if "\x00" in request.path or any(
            "\x00" in key or any("\x00" in value for value in values)
            for key, values in request.GET.lists()
        ):
            message = "The address contains a null character."
            if request.path.startswith("/api/"):
                # The API answers every error as RFC 9457 problem details.
                return JsonResponse(
                    {
                        "type": "/api/v1/problems/invalid",
                        "title": "Bad request",
                        "status": 400,
                        "detail": message,
                        "code": "invalid",
                    },
                    status=400,
                    content_type="application/problem+json",
                )
            return error_response(request, message, 400)
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, ApplicationError):
            return None
        return error_response(request, exception.message, exception.status_code)


class ContentSecurityPolicyMiddleware:
    """Sends the Content-Security-Policy from settings.CONTENT_SECURITY_POLICY on every response.

    The policy allows scripts and styles only from our own origin: templates carry no inline
    scripts, event handlers or style attributes, so nothing needs 'unsafe-inline'.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        from django.conf import settings

        self.get_response = get_response
        policy = {k: list(v) for k, v in getattr(settings, "CONTENT_SECURITY_POLICY", {}).items()}
        # The single sign-on button posts to us and we redirect to the identity provider;
        # browsers apply form-action to that redirect, so its origin must be allowed.
        for origin in _sso_origins(settings):
            if "form-action" in policy and origin not in policy["form-action"]:
                policy["form-action"].append(origin)
        self.header = "; ".join(
            f"{directive} {' '.join(sources)}".strip() for directive, sources in policy.items()
        )

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if self.header and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = self.header
        return response


def _sso_origins(settings) -> list[str]:  # type: ignore[no-untyped-def]
    from urllib.parse import urlsplit

    providers = getattr(settings, "SOCIALACCOUNT_PROVIDERS", {})
    origins = []
    for app in providers.get("openid_connect", {}).get("APPS", []):
        url = app.get("settings", {}).get("server_url", "")
        parts = urlsplit(url)
        if parts.scheme and parts.netloc:
            origins.append(f"{parts.scheme}://{parts.netloc}")
    return origins
