"""Reads for the dashboards. Everything here reads rollups, never raw events."""

import statistics
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Sum
from django.utils import timezone

from knowhow.accounts.models import User
from knowhow.analytics.models import (
    ContributorDaily,
    ContributorMonthly,
    DailyMetric,
    Dimension,
    QuestionOutcome,
    QuestionOutcomeTag,
    SearchTermDaily,
    SearchTermMonthly,
)


@dataclass(frozen=True)
class Filters:
    start: date
    end: date
    space_id: int | None = None
    department: str | None = None
    # Private spaces the viewer is not a member of: their questions' titles, tags and search
    # terms are content, so the outcome- and term-based charts leave those spaces out.
    hidden_space_ids: frozenset[int] = frozenset()
    # Results shared by the several charts of one page (see `_memo`).
    cache: dict[str, Any] = field(default_factory=dict, compare=False, hash=False, repr=False)

    @property
    def start_at(self) -> datetime:
        return datetime.combine(self.start, time.min, tzinfo=timezone.get_current_timezone())

    @property
    def end_at(self) -> datetime:
        return datetime.combine(
            self.end + timedelta(days=1), time.min, tzinfo=timezone.get_current_timezone()
        )

    @property
    def slice(self) -> tuple[str, str]:
        if self.space_id is not None and self.department:
            return Dimension.SPACE_DEPARTMENT, f"{self.space_id}|{self.department}"
        if self.space_id is not None:
            return Dimension.SPACE, str(self.space_id)
        if self.department:
            return Dimension.DEPARTMENT, self.department
        return Dimension.ALL, ""

    def split_by_month(self) -> tuple[list[tuple[date, date]], tuple[date, date] | None]:
        """The period as daily edges plus a run of whole calendar months (first-day dates)."""
        first_full = (
            self.start
            if self.start.day == 1
            else (self.start.replace(day=1) + timedelta(days=32)).replace(day=1)
        )
        after_end = self.end + timedelta(days=1)
        last_full_end = after_end.replace(day=1)  # the first day after the last whole month
        if first_full >= last_full_end:
            return [(self.start, self.end)], None
        edges = []
        if self.start < first_full:
            edges.append((self.start, first_full - timedelta(days=1)))
        if last_full_end <= self.end:
            edges.append((last_full_end, self.end))
        return edges, (first_full, (last_full_end - timedelta(days=1)).replace(day=1))

    def days(self) -> list[date]:
        return [self.start + timedelta(days=i) for i in range((self.end - self.start).days + 1)]


def metric_series(filters: Filters, metrics: list[str]) -> dict[str, list[tuple[date, float]]]:
    dimension, key = filters.slice
    rows = DailyMetric.objects.filter(
        dimension=dimension,
        key=key,
        metric__in=metrics,
        day__gte=filters.start,
        day__lte=filters.end,
    ).values_list("metric", "day", "value")
    by_metric: dict[str, dict[date, float]] = {m: {} for m in metrics}
    for metric, day, value in rows:
        by_metric[metric][day] = value
    return {m: [(d, by_metric[m].get(d, 0.0)) for d in filters.days()] for m in metrics}


def metric_totals(
    filters: Filters, metrics: list[str], *, dimension: str | None = None, key: str | None = None
) -> dict[str, float]:
    dim, k = filters.slice
    rows = (
        DailyMetric.objects.filter(
            dimension=dimension or dim,
            key=k if key is None else key,
            metric__in=metrics,
            day__gte=filters.start,
            day__lte=filters.end,
        )
        .values_list("metric")
        .annotate(total=Sum("value"))
        .order_by()
    )
    totals = dict.fromkeys(metrics, 0.0)
    totals.update(dict(rows))
    return totals


def _outcomes(filters: Filters):  # type: ignore[no-untyped-def]
    qs = QuestionOutcome.objects.filter(asked_at__gte=filters.start_at, asked_at__lt=filters.end_at)
    if filters.space_id is not None:
        qs = qs.filter(space_id=filters.space_id)
    if filters.hidden_space_ids:
        qs = qs.exclude(space_id__in=filters.hidden_space_ids)
    if filters.department:
        qs = qs.filter(department=filters.department)
    return qs


def _median_hours(values: list[float]) -> float | None:
    return round(statistics.median(values) / 3600, 2) if values else None


def answer_times(filters: Filters) -> dict[str, float | int | None]:
    rows = list(
        _outcomes(filters).values_list("first_answer_seconds", "accepted_seconds", "answers")
    )
    asked = len(rows)
    answered = sum(1 for _, _, n in rows if n)
    return {
        "asked": asked,
        "answered": answered,
        "answer_rate": round(answered / asked, 3) if asked else None,
        "median_hours_to_first_answer": _median_hours([f for f, _, _ in rows if f is not None]),
        "median_hours_to_accepted_answer": _median_hours([a for _, a, _ in rows if a is not None]),
    }


