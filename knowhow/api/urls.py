from django.urls import URLPattern, URLResolver, include, path, re_path

from knowhow.api.api import api
from knowhow.api.conditional import with_etag
from knowhow.api.problems import not_found_view


def _with_etags(patterns: list[URLPattern | URLResolver]) -> list[URLPattern | URLResolver]:
    for pattern in patterns:
        if isinstance(pattern, URLPattern):
            pattern.callback = with_etag(pattern.callback)
        else:
            _with_etags(pattern.url_patterns)
    return patterns


_patterns, _app_name, _namespace = api.urls
urlpatterns = [
    path("", include((_with_etags(list(_patterns)), _app_name), namespace=_namespace)),
    # (?s): a path with an encoded newline is still "no such endpoint", not the HTML 404.
    re_path(r"^(?P<rest>(?s:.*))\Z", not_found_view, name="api-not-found"),
]
