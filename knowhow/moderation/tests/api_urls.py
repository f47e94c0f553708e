"""A stand-in API for tests: mounts the moderation and reputation routers the way the api app
will, with ApplicationError mapped to HTTP in one handler."""

from django.urls import path
from ninja import NinjaAPI

from knowhow.core.errors import ApplicationError
from knowhow.moderation.api import router as moderation_router
from knowhow.reputation.api import router as reputation_router

api = NinjaAPI(urls_namespace="moderation-test-api", docs_url=None)
api.add_router("/", moderation_router)
api.add_router("/", reputation_router)


@api.exception_handler(ApplicationError)
def application_error(request, exc):  # type: ignore[no-untyped-def]
    return api.create_response(
        request,
        {"code": exc.code, "message": exc.message, "field": exc.field},
        status=exc.status_code,
    )


urlpatterns = [path("api/", api.urls)]
