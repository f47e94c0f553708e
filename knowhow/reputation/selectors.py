"""Reads for reputation: a person's ledger, tag breakdown, badges and open bounties."""

from collections import defaultdict
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery

from knowhow.accounts.models import User
from knowhow.reputation.models import Bounty, ReputationEvent, UserBadge, UserTagScore
from knowhow.spaces.selectors import Viewer, spaces_visible_to, visible_space_q


def reputation_events_for(*, user: User) -> QuerySet[ReputationEvent]:
    return ReputationEvent.objects.filter(user=user).select_related("post", "post__question")


def _tag_seen_by(viewer: Viewer, tag_name: str) -> Exists:
    """Whether a tag (by the name in the OuterRef `tag_name`) is on a question `viewer` can see:
    a tag used only inside a private space is not shown to people outside it."""
    from knowhow.qa.models import Post

    return Exists(
        Post.objects.filter(
            visible_space_q(viewer),
            post_type=Post.PostType.QUESTION,
            tags__name=OuterRef(tag_name),
        )
    )


def tag_scores_for(*, user: User, limit: int = 20, viewer: Viewer = None) -> list[UserTagScore]:
    return list(
        UserTagScore.objects.filter(user=user, score__gt=0)
        .filter(_tag_seen_by(viewer, "tag__name"))
        .select_related("tag")[:limit]
    )


def badges_for(*, user: User, viewer: Viewer = None) -> list[UserBadge]:
    """A person's badges as `viewer` may see them: a tag badge of a tag used only in a private
    space is left out, and a badge's post in such a space is not linked."""
    badges = list(
        UserBadge.objects.filter(user=user)
        .exclude(Q(badge__is_tag_badge=True) & ~_tag_seen_by(viewer, "badge__name"))
        .select_related("badge", "post")
    )
    if any(b.post is not None for b in badges):
        visible = set(spaces_visible_to(viewer).values_list("pk", flat=True))
        for badge in badges:
            if badge.post is not None and badge.post.space_id not in visible:
                badge.post = None
    return badges


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


def paginate_events(
    *, user: User, page: str | int | None, per_page: int = 30, viewer: Viewer = None
) -> Page:
    """A page of the ledger. Events on posts in spaces `viewer` cannot see keep their points
    but lose their post (`post_hidden`), so a private question's title never shows."""
    result = Paginator(reputation_events_for(user=user), per_page).get_page(page)
    visible = set(spaces_visible_to(viewer).values_list("pk", flat=True))
    events = list(result.object_list)
    for event in events:
        event.post_hidden = event.post is not None and event.post.space_id not in visible
        if event.post_hidden:
            event.post = None
    result.object_list = events
    return result


def badge_catalogue() -> list[dict[str, object]]:
    """Every defined badge with how many people hold it (tag badges once earned)."""
    from knowhow.reputation.badges import DEFINITIONS

    held = dict(
        UserBadge.objects.values("badge__slug")
        .annotate(n=Count("id"))
        .values_list("badge__slug", "n")
    )
    out: list[dict[str, object]] = [
        {
            "slug": d.slug,
            "name": d.name,
            "tier": d.tier,
            "description": d.description,
            "held": held.get(d.slug, 0),
        }
        for d in DEFINITIONS.values()
    ]
    return sorted(out, key=lambda b: (b["tier"], b["name"]))  # type: ignore[return-value]


# --- bounties -------------------------------------------------------------------------------


def open_bounty_id_annotation() -> Subquery:
    """For a question queryset: the id of its open bounty, or None."""
    return Subquery(
        Bounty.objects.filter(question=OuterRef("pk"), status=Bounty.Status.OPEN).values("pk")[:1]
    )


def open_bounty_for(*, question_id: int) -> Bounty | None:
    return (
        Bounty.objects.filter(question_id=question_id, status=Bounty.Status.OPEN)
        .select_related("offered_by")
        .first()
    )


def bounties_for_question(*, question_id: int) -> QuerySet[Bounty]:
    return Bounty.objects.filter(question_id=question_id).select_related(
        "offered_by", "awarded_answer__author"
    )


class BountySort:
    ENDING = "ending"
    AMOUNT = "amount"
    NEWEST = "newest"
    CHOICES = [(ENDING, "Ending soon"), (AMOUNT, "Largest"), (NEWEST, "Newest")]
    ORDER = {ENDING: ("ends_at", "id"), AMOUNT: ("-amount", "ends_at"), NEWEST: ("-created_at",)}


def bounty_list(*, viewer: Viewer, tag: str | None = None, sort: str = BountySort.ENDING) -> Any:
    """Open bounties on live questions the viewer may see, with their questions, in one query."""
    qs = (
        Bounty.objects.filter(
            status=Bounty.Status.OPEN,
            question__is_deleted=False,
            question__is_hidden=False,
        )
        .filter(visible_space_q(viewer, prefix="question__space"))
        .select_related("question", "question__author", "question__space", "offered_by")
        .prefetch_related("question__tags")
    )
    if tag:
        qs = qs.filter(question__tags__name=tag)
    return qs.order_by(*BountySort.ORDER.get(sort, BountySort.ORDER[BountySort.ENDING]))
