"""RFC 9457 problem details: every API error, mapped from its exception in this one place."""

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError

from knowhow.core.errors import ApplicationError

PROBLEM_CONTENT_TYPE = "application/problem+json"
TITLES = {
    400: "Bad request",
    401: "Authentication required",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    422: "Invalid input",
    429: "Too many requests",
}


class Problem(Schema):
    type: str
    title: str
    status: int
    detail: str
    code: str
    field: str | None = None
    errors: list[dict[str, Any]] | None = None


def problem_response(
    request: HttpRequest,
    *,
    status: int,
    code: str,
    detail: str,
    field: str | None = None,
    errors: list[dict[str, Any]] | None = None,
) -> HttpResponse:
    import json

    body: dict[str, Any] = {
        "type": f"/api/v1/problems/{code}",
        "title": TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
        "code": code,
    }
    if field:
        body["field"] = field
    if errors is not None:
        body["errors"] = errors
    return HttpResponse(
        json.dumps(body, default=str), status=status, content_type=PROBLEM_CONTENT_TYPE
    )


def _clean_errors(errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for e in errors:
        out.append(
            {
                "loc": [str(p) for p in e.get("loc", [])],
                "msg": str(e.get("msg", "")),
                "type": str(e.get("type", "")),
            }
        )
    return out


def install(api: NinjaAPI) -> None:
    @api.exception_handler(ApplicationError)
    def application_error(request: HttpRequest, exc: ApplicationError) -> HttpResponse:
        return problem_response(
            request, status=exc.status_code, code=exc.code, detail=exc.message, field=exc.field
        )

    @api.exception_handler(ValidationError)
    def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        errors = _clean_errors(exc.errors)
        first = errors[0] if errors else {"loc": [], "msg": "Invalid input."}
        detail = f"{'.'.join(first['loc'][1:] or first['loc'])}: {first['msg']}".lstrip(": ")
        return problem_response(
            request, status=422, code="validation_failed", detail=detail, errors=errors
        )

    @api.exception_handler(AuthenticationError)
    def authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return problem_response(
            request,
            status=401,
            code="not_authenticated",
            detail="Authentication is required: send `Authorization: Bearer kh_...` or log in.",
        )

    @api.exception_handler(Throttled)
    def throttled(request: HttpRequest, exc: Throttled) -> HttpResponse:
        return problem_response(
            request,
            status=429,
            code="rate_limited",
            detail="Too many writes; wait for the time given in Retry-After.",
        )

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        return problem_response(
            request, status=exc.status_code, code="http_error", detail=str(exc.message)
        )

    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return problem_response(request, status=404, code="not_found", detail="Not found.")


@csrf_exempt
def not_found_view(request: HttpRequest, rest: str = "") -> HttpResponse:
    """Unknown paths under /api/v1/ answer in the API's error format, not with the HTML 404."""
    return problem_response(
        request, status=404, code="not_found", detail="There is no such API endpoint."
    )


# Every error status an operation may answer with, all as problem details.
ERROR_CODES = frozenset({400, 401, 403, 404, 409, 422, 429})
