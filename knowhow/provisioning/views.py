"""SCIM 2.0 endpoints under /scim/v2/: Users, Groups and the discovery resources.

Authenticated with a bearer token (settings.SCIM_TOKEN or an admin-made ProvisioningToken);
every error is a SCIM error document, never an HTML page.
"""

import json
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from knowhow.accounts.models import User
from knowhow.core.errors import ApplicationError, Conflict
from knowhow.provisioning import scim, services
from knowhow.provisioning.models import ScimGroup

CONTENT_TYPE = "application/scim+json"
MAX_COUNT = 200


def _response(body: dict[str, Any], status: int = 200) -> JsonResponse:
    return JsonResponse(body, status=status, content_type=CONTENT_TYPE)


def _error(status: int, detail: str, scim_type: str = "") -> JsonResponse:
    return _response(scim.error_body(status=status, detail=detail, scim_type=scim_type), status)


def scim_endpoint(methods: set[str]) -> Callable:
    def decorate(view: Callable) -> Callable:
        @csrf_exempt
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            header = request.headers.get("Authorization", "")
            raw = header[7:].strip() if header.lower().startswith("bearer ") else ""
            if not services.provisioning_token_valid(raw=raw):
                response = _error(401, "A valid bearer token is required.")
                response["WWW-Authenticate"] = 'Bearer realm="SCIM"'
                return response
            if request.method not in methods:
                return _error(405, f"{request.method} is not supported here.")
            body = None
            if request.method in {"POST", "PUT", "PATCH"}:
                try:
                    body = json.loads(request.body or b"null")
                except (ValueError, UnicodeDecodeError):
                    return _error(400, "The body is not valid JSON.", "invalidSyntax")
            try:
                return view(request, body, *args, **kwargs)
            except scim.ScimError as error:
                return _error(error.status_code, error.message, error.scim_type)
            except Conflict as error:
                return _error(409, error.message, "uniqueness")
            except ApplicationError as error:
                scim_type = "invalidValue" if error.status_code == 400 else ""
                return _error(error.status_code, error.message, scim_type)

        return wrapper

    return decorate


def _base(request: HttpRequest) -> str:
    return request.build_absolute_uri("/").rstrip("/")


def _paging(request: HttpRequest) -> tuple[int, int]:
    try:
        start = max(1, int(request.GET.get("startIndex", "1")))
        count = min(MAX_COUNT, max(0, int(request.GET.get("count", "100"))))
    except ValueError as error:
        raise scim.ScimError(
            "startIndex and count must be numbers.", scim_type="invalidValue"
        ) from error
    return start, count


def _list(resources: list[dict[str, Any]], *, total: int, start: int) -> JsonResponse:
    return _response(
        {
            "schemas": [scim.LIST_SCHEMA],
            "totalResults": total,
            "startIndex": start,
            "itemsPerPage": len(resources),
            "Resources": resources,
        }
    )


USER_FILTERS = {
    "username": "username__iexact",
    "externalid": "scim__external_id",
    "emails.value": "email__iexact",
    'emails[type eq "work"].value': "email__iexact",
    "id": "pk",
}
GROUP_FILTERS = {"displayname": "display_name__iexact", "externalid": "external_id", "id": "pk"}


def _users() -> Any:
    return (
        User.objects.filter(is_claimed=True)
        .select_related("scim")
        .prefetch_related(
            Prefetch("scim_groups", queryset=ScimGroup.objects.only("id", "display_name"))
        )
        .order_by("pk")
    )


@scim_endpoint({"GET", "POST"})
def users(request: HttpRequest, body: Any) -> HttpResponse:
    if request.method == "POST":
        user = services.scim_user_create(attrs=scim.user_attributes(body))
        return _response(scim.user_to_scim(_users().get(pk=user.pk), base=_base(request)), 201)
    start, count = _paging(request)
    qs = _users()
    condition = scim.parse_filter(request.GET.get("filter", ""), allowed=USER_FILTERS)
    if condition:
        lookup, value = condition
        qs = qs.none() if lookup == "pk" and not value.isdigit() else qs.filter(**{lookup: value})
    total = qs.count()
    page = list(qs[start - 1 : start - 1 + count])
    return _list(
        [scim.user_to_scim(u, base=_base(request)) for u in page], total=total, start=start
    )


