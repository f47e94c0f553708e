"""Maps ApplicationError raised anywhere in a view to one HTTP answer."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
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
            return error_response(request, "The address contains a null character.", 400)
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, ApplicationError):
            return None
        return error_response(request, exception.message, exception.status_code)
