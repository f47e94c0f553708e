"""Maps ApplicationError raised anywhere in a view to one HTTP answer."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from knowhow.core.errors import ApplicationError


class ApplicationErrorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, ApplicationError):
            return None
        if request.headers.get("HX-Request"):
            response = render(
                request,
                "core/_error_fragment.html",
                {"message": exception.message},
                status=exception.status_code,
            )
            # Let htmx swap the message into the page-wide message area instead of the target.
            response["HX-Retarget"] = "#flash"
            response["HX-Reswap"] = "innerHTML"
            return response
        return render(
            request,
            "core/error.html",
            {"message": exception.message, "status": exception.status_code},
            status=exception.status_code,
        )


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
