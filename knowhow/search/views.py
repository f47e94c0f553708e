"""The search page."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from knowhow.core.signals import activity_after_commit
from knowhow.search.forms import SearchForm
from knowhow.search.query import clean_text
from knowhow.search.selectors import SearchFilters, SearchSort, search_questions
from knowhow.spaces.selectors import spaces_visible_to


def search(request: HttpRequest) -> HttpResponse:
    data = request.GET.copy()
    if "q" in data:
        # Control characters (even NUL) are dropped here rather than refused by the form field.
        data["q"] = clean_text(data["q"])
    form = SearchForm(data or None)
    results = None
    if form.is_bound and form.is_valid():
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
        )
    if results is not None and form.cleaned_data["q"].strip() and not request.GET.get("page"):
        # Searches and their result counts feed the learning team's knowledge-gap charts.
        activity_after_commit(
            kind="search",
            actor_id=request.user.pk if request.user.is_authenticated else None,
            value=results.page.paginator.count,
            meta={"q": form.cleaned_data["q"][:200]},
        )
    query = request.GET.get("q", "")[:200]
    params = request.GET.copy()
    params.pop("page", None)
    params.pop("sort", None)
    return render(
        request,
        "search/search.html",
        {
            "form": form,
            "results": results,
            "page": results.page if results else None,
            "query": query,
            "sorts": SearchSort.choices,
            "sort": results.sort if results else SearchSort.RELEVANCE,
            "base_params": params.urlencode(),
            "spaces": spaces_visible_to(request.user).only("slug", "name"),
        },
        status=400 if form.is_bound and form.errors else 200,
    )
