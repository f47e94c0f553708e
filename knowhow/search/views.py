"""The search page.

The results part of the page (below the site header) is cached per query string and audience,
and an anonymous visitor's whole page too (`result_cache.py`); an anonymous visitor with no
session and no message cookie is answered from it by `search.middleware`, before sessions and
authentication. The header and the CSRF token are per request. Every search with words that
is not a further page records its knowledge-gap event, cached or not.
"""

from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from knowhow.core.signals import activity_after_commit
from knowhow.qa import page_cache
from knowhow.search import result_cache
from knowhow.search.forms import SearchForm
from knowhow.search.query import clean_text
from knowhow.search.result_cache import Audience
from knowhow.search.selectors import SearchFilters, SearchResults, SearchSort, search_questions
from knowhow.spaces.selectors import spaces_visible_to, spaces_visible_to_signature


@dataclass(frozen=True)
class SearchPage:
    """What is cached of a search page: its HTML, the result count and the event's query."""

    html: str
    count: int
    event_query: str | None  # None: this page records no event (no words, or a further page)


def _record_search(request: HttpRequest, page: SearchPage) -> None:
    # Searches and their result counts feed the learning team's knowledge-gap charts.
    if page.event_query is None:
        return
    user = getattr(request, "user", None)
    activity_after_commit(
        kind="search",
        actor_id=user.pk if user is not None and user.is_authenticated else None,
        value=page.count,
        meta={"q": page.event_query},
    )


def _anonymous_page_response(request: HttpRequest, page: SearchPage) -> HttpResponse:
    _record_search(request, page)
    return HttpResponse(page.html)


def search_early(request: HttpRequest) -> HttpResponse | None:
    """The cached anonymous page for a request with no session and no message cookie, before
    sessions, authentication and CSRF (`search.middleware`); None when not cached."""
    audience = result_cache.anonymous_audience()
    # The view, if this request reaches it, reuses the generation rather than reading it again.
    request._search_audience = audience  # type: ignore[attr-defined]
    page = result_cache.get(result_cache.page_key(audience, request.get_full_path()), audience)
    return _anonymous_page_response(request, page) if page is not None else None


def _form(request: HttpRequest) -> SearchForm:
    data = request.GET.copy()
    if "q" in data:
        # Control characters (even NUL) are dropped here rather than refused by the form field.
        data["q"] = clean_text(data["q"])
    return SearchForm(data or None)


def _content_context(
    request: HttpRequest, form: SearchForm, results: SearchResults | None, spaces: object
) -> dict[str, object]:
    params = request.GET.copy()
    params.pop("page", None)
    params.pop("sort", None)
    return {
        "form": form,
        "results": results,
        "page": results.page if results else None,
        "query": request.GET.get("q", "")[:200],
        "sorts": SearchSort.choices,
        "sort": results.sort if results else SearchSort.RELEVANCE,
        "base_params": params.urlencode(),
        "spaces": spaces,
    }


@dataclass(frozen=True)
class SpaceChoice:
    slug: str
    name: str


def _audience_spaces(audience: Audience) -> list[SpaceChoice]:
    """The spaces of the filter form, shared by the audience (a change to any space changes
    the generation)."""
    key = result_cache.spaces_key(audience)
    spaces = result_cache.get(key, audience)
    if spaces is None:
        rows = spaces_visible_to_signature(audience.signature).values_list("slug", "name")
        spaces = [SpaceChoice(slug=slug, name=name) for slug, name in rows]
        result_cache.put(key, audience, spaces)
    return spaces  # type: ignore[no-any-return]


def _results_page(request: HttpRequest, form: SearchForm, audience: Audience) -> SearchPage:
    data = form.cleaned_data
    filters = SearchFilters(
        tags=(data["tag"].strip().lower(),) if data["tag"].strip() else (),
        space=data["space"] or None,
        author_id=data["author"],
        answered=data["answered"],
        accepted=data["accepted"],
        created_from=data["created_from"],
        created_to=data["created_to"],
    )
    results = search_questions(
        viewer=request.user,
        text=data["q"],
        filters=filters,
        sort=data["sort"] or SearchSort.RELEVANCE,
        page=request.GET.get("page"),
        audience=audience,
    )
    spaces = _audience_spaces(audience)
    html = render_to_string(
        "search/_content.html", _content_context(request, form, results, spaces), request
    )
    recorded = data["q"].strip() and not request.GET.get("page")
    return SearchPage(
        html=html,
        count=results.page.paginator.count,
        event_query=data["q"][:200] if recorded else None,
    )


def _shell(request: HttpRequest, content_html: str, *, status: int = 200) -> HttpResponse:
    return render(
        request,
        "search/search.html",
        {"content_html": mark_safe(content_html), "query": request.GET.get("q", "")[:200]},  # noqa: S308  (template output)
        status=status,
    )


def search(request: HttpRequest) -> HttpResponse:
    form = _form(request)
    if not (form.is_bound and form.is_valid()):
        spaces = spaces_visible_to(request.user).only("slug", "name")
        html = render_to_string(
            "search/_content.html", _content_context(request, form, None, spaces), request
        )
        return _shell(request, html, status=400 if form.is_bound else 200)
    audience = getattr(request, "_search_audience", None)
    if audience is None or request.user.is_authenticated:
        audience = result_cache.audience_for(request.user)
    page_key = None
    signed_in = request.user.is_authenticated
    if signed_in and page_cache.signed_in_page_cacheable(request):
        # The whole page per person (the header shows them), this response's CSRF token.
        page_key = result_cache.page_key(
            audience, request.get_full_path(), page_cache.person_fingerprint(request.user)
        )
        cached_page = result_cache.get(page_key, audience)
        if cached_page is not None:
            _record_search(request, cached_page)
            return page_cache.page_response(request, cached_page.html, view_count=0)
    elif not signed_in and page_cache.anonymous_page_cacheable(request):
        page_key = result_cache.page_key(audience, request.get_full_path())
        cached_page = result_cache.get(page_key, audience)
        if cached_page is not None:
            return _anonymous_page_response(request, cached_page)
    content_key = result_cache.content_key(audience, request.META.get("QUERY_STRING", ""))
    content = result_cache.get(content_key, audience)
    if content is None:
        content = _results_page(request, form, audience)
        result_cache.put(content_key, audience, content)
    if page_key is not None:
        html = render_to_string(
            "search/search.html",
            {
                "content_html": mark_safe(content.html),  # noqa: S308  (template output)
                "query": request.GET.get("q", "")[:200],
                "csrf_token": page_cache.CSRF_PLACEHOLDER,
            },
            request,
        )
        if signed_in:
            page = SearchPage(html=html, count=content.count, event_query=content.event_query)
            result_cache.put(page_key, audience, page)
            _record_search(request, page)
            return page_cache.page_response(request, html, view_count=0)
        # Nothing on an anonymous search page posts; if something did, it would need its
        # CSRF token and cookie, and the page is not shared.
        if not page_cache.page_posts(html):
            page = SearchPage(
                html=html.replace(page_cache.CSRF_PLACEHOLDER, ""),
                count=content.count,
                event_query=content.event_query,
            )
            result_cache.put(page_key, audience, page)
            return _anonymous_page_response(request, page)
    _record_search(request, content)
    return _shell(request, content.html)
