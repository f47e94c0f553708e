"""The SCIM 2.0 wire format (RFC 7643/7644): resources to JSON, filters and PATCH operations."""

import re
from typing import Any

from django.urls import reverse

from knowhow.accounts.models import User
from knowhow.core.errors import ApplicationError
from knowhow.provisioning.models import ScimGroup
from knowhow.provisioning.services import UserAttributes

USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group"
ENTERPRISE_SCHEMA = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
LIST_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
PATCH_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
ERROR_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:Error"


class ScimError(ApplicationError):
    """The SCIM request is not valid."""

    def __init__(self, message: str, *, status: int = 400, scim_type: str = "") -> None:
        super().__init__(message)
        self.status_code = status
        self.scim_type = scim_type


def error_body(*, status: int, detail: str, scim_type: str = "") -> dict[str, Any]:
    body: dict[str, Any] = {"schemas": [ERROR_SCHEMA], "status": str(status), "detail": detail}
    if scim_type:
        body["scimType"] = scim_type
    return body


def _iso(value: Any) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value else None


def user_to_scim(user: User, *, base: str) -> dict[str, Any]:
    link = getattr(user, "scim", None)
    body: dict[str, Any] = {
        "schemas": [USER_SCHEMA, ENTERPRISE_SCHEMA],
        "id": str(user.pk),
        "userName": user.username,
        "name": {
            "givenName": user.first_name,
            "familyName": user.last_name,
            "formatted": f"{user.first_name} {user.last_name}".strip(),
        },
        "displayName": user.display_name,
        "title": user.job_title,
        "active": user.is_active,
        "emails": [{"value": user.email, "type": "work", "primary": True}] if user.email else [],
        "groups": [{"value": str(g.pk), "display": g.display_name} for g in user.scim_groups.all()],
        ENTERPRISE_SCHEMA: {"department": user.department},
        "meta": {
            "resourceType": "User",
            "created": _iso(user.date_joined),
            "lastModified": _iso(link.updated_at if link else user.date_joined),
            "location": base + reverse("provisioning:user", args=[user.pk]),
        },
    }
    if link is not None and link.external_id:
        body["externalId"] = link.external_id
    return body


def group_to_scim(group: ScimGroup, *, base: str, with_members: bool = True) -> dict[str, Any]:
    body: dict[str, Any] = {
        "schemas": [GROUP_SCHEMA],
        "id": str(group.pk),
        "displayName": group.display_name,
        "meta": {
            "resourceType": "Group",
            "created": _iso(group.created_at),
            "lastModified": _iso(group.updated_at),
            "location": base + reverse("provisioning:group", args=[group.pk]),
        },
    }
    if with_members:
        body["members"] = [
            {
                "value": str(u.pk),
                "display": u.username,
                "$ref": base + reverse("provisioning:user", args=[u.pk]),
            }
            for u in group.members.all()
        ]
    if group.external_id:
        body["externalId"] = group.external_id
    return body


def _bool(value: Any) -> bool:
    # Entra ID sends "True"/"False" as strings in PATCH operations.
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in {"true", "false"}:
        return value.strip().lower() == "true"
    raise ScimError("active must be a boolean.", scim_type="invalidValue")