@dataclass
class TagStats:
    questions: int = 0
    unanswered: int = 0
    without_good: int = 0
    views: int = 0
    firsts: list[float] = field(default_factory=list)
    accepteds: list[float] = field(default_factory=list)


def tag_stats(filters: Filters) -> dict[str, TagStats]:
    """Per-tag outcomes of the questions asked in the period: one pass over one table, shared by
    the time-to-answer, unanswered and knowledge-gap charts of a page."""
    if "tag_stats" in filters.cache:
        return filters.cache["tag_stats"]  # type: ignore[no-any-return]
    qs = QuestionOutcomeTag.objects.filter(
        asked_at__gte=filters.start_at, asked_at__lt=filters.end_at
    )
    if filters.space_id is not None:
        qs = qs.filter(space_id=filters.space_id)
    if filters.hidden_space_ids:
        qs = qs.exclude(space_id__in=filters.hidden_space_ids)
    if filters.department:
        qs = qs.filter(department=filters.department)
    stats: dict[str, TagStats] = {}
    for tag, first, accepted, answers, good, views in qs.values_list(
        "tag_name", "first_answer_seconds", "accepted_seconds", "answers", "good_answers", "views"
    ).iterator(chunk_size=5000):
        s = stats.get(tag)
        if s is None:
            s = stats[tag] = TagStats()
        s.questions += 1
        s.views += views
        if not answers:
            s.unanswered += 1
        if not good:
            s.without_good += 1
        if first is not None:
            s.firsts.append(first)
        if accepted is not None:
            s.accepteds.append(accepted)
    filters.cache["tag_stats"] = stats
    return stats


def answer_times_by_tag(filters: Filters, *, limit: int = 15) -> list[dict[str, object]]:
    ranked = sorted(tag_stats(filters).items(), key=lambda kv: (-kv[1].questions, kv[0]))[:limit]
    return [
        {
            "tag": tag,
            "questions": s.questions,
            "unanswered": s.unanswered,
            "median_hours_to_first_answer": _median_hours(s.firsts),
            "median_hours_to_accepted_answer": _median_hours(s.accepteds),
        }
        for tag, s in ranked
    ]


def unanswered_by_tag(filters: Filters, *, limit: int = 15) -> list[dict[str, object]]:
    ranked = sorted(
        ((tag, s.unanswered) for tag, s in tag_stats(filters).items() if s.unanswered),
        key=lambda kv: (-kv[1], kv[0]),
    )
    return [{"tag": tag, "unanswered": n} for tag, n in ranked[:limit]]


def knowledge_gaps(filters: Filters, *, limit: int = 10) -> list[dict[str, object]]:
    """Tags whose questions are read a lot but lack good answers: what to curate or film next."""
    gaps = [
        {
            "tag": tag,
            "questions": s.questions,
            "views": s.views,
            "without_good_answer": s.without_good,
            "gap_score": round(s.views * s.without_good / s.questions, 1),
        }
        for tag, s in tag_stats(filters).items()
        if s.without_good
    ]
    gaps.sort(key=lambda g: (-float(g["gap_score"]), str(g["tag"])))  # type: ignore[arg-type]
    return gaps[:limit]


def gap_questions(filters: Filters, *, limit: int = 10) -> list[dict[str, object]]:
    rows = (
        _outcomes(filters)
        .filter(good_answers=0)
        .order_by("-views")
        .values("question_id", "title", "views", "answers")[:limit]
    )
    return list(rows)


def top_zero_result_searches(filters: Filters, *, limit: int = 10) -> list[dict[str, object]]:
    totals: dict[str, list[int]] = {}
    for qs in _by_period(filters, SearchTermDaily.objects.all(), SearchTermMonthly.objects.all()):
        qs = qs.filter(zero_results__gt=0)
        if filters.space_id is not None:
            qs = qs.filter(space_id=filters.space_id)
        if filters.hidden_space_ids:
            qs = qs.exclude(space_id__in=filters.hidden_space_ids)
        for r in (
            qs.values("term").annotate(zero=Sum("zero_results"), total=Sum("searches")).order_by()
        ):
            t = totals.setdefault(r["term"], [0, 0])
            t[0] += r["zero"]
            t[1] += r["total"]
    ranked = sorted(totals.items(), key=lambda kv: (-kv[1][0], kv[0]))[:limit]
    return [{"term": term, "zero_result_searches": z, "searches": n} for term, (z, n) in ranked]


