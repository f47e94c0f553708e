"""The public REST API, version 1: routers, error format, rate limits and the OpenAPI document."""

from typing import Any

from ninja import NinjaAPI

from knowhow.analytics import api as analytics_api
from knowhow.api import problems
from knowhow.api.auth import READ_AUTH
from knowhow.api.routers import people, posts, questions, search, tags
from knowhow.api.throttles import PerCaller, PerIp
from knowhow.feed import api as feed_api
from knowhow.moderation import api as moderation_api
from knowhow.reputation import api as reputation_api

DESCRIPTION = """
Knowhow's public API. Authenticate with a personal token (`Authorization: Bearer kh_...`,
created on your profile) or with the browser session (writes then need the `X-CSRFToken`
header). Reads work anonymously for content everyone in the organisation may see.

Errors are RFC 9457 problem details (`application/problem+json`). Lists are paginated with
`page` and `page_size`. Reads carry an `ETag`; send `If-None-Match` to get `304 Not Modified`.
Writes are rate-limited per token and per IP (`429` with `Retry-After`).
Imported objects carry `source` and `source_id`; find a post by them with
`GET /posts/by-source` or filter `GET /questions?source=...&source_id=...`.
"""


class KnowhowAPI(NinjaAPI):
    def get_openapi_schema(self, *args: Any, **kwargs: Any) -> Any:
        """Document error responses with the problem+json media type they are sent with."""
        schema = super().get_openapi_schema(*args, **kwargs)
        problem_ref = {"$ref": "#/components/schemas/Problem"}
        for path_item in schema.get("paths", {}).values():
            for operation in path_item.values():
                # Every operation can refuse with a problem document (routers that live with their
                # capability declare only their success responses).
                responses = operation.setdefault("responses", {})
                for status in sorted(problems.ERROR_CODES):
                    responses.setdefault(
                        str(status),
                        {
                            "description": "Problem details",
                            "content": {"application/json": {"schema": problem_ref}},
                        },
                    )
                for status, response in operation.get("responses", {}).items():
                    content = response.get("content", {})
                    if str(status).startswith("4") and "application/json" in content:
                        content[problems.PROBLEM_CONTENT_TYPE] = content.pop("application/json")
        return schema


api = KnowhowAPI(
    title="Knowhow API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api-v1",
    throttle=[PerCaller(), PerIp()],
)
problems.install(api)
api.add_router("/questions", questions.router)
api.add_router("/answers", posts.answers)
api.add_router("/posts", posts.posts)
api.add_router("/comments", posts.comments)
api.add_router("/tags", tags.router)
api.add_router("/users", people.users)
api.add_router("/spaces", people.spaces)
api.add_router("/search", search.router)

# Routers that live with their capability. Reads work anonymously where the app allows it;
# writes need a token or the session with CSRF (SessionWithCsrf checks it on unsafe methods).
api.add_router("/questions", feed_api.router, auth=READ_AUTH)
api.add_router("/collections", feed_api.collections, auth=READ_AUTH)
api.add_router("/users", feed_api.me, auth=READ_AUTH)
api.add_router("", reputation_api.router, auth=READ_AUTH)
api.add_router("", moderation_api.router, auth=READ_AUTH)
api.add_router("/analytics", analytics_api.router, auth=READ_AUTH)
