"""Every dashboard chart's data as one named dataset: drawn in the page, served as JSON and CSV."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from knowhow.analytics import selectors
from knowhow.analytics.selectors import Filters


@dataclass(frozen=True)
class Dataset:
    name: str
    title: str
    columns: list[str]
    rows: list[list[Any]]
    people: bool = False  # person-level: administrators only


def _series(name: str, title: str, filters: Filters, metrics: list[str]) -> Dataset:
    series = selectors.metric_series(filters, metrics)
    days = filters.days()
    rows = [[d.isoformat(), *(series[m][i][1] for m in metrics)] for i, d in enumerate(days)]
    return Dataset(name, title, ["day", *metrics], rows)


def _table(name: str, title: str, items: list[dict[str, Any]], *, people: bool = False) -> Dataset:
    columns = list(items[0].keys()) if items else []
    return Dataset(
        name, title, columns, [[item[c] for c in columns] for item in items], people=people
    )


def _videos(f: Filters) -> Dataset:
    data = _series(
        "videos",
        "Video reach and watch-through",
        f,
        ["video_plays", "watch_progress_sum", "watch_progress_n"],
    )
    rows = [[day, plays, round(s / n, 3) if n else None] for day, plays, s, n in data.rows]
    return Dataset("videos", data.title, ["day", "video_plays", "average_watched"], rows)


def _reactions(f: Filters) -> Dataset:
    metrics = ["votes_up", "votes_down", "flags", "tone_positive", "tone_neutral", "tone_negative"]
    totals = selectors.metric_totals(f, metrics)
    return Dataset(
        "reactions",
        "Reactions: votes, flags and the tone of comments",
        ["reaction", "count"],
        [[m, totals[m]] for m in metrics],
    )


def _summary(f: Filters) -> Dataset:
    times = selectors.answer_times(f)
    return Dataset(
        "summary",
        "Questions, answer rate and time to answer",
        list(times.keys()),
        [list(times.values())],
    )


DATASETS: dict[str, Callable[[Filters], Dataset]] = {
    "activity": lambda f: _series(
        "activity", "Active people (daily, weekly, monthly)", f, ["dau", "wau", "mau"]
    ),
    "participation": lambda f: _series(
        "participation",
        "Askers, answerers and readers per day",
        f,
        ["askers", "answerers", "readers"],
    ),
    "questions": lambda f: _series(
        "questions",
        "Questions asked and answers posted per day",
        f,
        ["questions", "answers", "accepts"],
    ),
    "summary": _summary,
    "answer_times_by_tag": lambda f: _table(
        "answer_times_by_tag",
        "Time to answer by tag (hours, median)",
        selectors.answer_times_by_tag(f),
    ),
    "unanswered_by_tag": lambda f: _table(
        "unanswered_by_tag", "Unanswered questions by tag", selectors.unanswered_by_tag(f)
    ),
    "zero_result_searches": lambda f: _table(
        "zero_result_searches",
        "Top searches that found nothing",
        selectors.top_zero_result_searches(f),
    ),
    "knowledge_gaps": lambda f: _table(
        "knowledge_gaps",
        "Knowledge gaps: read a lot, few good answers",
        selectors.knowledge_gaps(f),
    ),
    "gap_questions": lambda f: _table(
        "gap_questions", "Most-read questions without a good answer", selectors.gap_questions(f)
    ),
    "videos": _videos,
    "paths": lambda f: _series(
        "paths",
        "Learning path enrolments and completions",
        f,
        ["path_enrolments", "path_completions"],
    ),
    "reactions": _reactions,
    "contributors": lambda f: _table(
        "contributors", "Top contributors", selectors.top_contributors(f), people=True
    ),
    "rising_stars": lambda f: _table(
        "rising_stars",
        "Rising stars (joined in the last 90 days)",
        selectors.rising_stars(f),
        people=True,
    ),
}


MAX_RANGE_DAYS = 3 * 366


def filters_for(
    *, viewer: Any, start: date | None, end: date | None, space: str | None, department: str | None
) -> Filters:
    """The dashboard filters a viewer asked for, checked: a period of at most three years (the
    last 30 days by default) and a space the viewer can see."""
    from django.utils import timezone

    from knowhow.core.errors import NotFound, ValidationFailed
    from knowhow.spaces.models import Space
    from knowhow.spaces.selectors import spaces_visible_to

    end = end or timezone.localdate()
    start = start or end - timedelta(days=29)
    if start > end:
        raise ValidationFailed("The start date must be before the end date.")
    if (end - start).days > MAX_RANGE_DAYS:
        raise ValidationFailed("Choose a period of at most three years.")
    space_id = None
    if space:
        found = spaces_visible_to(viewer).filter(slug=space).first()
        if found is None:
            raise NotFound("No such space.")
        space_id = found.pk
    hidden = frozenset(
        Space.objects.filter(visibility=Space.Visibility.PRIVATE)
        .exclude(pk__in=spaces_visible_to(viewer).values("pk"))
        .values_list("pk", flat=True)
    )
    return Filters(
        start=start,
        end=end,
        space_id=space_id,
        department=(department or "").strip()[:120] or None,
        hidden_space_ids=hidden,
    )


def dataset_for(*, viewer: Any, name: str, filters: Filters) -> Dataset:
    """One chart's data for a viewer of the dashboards; person-level data for administrators only."""
    from knowhow.analytics.permissions import can_view_people
    from knowhow.core.errors import NotFound, PermissionRefused

    if name not in DATASETS:
        raise NotFound("No such chart.")
    data = DATASETS[name](filters)
    if data.people and not can_view_people(viewer):
        raise PermissionRefused("Person-level data is visible only to administrators.")
    return data
