from django.contrib import admin
from django.urls import include, path

from knowhow.core import views as core_views

handler400 = "knowhow.core.views.bad_request"
handler403 = "knowhow.core.views.permission_denied"
handler404 = "knowhow.core.views.page_not_found"
handler500 = "knowhow.core.views.server_error"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("knowhow.accounts.urls")),
    path("accounts/sso/", include("knowhow.accounts.sso_urls")),
    path("spaces/", include("knowhow.spaces.urls")),
    path("videos/", include("knowhow.videos.urls")),
    path("analytics/", include("knowhow.analytics.urls")),
    path("scim/v2/", include("knowhow.provisioning.urls")),
    path("privacy/", include("knowhow.privacy.urls")),
    path("healthz", core_views.health, name="health"),
    path("ping", core_views.ping, name="ping"),
    path("search/", include("knowhow.search.urls")),
    path("api/v1/", include("knowhow.api.urls")),
    path("curation/", include("knowhow.curation.urls")),
    path("feed/", include("knowhow.feed.urls")),
    path("", include("knowhow.reputation.urls")),
    path("moderation/", include("knowhow.moderation.urls")),
    path("", include("knowhow.stackexchange.urls")),
    path("", include("knowhow.qa.urls")),
]
