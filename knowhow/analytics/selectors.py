"""Reads for the dashboards. Everything here reads rollups, never raw events."""

import statistics
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count, F, Q, Sum

from knowhow.accounts.models import User
from knowhow.analytics.models import (
    ContributorDaily,
    DailyMetric,
    Dimension,
    QuestionOutcome,
    QuestionOutcomeTag,
    SearchTermDaily,
)


@dataclass(frozen=True)
class Filters:
    start: date
    end: date
    space_id: int | None = None
    department: str | None = None

    @property
    def slice(self) -> tuple[str, str]:
        if self.space_id is not None and self.department:
            return Dimension.SPACE_DEPARTMENT, f"{self.space_id}|{self.department}"
        if self.space_id is not None:
            return Dimension.SPACE, str(self.space_id)
        if self.department:
            return Dimension.DEPARTMENT, self.department
        return Dimension.ALL, ""

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
    qs = QuestionOutcome.objects.filter(
        asked_at__date__gte=filters.start, asked_at__date__lte=filters.end
    )
    if filters.space_id is not None:
        qs = qs.filter(space_id=filters.space_id)
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


def answer_times_by_tag(filters: Filters, *, limit: int = 15) -> list[dict[str, object]]:
    outcome_ids = _outcomes(filters).values("question_id")
    per_tag: dict[str, list[tuple[float | None, float | None, int]]] = {}
    for tag, first, accepted, answers in QuestionOutcomeTag.objects.filter(
        outcome_id__in=outcome_ids
    ).values_list(
        "tag_name", "outcome__first_answer_seconds", "outcome__accepted_seconds", "outcome__answers"
    ):
        per_tag.setdefault(tag, []).append((first, accepted, answers))
    rows = []
    for tag, items in per_tag.items():
        rows.append(
            {
                "tag": tag,
                "questions": len(items),
                "unanswered": sum(1 for _, _, n in items if not n),
                "median_hours_to_first_answer": _median_hours(
                    [f for f, _, _ in items if f is not None]
                ),
                "median_hours_to_accepted_answer": _median_hours(
                    [a for _, a, _ in items if a is not None]
                ),
            }
        )
    rows.sort(key=lambda r: (-int(r["questions"]), str(r["tag"])))  # type: ignore[call-overload]
    return rows[:limit]


def unanswered_by_tag(filters: Filters, *, limit: int = 15) -> list[dict[str, object]]:
    rows = (
        QuestionOutcomeTag.objects.filter(
            outcome_id__in=_outcomes(filters).filter(answers=0).values("question_id")
        )
        .values("tag_name")
        .annotate(unanswered=Count("id"))
        .order_by("-unanswered", "tag_name")[:limit]
    )
    return [{"tag": r["tag_name"], "unanswered": r["unanswered"]} for r in rows]


def knowledge_gaps(filters: Filters, *, limit: int = 10) -> list[dict[str, object]]:
    """Tags whose questions are read a lot but lack good answers: what to curate or film next."""
    rows = (
        QuestionOutcomeTag.objects.filter(outcome_id__in=_outcomes(filters).values("question_id"))
        .values("tag_name")
        .annotate(
            questions=Count("id"),
            views=Sum("outcome__views"),
            without_good=Count("id", filter=Q(outcome__good_answers=0)),
        )
        .order_by()
    )
    gaps = []
    for r in rows:
        if not r["without_good"]:
            continue
        share = r["without_good"] / r["questions"]
        gaps.append(
            {
                "tag": r["tag_name"],
                "questions": r["questions"],
                "views": r["views"] or 0,
                "without_good_answer": r["without_good"],
                "gap_score": round((r["views"] or 0) * share, 1),
            }
        )
    gaps.sort(key=lambda g: -float(g["gap_score"]))  # type: ignore[arg-type]
    return gaps[:limit]


def gap_questions(filters: Filters, *, limit: int = 10) -> list[dict[str, object]]:
    rows = _outcomes(filters).filter(good_answers=0).order_by("-views")[:limit]
    return [
        {"question_id": r.question_id, "title": r.title, "views": r.views, "answers": r.answers}
        for r in rows
    ]


def top_zero_result_searches(filters: Filters, *, limit: int = 10) -> list[dict[str, object]]:
    qs = SearchTermDaily.objects.filter(
        day__gte=filters.start, day__lte=filters.end, zero_results__gt=0
    )
    if filters.space_id is not None:
        qs = qs.filter(space_id=filters.space_id)
    rows = (
        qs.values("term")
        .annotate(zero=Sum("zero_results"), total=Sum("searches"))
        .order_by("-zero", "term")[:limit]
    )
    return [
        {"term": r["term"], "zero_result_searches": r["zero"], "searches": r["total"]} for r in rows
    ]


def top_contributors(
    filters: Filters, *, limit: int = 10, since_joined: date | None = None
) -> list[dict[str, object]]:
    qs = ContributorDaily.objects.filter(day__gte=filters.start, day__lte=filters.end)
    if filters.space_id is not None:
        qs = qs.filter(space_id=filters.space_id)
    if filters.department:
        qs = qs.filter(department=filters.department)
    if since_joined is not None:
        qs = qs.filter(
            user_id__in=User.objects.filter(date_joined__date__gte=since_joined).values("pk")
        )
    rows = list(
        qs.values("user_id")
        .annotate(
            answers=Sum("answers"),
            accepted=Sum("accepted"),
            questions=Sum("questions"),
            comments=Sum("comments"),
        )
        .annotate(score=F("answers") * 3 + F("accepted") * 5 + F("questions") + F("comments"))
        .order_by("-score", "user_id")[:limit]
    )
    names = {
        u.pk: u.name
        for u in User.objects.filter(pk__in=[r["user_id"] for r in rows]).only(
            "id", "username", "display_name"
        )
    }
    return [{**r, "name": names.get(r["user_id"], "former member")} for r in rows]


def rising_stars(filters: Filters, *, limit: int = 10) -> list[dict[str, object]]:
    return top_contributors(filters, limit=limit, since_joined=filters.end - timedelta(days=90))


def pilot_comparison(filters: Filters, *, space_id: int) -> dict[str, dict[str, float | None]]:
    """A space against the rest of the organisation over the same period, per active person."""
    metrics = ["questions", "answers", "comments", "views", "votes_up", "dau"]
    everyone = metric_totals(filters, metrics, dimension=Dimension.ALL, key="")
    pilot = metric_totals(filters, metrics, dimension=Dimension.SPACE, key=str(space_id))
    rest = {m: max(everyone[m] - pilot[m], 0.0) for m in metrics}
    pilot_times = answer_times(Filters(filters.start, filters.end, space_id=space_id))
    all_times = answer_times(Filters(filters.start, filters.end))

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
