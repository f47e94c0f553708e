"""Dashboards for the learning team, their data as JSON and CSV, and each person's own impact."""

import csv
from datetime import date

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from knowhow.analytics import charts, selectors
from knowhow.analytics.datasets import DATASETS, Dataset, dataset_for, filters_for
from knowhow.analytics.permissions import can_view_people, check_view_dashboard
from knowhow.analytics.selectors import Filters
from knowhow.core.errors import NotFound, ValidationFailed
from knowhow.spaces.selectors import spaces_visible_to


def _filters(request: HttpRequest) -> Filters:
    try:
        end = date.fromisoformat(request.GET["end"]) if request.GET.get("end") else None
        start = date.fromisoformat(request.GET["start"]) if request.GET.get("start") else None
    except ValueError as exc:
        raise ValidationFailed("Dates must look like 2026-01-31.") from exc
    return filters_for(
        viewer=request.user,
        start=start,
        end=end,
        space=request.GET.get("space"),
        department=request.GET.get("department"),
    )


def _dataset(request: HttpRequest, name: str, filters: Filters) -> Dataset:
    return dataset_for(viewer=request.user, name=name, filters=filters)


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    check_view_dashboard(request.user)
    f = _filters(request)
    sets = {
        name: _dataset(request, name, f)
        for name, make in DATASETS.items()
        if name not in {"contributors", "rising_stars"}
    }
    people = can_view_people(request.user)
    if people:
        sets["contributors"] = _dataset(request, "contributors", f)
        sets["rising_stars"] = _dataset(request, "rising_stars", f)

    def bars(name: str, label: str, value: str) -> object:
        d = sets[name]
        li, vi = d.columns.index(label) if d.rows else 0, d.columns.index(value) if d.rows else 0
        return charts.bar_chart(d.title, [(str(r[li]), float(r[vi] or 0)) for r in d.rows])

    def line_dates(name: str) -> object:
        d = sets[name]
        return charts.line_chart(
            d.title,
            {
                c: [(date.fromisoformat(row[0]), float(row[i] or 0)) for row in d.rows]
                for i, c in enumerate(d.columns)
                if i
            },
        )

    compare = None
    if request.GET.get("compare"):
        space = spaces_visible_to(request.user).filter(slug=request.GET["compare"]).first()
        if space is None:
            raise NotFound("No such space.")
        compare = {"space": space, "data": selectors.pilot_comparison(f, space_id=space.pk)}
    summary = dict(zip(sets["summary"].columns, sets["summary"].rows[0], strict=True))
    reactions = dict(sets["reactions"].rows)
    context = {
        "filters": f,
        "query": request.GET.urlencode(),
        "spaces": spaces_visible_to(request.user),
        "summary": summary,
        "reactions": reactions,
        "charts": {
            "activity": line_dates("activity"),
            "participation": line_dates("participation"),
            "questions": line_dates("questions"),
            "videos": line_dates("videos"),
            "paths": line_dates("paths"),
            "unanswered_by_tag": bars("unanswered_by_tag", "tag", "unanswered"),
            "zero_result_searches": bars("zero_result_searches", "term", "zero_result_searches"),
            "knowledge_gaps": bars("knowledge_gaps", "tag", "gap_score"),
            "reactions": charts.bar_chart(
                sets["reactions"].title,
                [(k.replace("_", " "), float(v)) for k, v in reactions.items()],
            ),
        },
        "sets": sets,
        "people": people,
        "compare": compare,
    }
    return render(request, "analytics/dashboard.html", context)


@login_required
def dataset(request: HttpRequest, name: str, fmt: str) -> HttpResponse:
    check_view_dashboard(request.user)
    if fmt not in {"json", "csv"}:
        raise NotFound("Data is available as .json or .csv.")
    data = _dataset(request, name, _filters(request))
    if fmt == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="knowhow-{data.name}.csv"'
        writer = csv.writer(response)
        writer.writerow(data.columns)
        for row in data.rows:
            # Neutralise spreadsheet formulas in user-supplied text (search terms, tag names).
            writer.writerow(
                ["'" + v if isinstance(v, str) and v[:1] in "=+-@\t\r" else v for v in row]
            )
        return response
    return JsonResponse(
        {"name": data.name, "title": data.title, "columns": data.columns, "rows": data.rows}
    )


@login_required
def my_impact(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "analytics/my_impact.html",
        {"impact": selectors.personal_impact(user=request.user)},
    )
