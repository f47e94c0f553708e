"""Rolls raw events (and Q&A state) up into DailyMetric, QuestionOutcome and friends.

Idempotent: rolling up a day again replaces that day's rows. The periodic task rolls up the
last ANALYTICS['ROLLUP_DAYS'] days; `knowhow analytics-rollup --since` backfills.
"""

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.db.models import Count, Min, Q, Sum
from django.utils import timezone

from knowhow.analytics.models import (
    ContributorDaily,
    ContributorMonthly,
    DailyMetric,
    Dimension,
    Event,
    EventKind,
    QuestionOutcome,
    QuestionOutcomeTag,
    SearchTermDaily,
    SearchTermMonthly,
)

COUNTED_KINDS = {
    EventKind.QUESTION_ASKED: "questions",
    EventKind.ANSWER_POSTED: "answers",
    EventKind.ANSWER_ACCEPTED: "accepts",
    EventKind.COMMENT_ADDED: "comments",
    EventKind.QUESTION_VIEWED: "views",
    EventKind.SEARCH: "searches",
    EventKind.FLAG_RAISED: "flags",
    EventKind.VIDEO_VIEWED: "video_views",
    EventKind.VIDEO_PLAYED: "video_plays",
    EventKind.PATH_ENROLLED: "path_enrolments",
    EventKind.PATH_COMPLETED: "path_completions",
    EventKind.BADGE_AWARDED: "badges",
}
ROLE_KINDS = {
    "askers": {EventKind.QUESTION_ASKED},
    "answerers": {EventKind.ANSWER_POSTED},
    "readers": {EventKind.QUESTION_VIEWED, EventKind.VIDEO_VIEWED, EventKind.VIDEO_PLAYED},
}


def _bounds(day: date) -> tuple[datetime, datetime]:
    tz = timezone.get_current_timezone()
    start = datetime.combine(day, time.min, tzinfo=tz)
    return start, start + timedelta(days=1)


def _slices(space_id: int | None, department: str) -> list[tuple[str, str]]:
    """Every (dimension, key) a row counts in."""
    out = [(Dimension.ALL, "")]
    if space_id is not None:
        out.append((Dimension.SPACE, str(space_id)))
        out.append((Dimension.SPACE_DEPARTMENT, f"{space_id}|{department}"))
    out.append((Dimension.DEPARTMENT, department))
    return out


def _actor_sets(day: date) -> dict[tuple[str, str], set[int]]:
    start, end = _bounds(day)
    sets: dict[tuple[str, str], set[int]] = defaultdict(set)
    rows = (
        Event.objects.filter(occurred_at__gte=start, occurred_at__lt=end, actor_id__isnull=False)
        .values_list("actor_id", "space_id", "department")
        .distinct()
    )
    for actor_id, space_id, department in rows:
        for s in _slices(space_id, department):
            sets[s].add(actor_id)
    return sets


def rollup_day(
    day: date, *, actor_window: dict[date, dict[tuple[str, str], set[int]]] | None = None
) -> int:
    """Recompute one day's metrics. Returns the number of metric rows written."""
    start, end = _bounds(day)
    events = Event.objects.filter(occurred_at__gte=start, occurred_at__lt=end)
    values: dict[tuple[str, str, str], float] = defaultdict(float)

    for kind, space_id, department, tags, n in (
        events.values_list("kind", "space_id", "department", "tag_names")
        .annotate(n=Count("id"))
        .order_by()
    ):
        metric = COUNTED_KINDS.get(kind)
        if metric is None:
            continue
        for dim, key in _slices(space_id, department):
            values[(dim, key, metric)] += n
        for tag in tags.split():
            values[(Dimension.TAG, tag, metric)] += n

    for space_id, department, vote, n in (
        events.filter(kind=EventKind.VOTE_CAST)
        .exclude(value=0)
        .values_list("space_id", "department", "value")
        .annotate(n=Count("id"))
        .order_by()
    ):
        metric = "votes_up" if (vote or 0) > 0 else "votes_down"
        for dim, key in _slices(space_id, department):
            values[(dim, key, metric)] += n

    for space_id, department, progress in events.filter(kind=EventKind.VIDEO_PROGRESS).values_list(
        "space_id", "department", "value"
    ):
        for dim, key in _slices(space_id, department):
            values[(dim, key, "watch_progress_sum")] += float(progress or 0)
            values[(dim, key, "watch_progress_n")] += 1

    # Distinct people: active, and by role (askers, answerers, readers).
    role_sets: dict[tuple[str, str, str], set[int]] = defaultdict(set)
    for actor_id, kind, space_id, department in (
        events.filter(actor_id__isnull=False)
        .values_list("actor_id", "kind", "space_id", "department")
        .distinct()
    ):
        for dim, key in _slices(space_id, department):
            role_sets[(dim, key, "dau")].add(actor_id)
            for role, kinds in ROLE_KINDS.items():
                if kind in kinds:
                    role_sets[(dim, key, role)].add(actor_id)
    for k, members in role_sets.items():
        values[k] = len(members)

    # Weekly and monthly active people, trailing windows ending on this day.
    window = actor_window if actor_window is not None else {}
    for offset in range(30):
        d = day - timedelta(days=offset)
        if d not in window:
            window[d] = _actor_sets(d)
    for metric, length in (("wau", 7), ("mau", 30)):
        merged: dict[tuple[str, str], set[int]] = defaultdict(set)
        for offset in range(length):
            for s, members in window[day - timedelta(days=offset)].items():
                merged[s] |= members
        for (dim, key), members in merged.items():
            values[(dim, key, metric)] = len(members)

    _tone(day, values)

    rows = [
        DailyMetric(day=day, dimension=dim, key=key, metric=metric, value=v)
        for (dim, key, metric), v in values.items()
    ]
    with transaction.atomic():
        DailyMetric.objects.filter(day=day).delete()
        DailyMetric.objects.bulk_create(rows, batch_size=1000)
        _search_terms(day, events)
        _contributors(day, events)
        _monthly(day)
    return len(rows)