def _by_period(filters: Filters, daily, monthly):  # type: ignore[no-untyped-def]
    """Querysets covering the period: daily rows for partial months, monthly rows for the rest."""
    edges, months = filters.split_by_month()
    parts = [daily.filter(day__gte=a, day__lte=b) for a, b in edges]
    if months is not None:
        parts.append(monthly.filter(month__gte=months[0], month__lte=months[1]))
    return parts


def _contributions(filters: Filters) -> list[dict[str, Any]]:
    if "contributions" in filters.cache:
        return filters.cache["contributions"]  # type: ignore[no-any-return]
    totals: dict[int, dict[str, int]] = {}
    for qs in _by_period(filters, ContributorDaily.objects.all(), ContributorMonthly.objects.all()):
        if filters.space_id is not None:
            qs = qs.filter(space_id=filters.space_id)
        if filters.department:
            qs = qs.filter(department=filters.department)
        for r in (
            qs.values("user_id")
            .annotate(
                answers=Sum("answers"),
                accepted=Sum("accepted"),
                questions=Sum("questions"),
                comments=Sum("comments"),
            )
            .order_by()
        ):
            t = totals.setdefault(
                r["user_id"],
                {
                    "user_id": r["user_id"],
                    "answers": 0,
                    "accepted": 0,
                    "questions": 0,
                    "comments": 0,
                },
            )
            for k in ("answers", "accepted", "questions", "comments"):
                t[k] += r[k] or 0
    rows = [
        {**t, "score": t["answers"] * 3 + t["accepted"] * 5 + t["questions"] + t["comments"]}
        for t in totals.values()
    ]
    rows.sort(key=lambda r: (-r["score"], r["user_id"]))
    filters.cache["contributions"] = rows
    return rows


def _named(rows: list[dict[str, Any]]) -> list[dict[str, object]]:
    names = {
        u.pk: u.name
        for u in User.objects.filter(pk__in=[r["user_id"] for r in rows]).only(
            "id", "username", "display_name"
        )
    }
    return [{**r, "name": names.get(r["user_id"], "former member")} for r in rows]


def top_contributors(filters: Filters, *, limit: int = 10) -> list[dict[str, object]]:
    return _named(_contributions(filters)[:limit])


def rising_stars(filters: Filters, *, limit: int = 10) -> list[dict[str, object]]:
    """The best contributors among people who joined in the 90 days before the period's end."""
    joined = datetime.combine(
        filters.end - timedelta(days=90), time.min, tzinfo=timezone.get_current_timezone()
    )
    recent = set(User.objects.filter(date_joined__gte=joined).values_list("pk", flat=True))
    return _named([r for r in _contributions(filters) if r["user_id"] in recent][:limit])


def pilot_comparison(filters: Filters, *, space_id: int) -> dict[str, dict[str, float | None]]:
    """A space against the rest of the organisation over the same period, per active person."""
    metrics = ["questions", "answers", "comments", "views", "votes_up", "dau"]
    everyone = metric_totals(filters, metrics, dimension=Dimension.ALL, key="")
    pilot = metric_totals(filters, metrics, dimension=Dimension.SPACE, key=str(space_id))
    rest = {m: max(everyone[m] - pilot[m], 0.0) for m in metrics}
    pilot_times = answer_times(Filters(filters.start, filters.end, space_id=space_id))
    all_times = answer_times(
        Filters(filters.start, filters.end, hidden_space_ids=frozenset({space_id}))
    )

    def per_person(values: dict[str, float]) -> dict[str, float | None]:
        person_days = values["dau"] or 0
        return {
            m: (round(values[m] / person_days, 3) if person_days else None)
            for m in ("questions", "answers", "comments", "views", "votes_up")
        }

    return {
        "pilot": {
            **per_person(pilot),
            "answer_rate": pilot_times["answer_rate"],
            "median_hours_to_first_answer": pilot_times["median_hours_to_first_answer"],
        },  # type: ignore[dict-item]
        "rest": {
            **per_person(rest),
            "answer_rate": all_times["answer_rate"],
            "median_hours_to_first_answer": all_times["median_hours_to_first_answer"],
        },  # type: ignore[dict-item]
    }


@dataclass(frozen=True)
class ComparisonRow:
    group: str  # reach, engagement, time to answer
    label: str
    pilot: float | None
    rest: float | None