@scim_endpoint({"GET", "PUT", "PATCH", "DELETE"})
def user(request: HttpRequest, body: Any, pk: str) -> HttpResponse:
    person = services.scim_user_get(user_id=pk)
    if request.method == "DELETE":
        services.scim_user_delete(user=person)
        return HttpResponse(status=204)
    if request.method == "PUT":
        services.scim_user_update(user=person, attrs=scim.user_attributes(body))
    elif request.method == "PATCH":
        services.scim_user_update(user=person, attrs=scim.user_patch_attributes(body))
    return _response(scim.user_to_scim(_users().get(pk=person.pk), base=_base(request)))


def _groups() -> Any:
    return ScimGroup.objects.prefetch_related(
        Prefetch("members", queryset=User.objects.only("id", "username").order_by("pk"))
    )


@scim_endpoint({"GET", "POST"})
def groups(request: HttpRequest, body: Any) -> HttpResponse:
    if request.method == "POST":
        if not isinstance(body, dict):
            raise scim.ScimError("The body must be a JSON object.", scim_type="invalidSyntax")
        group = services.scim_group_create(
            display_name=scim._str(body.get("displayName"), "displayName"),
            external_id=scim._str(body.get("externalId"), "externalId"),
            member_ids=scim.member_ids(body.get("members")),
        )
        return _response(scim.group_to_scim(_groups().get(pk=group.pk), base=_base(request)), 201)
    start, count = _paging(request)
    qs = _groups().order_by("pk")
    condition = scim.parse_filter(request.GET.get("filter", ""), allowed=GROUP_FILTERS)
    if condition:
        lookup, value = condition
        qs = qs.none() if lookup == "pk" and not value.isdigit() else qs.filter(**{lookup: value})
    with_members = "members" not in request.GET.get("excludedAttributes", "")
    total = qs.count()
    page = list(qs[start - 1 : start - 1 + count])
    return _list(
        [scim.group_to_scim(g, base=_base(request), with_members=with_members) for g in page],
        total=total,
        start=start,
    )


@scim_endpoint({"GET", "PUT", "PATCH", "DELETE"})
def group(request: HttpRequest, body: Any, pk: str) -> HttpResponse:
    target = services.scim_group_get(group_id=pk)
    if request.method == "DELETE":
        services.scim_group_delete(group=target)
        return HttpResponse(status=204)
    if request.method == "PUT":
        if not isinstance(body, dict):
            raise scim.ScimError("The body must be a JSON object.", scim_type="invalidSyntax")
        services.scim_group_update(
            group=target,
            display_name=scim._str(body.get("displayName"), "displayName") or None,
            external_id=scim._str(body.get("externalId"), "externalId"),
            replace=scim.member_ids(body.get("members")),
        )
    elif request.method == "PATCH":
        services.scim_group_update(group=target, **scim.group_patch(body))
        if not request.GET.get("attributes"):
            return HttpResponse(status=204)
    return _response(scim.group_to_scim(_groups().get(pk=target.pk), base=_base(request)))


@scim_endpoint({"GET"})
def service_provider_config(request: HttpRequest, body: Any) -> HttpResponse:
    return _response(
        {
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"],
            "patch": {"supported": True},
            "bulk": {"supported": False, "maxOperations": 0, "maxPayloadSize": 0},
            "filter": {"supported": True, "maxResults": MAX_COUNT},
            "changePassword": {"supported": False},
            "sort": {"supported": False},
            "etag": {"supported": False},
            "authenticationSchemes": [
                {
                    "type": "oauthbearertoken",
                    "name": "Bearer token",
                    "description": "Authorization: Bearer <token>",
                    "primary": True,
                }
            ],
        }
    )


@scim_endpoint({"GET"})
def resource_types(request: HttpRequest, body: Any) -> HttpResponse:
    types = [
        {
            "id": "User",
            "name": "User",
            "endpoint": "/Users",
            "schema": scim.USER_SCHEMA,
            "schemaExtensions": [{"schema": scim.ENTERPRISE_SCHEMA, "required": False}],
        },
        {"id": "Group", "name": "Group", "endpoint": "/Groups", "schema": scim.GROUP_SCHEMA},
    ]
    for t in types:
        t["schemas"] = ["urn:ietf:params:scim:schemas:core:2.0:ResourceType"]
    return _list(types, total=len(types), start=1)