def month_bounds(day: date) -> tuple[date, date]:
    first = day.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return first, following - timedelta(days=1)


def _monthly(day: date) -> None:
    """Re-sum the month that `day` falls in from the daily tables."""
    first, last = month_bounds(day)
    contributors = (
        ContributorDaily.objects.filter(day__gte=first, day__lte=last)
        .values("user_id", "space_id", "department")
        .annotate(q=Sum("questions"), a=Sum("answers"), acc=Sum("accepted"), c=Sum("comments"))
        .order_by()
    )
    ContributorMonthly.objects.filter(month=first).delete()
    ContributorMonthly.objects.bulk_create(
        [
            ContributorMonthly(
                month=first,
                user_id=r["user_id"],
                space_id=r["space_id"],
                department=r["department"],
                questions=r["q"],
                answers=r["a"],
                accepted=r["acc"],
                comments=r["c"],
            )
            for r in contributors
        ],
        batch_size=2000,
    )
    terms = (
        SearchTermDaily.objects.filter(day__gte=first, day__lte=last)
        .values("space_id", "term")
        .annotate(n=Sum("searches"), z=Sum("zero_results"))
        .order_by()
    )
    SearchTermMonthly.objects.filter(month=first).delete()
    SearchTermMonthly.objects.bulk_create(
        [
            SearchTermMonthly(
                month=first,
                space_id=r["space_id"],
                term=r["term"],
                searches=r["n"],
                zero_results=r["z"],
            )
            for r in terms
        ],
        batch_size=2000,
    )


def _tone(day: date, values: dict[tuple[str, str, str], float]) -> None:
    """The tone of the day's comments, from the offline VADER sentiment lexicon."""
    from knowhow.qa.models import Comment

    start, end = _bounds(day)
    comments = Comment.objects.filter(
        created_at__gte=start, created_at__lt=end, is_deleted=False
    ).values_list("body", "post__space_id")
    if not comments.exists():
        return
    analyzer = _analyzer()
    for body, space_id in comments.iterator():
        compound = analyzer.polarity_scores(body)["compound"]
        tone = (
            "tone_positive"
            if compound >= 0.05
            else "tone_negative"
            if compound <= -0.05
            else "tone_neutral"
        )
        values[(Dimension.ALL, "", tone)] += 1
        values[(Dimension.SPACE, str(space_id), tone)] += 1


_vader = None


def _analyzer():  # type: ignore[no-untyped-def]
    global _vader
    if _vader is None:
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

        _vader = SentimentIntensityAnalyzer()
    return _vader


def _search_terms(day: date, events) -> None:  # type: ignore[no-untyped-def]
    counts: dict[tuple[int | None, str], list[int]] = defaultdict(lambda: [0, 0])
    for space_id, meta, value in events.filter(kind=EventKind.SEARCH).values_list(
        "space_id", "meta", "value"
    ):
        term = " ".join(str((meta or {}).get("q", "")).lower().split())[:200]
        if not term:
            continue
        entry = counts[(space_id, term)]
        entry[0] += 1
        entry[1] += 1 if not value else 0
    SearchTermDaily.objects.filter(day=day).delete()
    SearchTermDaily.objects.bulk_create(
        [
            SearchTermDaily(day=day, space_id=s, term=t, searches=n, zero_results=z)
            for (s, t), (n, z) in counts.items()
        ],
        batch_size=1000,
    )