def _str(value: Any, name: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ScimError(f"{name} must be a string.", scim_type="invalidValue")
    return value


def _primary_email(emails: Any) -> str | None:
    if not isinstance(emails, list):
        raise ScimError("emails must be a list.", scim_type="invalidValue")
    chosen = None
    for item in emails:
        usable = isinstance(item, dict) and isinstance(item.get("value"), str)
        if usable and (chosen is None or item.get("primary")):
            chosen = item["value"]
    return chosen or ""


def user_attributes(data: Any) -> UserAttributes:
    """Attributes from a full User resource (POST or PUT)."""
    if not isinstance(data, dict):
        raise ScimError("The body must be a JSON object.", scim_type="invalidSyntax")
    attrs = UserAttributes()
    for path, value in data.items():
        _set_user_path(attrs, path, value)
    return attrs


_EMAIL_PATH = re.compile(r'^emails\[type eq "(\w+)"\]\.value$', re.I)


def _set_user_path(attrs: UserAttributes, path: str, value: Any) -> None:
    key = path.strip()
    lowered = key.lower()
    if lowered.startswith(ENTERPRISE_SCHEMA.lower() + ":"):
        sub = key[len(ENTERPRISE_SCHEMA) + 1 :].lower()
        if sub == "department":
            attrs.department = _str(value, "department")
        return
    if lowered == ENTERPRISE_SCHEMA.lower():
        if isinstance(value, dict) and "department" in value:
            attrs.department = _str(value["department"], "department")
        return
    if lowered == "username":
        attrs.user_name = _str(value, "userName")
    elif lowered == "externalid":
        attrs.external_id = _str(value, "externalId")
    elif lowered == "displayname":
        attrs.display_name = _str(value, "displayName")
    elif lowered == "title":
        attrs.title = _str(value, "title")
    elif lowered == "active":
        attrs.active = _bool(value)
    elif lowered == "emails":
        attrs.email = _primary_email(value)
    elif _EMAIL_PATH.match(key):
        attrs.email = _str(value, "email")
    elif lowered == "name":
        if not isinstance(value, dict):
            raise ScimError("name must be an object.", scim_type="invalidValue")
        if "givenName" in value:
            attrs.given_name = _str(value["givenName"], "givenName")
        if "familyName" in value:
            attrs.family_name = _str(value["familyName"], "familyName")
    elif lowered == "name.givenname":
        attrs.given_name = _str(value, "givenName")
    elif lowered == "name.familyname":
        attrs.family_name = _str(value, "familyName")
    # Other attributes (schemas, id, meta, password, locale, phoneNumbers...) are not kept.


def user_patch_attributes(data: Any) -> UserAttributes:
    attrs = UserAttributes()
    for op, path, value in patch_operations(data):
        if op == "remove":
            if path and path.lower() in {"title", "displayname"}:
                _set_user_path(attrs, path, "")
            continue
        if path:
            _set_user_path(attrs, path, value)
        elif isinstance(value, dict):
            for key, item in value.items():
                _set_user_path(attrs, key, item)
        else:
            raise ScimError(
                "A PATCH without a path needs an object value.", scim_type="invalidValue"
            )
    return attrs


def patch_operations(data: Any) -> list[tuple[str, str, Any]]:
    if not isinstance(data, dict) or not isinstance(data.get("Operations"), list):
        raise ScimError("A PATCH body needs an Operations list.", scim_type="invalidSyntax")
    result = []
    for operation in data["Operations"]:
        if not isinstance(operation, dict):
            raise ScimError("Each operation must be an object.", scim_type="invalidSyntax")
        op = str(operation.get("op", "")).lower()
        if op not in {"add", "replace", "remove"}:
            raise ScimError(f"Unknown operation {op!r}.", scim_type="invalidSyntax")
        path = operation.get("path") or ""
        if not isinstance(path, str):
            raise ScimError("path must be a string.", scim_type="invalidPath")
        result.append((op, path, operation.get("value")))
    return result


def member_ids(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, dict):
        value = [value]
    if not isinstance(value, list) or not all(
        isinstance(m, dict) and isinstance(m.get("value"), str | int) for m in value
    ):
        raise ScimError('members must be a list of {"value": id}.', scim_type="invalidValue")
    return [str(m["value"]) for m in value]


_MEMBER_FILTER = re.compile(r'^members\[value eq "([^"]+)"\]$', re.I)


def group_patch(data: Any) -> dict[str, Any]:
    """The changes a group PATCH asks for, as keyword arguments of scim_group_update."""
    changes: dict[str, Any] = {"add": [], "remove": []}
    for op, path, value in patch_operations(data):
        lowered = path.lower()
        if lowered == "members":
            if op == "add":
                changes["add"] += member_ids(value)
            elif op == "remove":
                changes["remove"] += member_ids(value) if value is not None else []
                if value is None:
                    changes["replace"] = []
            else:
                changes["replace"] = member_ids(value)
        elif match := _MEMBER_FILTER.match(path):
            if op != "remove":
                raise ScimError("Only remove may target one member.", scim_type="invalidPath")
            changes["remove"].append(match.group(1))
        elif lowered == "displayname":
            changes["display_name"] = _str(value, "displayName")
        elif lowered == "externalid":
            changes["external_id"] = _str(value, "externalId")
        elif not path and isinstance(value, dict):
            if "displayName" in value:
                changes["display_name"] = _str(value["displayName"], "displayName")
            if "externalId" in value:
                changes["external_id"] = _str(value["externalId"], "externalId")
            if "members" in value:
                if op == "add":
                    changes["add"] += member_ids(value["members"])
                else:
                    changes["replace"] = member_ids(value["members"])
        else:
            raise ScimError(f"Unsupported path {path!r}.", scim_type="invalidPath")
    return changes


_FILTER = re.compile(r'^\s*([\w.:\[\]"]+)\s+eq\s+"((?:[^"\\]|\\.)*)"\s*$', re.I)


def parse_filter(text: str, *, allowed: dict[str, str]) -> tuple[str, str] | None:
    """`attr eq "value"` → (model lookup, value); None for no filter. Only eq is supported,
    which is what Okta and Entra ID send."""
    if not text:
        return None
    match = _FILTER.match(text)
    if not match:
        raise ScimError(
            'Only filters of the form attr eq "value" are supported.', scim_type="invalidFilter"
        )
    attribute = match.group(1).lower()
    if attribute not in allowed:
        raise ScimError(f"Cannot filter on {match.group(1)}.", scim_type="invalidFilter")
    return allowed[attribute], match.group(2).replace('\\"', '"')