def space_comparison(*, space_id: int, start: date, end: date) -> dict[str, Any]:
    """A space against every other space over the same days, read from the rollups only.

    "Rest" sums the per-space rollups of all other spaces, so a person active in two spaces on
    one day counts as an active person-day in each; events outside any space (searches) are in
    neither column. Time to answer comes from the question outcomes of the period.
    """
    metrics = [
        "views",
        "readers",
        "video_plays",
        "dau",
        "questions",
        "answers",
        "comments",
        "votes_up",
        "accepts",
    ]
    key = str(space_id)
    pilot = dict.fromkeys(metrics, 0.0)
    rest = dict.fromkeys(metrics, 0.0)
    for row_key, metric, total in (
        DailyMetric.objects.filter(
            dimension=Dimension.SPACE, metric__in=metrics, day__gte=start, day__lte=end
        )
        .values_list("key", "metric")
        .annotate(total=Sum("value"))
        .order_by()
    ):
        (pilot if row_key == key else rest)[metric] += total
    period = Filters(start, end)
    pilot_people: set[int] = set()
    rest_people: set[int] = set()
    for qs in _by_period(period, ContributorDaily.objects.all(), ContributorMonthly.objects.all()):
        for user_id, row_space in qs.exclude(space_id=None).values_list("user_id", "space_id"):
            (pilot_people if row_space == space_id else rest_people).add(user_id)
    pilot_times = answer_times(Filters(start, end, space_id=space_id))
    rest_times = answer_times(Filters(start, end, hidden_space_ids=frozenset({space_id})))

    def per_day(values: dict[str, float], *names: str) -> float | None:
        days = values["dau"]
        return round(sum(values[n] for n in names) / days, 2) if days else None

    rows = [
        ComparisonRow("Reach", "Question views", pilot["views"], rest["views"]),
        ComparisonRow("Reach", "Reader-days", pilot["readers"], rest["readers"]),
        ComparisonRow("Reach", "Video plays", pilot["video_plays"], rest["video_plays"]),
        ComparisonRow("Reach", "Questions asked", pilot_times["asked"], rest_times["asked"]),
        ComparisonRow("Engagement", "Active person-days", pilot["dau"], rest["dau"]),
        ComparisonRow("Engagement", "Questions", pilot["questions"], rest["questions"]),
        ComparisonRow("Engagement", "Answers", pilot["answers"], rest["answers"]),
        ComparisonRow("Engagement", "Comments", pilot["comments"], rest["comments"]),
        ComparisonRow("Engagement", "Upvotes", pilot["votes_up"], rest["votes_up"]),
        ComparisonRow("Engagement", "Accepted answers", pilot["accepts"], rest["accepts"]),
        ComparisonRow("Engagement", "People who posted", len(pilot_people), len(rest_people)),
        ComparisonRow(
            "Engagement",
            "Posts per active person-day",
            per_day(pilot, "questions", "answers", "comments"),
            per_day(rest, "questions", "answers", "comments"),
        ),
        ComparisonRow(
            "Time to answer",
            "Questions answered (share)",
            pilot_times["answer_rate"],
            rest_times["answer_rate"],
        ),
        ComparisonRow(
            "Time to answer",
            "Median hours to first answer",
            pilot_times["median_hours_to_first_answer"],
            rest_times["median_hours_to_first_answer"],
        ),
        ComparisonRow(
            "Time to answer",
            "Median hours to accepted answer",
            pilot_times["median_hours_to_accepted_answer"],
            rest_times["median_hours_to_accepted_answer"],
        ),
    ]
    latest = DailyMetric.objects.filter(day__lte=end).order_by("-day").values_list("day", flat=True)
    return {"rows": rows, "rolled_up_through": latest.first()}


def personal_impact(*, user: User) -> dict[str, object]:
    """What a person's answers achieved: reach, acceptance, badges."""
    from knowhow.qa.models import Post

    answered_questions = Post.objects.filter(
        post_type=Post.PostType.ANSWER, author=user, is_deleted=False
    ).values("question_id")
    reached = (
        Post.objects.filter(pk__in=answered_questions, is_deleted=False).aggregate(
            v=Sum("view_count")
        )["v"]
        or 0
    )
    own_questions_views = (
        Post.objects.filter(
            post_type=Post.PostType.QUESTION, author=user, is_deleted=False
        ).aggregate(v=Sum("view_count"))["v"]
        or 0
    )
    answers = Post.objects.filter(post_type=Post.PostType.ANSWER, author=user, is_deleted=False)
    return {
        "people_reached": reached + own_questions_views,
        "answers": answers.count(),
        "accepted_answers": answers.filter(accepted_for__isnull=False).count(),
        "votes_received": answers.aggregate(v=Sum("up_votes"))["v"] or 0,
        "badges": list(
            user.badges.select_related("badge").values_list("badge__name", flat=True)[:50]
        ),
    }
