"""Reads for reputation: a person's ledger, tag breakdown and badges."""

from collections import defaultdict

from django.db.models import Count, QuerySet

from knowhow.accounts.models import User
from knowhow.reputation.models import ReputationEvent, UserBadge, UserTagScore


def reputation_events_for(*, user: User) -> QuerySet[ReputationEvent]:
    return ReputationEvent.objects.filter(user=user).select_related("post", "post__question")


def tag_scores_for(*, user: User, limit: int = 20) -> list[UserTagScore]:
    return list(
        UserTagScore.objects.filter(user=user, score__gt=0).select_related("tag")[:limit]
    )


def badges_for(*, user: User) -> list[UserBadge]:
    return list(UserBadge.objects.filter(user=user).select_related("badge", "post"))


def badge_counts_for(*, user_ids: list[int]) -> dict[int, dict[int, int]]:
    """user id -> {tier: count}, in one query, for bylines on a page."""
    out: dict[int, dict[int, int]] = defaultdict(dict)
    rows = (
        UserBadge.objects.filter(user_id__in=user_ids)
        .values("user_id", "badge__tier")
        .annotate(n=Count("id"))
    )
    for row in rows:
        out[row["user_id"]][row["badge__tier"]] = row["n"]
    return dict(out)