def _contributors(day: date, events) -> None:  # type: ignore[no-untyped-def]
    fields = {
        EventKind.QUESTION_ASKED: "questions",
        EventKind.ANSWER_POSTED: "answers",
        EventKind.COMMENT_ADDED: "comments",
    }
    rows: dict[tuple[int, int | None, str], ContributorDaily] = {}
    for actor_id, space_id, department, kind, n in (
        events.filter(actor_id__isnull=False, kind__in=fields)
        .values_list("actor_id", "space_id", "department", "kind")
        .annotate(n=Count("id"))
        .order_by()
    ):
        row = rows.setdefault(
            (actor_id, space_id, department),
            ContributorDaily(day=day, user_id=actor_id, space_id=space_id, department=department),
        )
        setattr(row, fields[kind], getattr(row, fields[kind]) + n)
    # Accepted answers are credited to the answer's author, not to the person who accepted.
    from knowhow.qa.models import Post

    accepted_ids = list(
        events.filter(kind=EventKind.ANSWER_ACCEPTED).values_list("post_id", flat=True)
    )
    for author_id, space_id, department in Post.objects.filter(
        pk__in=accepted_ids, author__isnull=False
    ).values_list("author_id", "space_id", "author__department"):
        row = rows.setdefault(
            (author_id, space_id, department),
            ContributorDaily(day=day, user_id=author_id, space_id=space_id, department=department),
        )
        row.accepted += 1
    ContributorDaily.objects.filter(day=day).delete()
    ContributorDaily.objects.bulk_create(rows.values(), batch_size=1000)


def refresh_question_outcomes(
    question_ids: Iterable[int] | None = None, *, batch: int = 2000
) -> int:
    """Recompute QuestionOutcome for the given questions (all questions when None)."""
    from knowhow.qa.models import Post

    questions = Post.objects.filter(post_type=Post.PostType.QUESTION, is_deleted=False)
    if question_ids is not None:
        questions = questions.filter(pk__in=list(question_ids))
    ids = list(questions.values_list("pk", flat=True).order_by("pk"))
    done = 0
    for i in range(0, len(ids), batch):
        chunk = ids[i : i + batch]
        qs = Post.objects.filter(pk__in=chunk).values_list(
            "pk",
            "space_id",
            "author__department",
            "created_at",
            "view_count",
            "title",
            "accepted_answer__created_at",
        )
        first = dict(
            Post.objects.filter(question_id__in=chunk, is_deleted=False)
            .values_list("question_id")
            .annotate(first=Min("created_at"))
            .order_by()
        )
        counts = {
            qid: (n, good)
            for qid, n, good in Post.objects.filter(question_id__in=chunk, is_deleted=False)
            .values_list("question_id")
            .annotate(
                n=Count("id"),
                good=Count("id", filter=Q(score__gt=0) | Q(accepted_for__isnull=False)),
            )
            .order_by()
        }
        tags = defaultdict(list)
        for qid, name in Post.tags.through.objects.filter(post_id__in=chunk).values_list(
            "post_id", "tag__name"
        ):
            tags[qid].append(name)
        outcomes = []
        tag_rows = []
        for pk, space_id, department, created, views, title, accepted_created in qs:
            n, good = counts.get(pk, (0, 0))
            outcome = QuestionOutcome(
                question_id=pk,
                space_id=space_id,
                department=department or "",
                asked_at=created,
                first_answer_seconds=(first[pk] - created).total_seconds() if pk in first else None,
                accepted_seconds=(accepted_created - created).total_seconds()
                if accepted_created
                else None,
                views=views,
                answers=n,
                good_answers=good,
                title=title[:300],
            )
            outcomes.append(outcome)
            tag_rows.extend(
                QuestionOutcomeTag(
                    outcome_id=pk,
                    tag_name=name,
                    asked_at=created,
                    space_id=space_id,
                    department=outcome.department,
                    first_answer_seconds=outcome.first_answer_seconds,
                    accepted_seconds=outcome.accepted_seconds,
                    views=views,
                    answers=n,
                    good_answers=good,
                )
                for name in tags.get(pk, [])
            )
        with transaction.atomic():
            QuestionOutcome.objects.filter(question_id__in=chunk).delete()
            QuestionOutcome.objects.bulk_create(outcomes, batch_size=1000)
            QuestionOutcomeTag.objects.bulk_create(tag_rows, batch_size=2000)
        done += len(chunk)
    return done


def rollup_range(start: date, end: date, *, progress=None) -> int:  # type: ignore[no-untyped-def]
    """Roll up every day from start to end inclusive, sharing the active-people window."""
    window: dict[date, dict[tuple[str, str], set[int]]] = {}
    written = 0
    day = start
    while day <= end:
        written += rollup_day(day, actor_window=window)
        for old in [d for d in window if d < day - timedelta(days=30)]:
            del window[old]
        if progress:
            progress(day)
        day += timedelta(days=1)
    return written


def rollup_recent(days: int = 2) -> int:
    today = timezone.localdate()
    start = today - timedelta(days=days - 1)
    written = rollup_range(start, today)
    since, _ = _bounds(start)
    touched = set(
        Event.objects.filter(occurred_at__gte=since, question_id__isnull=False).values_list(
            "question_id", flat=True
        )
    )
    refresh_question_outcomes(touched)
    return written
