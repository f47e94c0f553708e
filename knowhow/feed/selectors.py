"""Reads for the feed: the ranked home feed with reasons, notifications, questions to answer,
what a person follows."""

import datetime
import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from knowhow.accounts.models import User
from knowhow.feed.models import CollectionFollow, ExpertRequest, Notification, QuestionFollow
from knowhow.feed.services import questions_you_can_answer_q
from knowhow.qa.models import Post, Tag
from knowhow.qa.selectors import visible_posts
from knowhow.spaces.selectors import Viewer, visible_space_q

if TYPE_CHECKING:
    from knowhow.curation.models import Collection

FEED_DAYS = 60
HALF_LIFE_HOURS = 72.0
CANDIDATES = 400
PAGE_SIZE = 20


@dataclass
class FeedEntry:
    kind: str  # "question", "resource", "video" or "collection" (new items in a path you take
    # or a collection you follow)
    obj: object
    when: datetime.datetime
    score: float = 0.0
    reasons: list[str] = field(default_factory=list)


@dataclass
class FeedPage:
    entries: list[FeedEntry]
    page: int
    has_next: bool


def _freshness(when: datetime.datetime, now: datetime.datetime) -> float:
    hours = max(0.0, (now - when).total_seconds() / 3600)
    return 0.5 ** (hours / HALF_LIFE_HOURS)


def home_feed(*, viewer: Viewer, page: int = 1, now: datetime.datetime | None = None) -> FeedPage:
    """Recent questions, curated resources, new videos and new items in the paths the viewer
    is enrolled in or the collections they follow, all of which the viewer may see, ranked by
    freshness × (1 + relevance) + votes, each with the reasons it is shown."""
    from knowhow.curation.item_kinds import visible_items_q
    from knowhow.curation.models import CollectionItem, Enrolment
    from knowhow.curation.selectors import visible_resources
    from knowhow.videos.selectors import video_list

    now = now or timezone.now()
    since = now - datetime.timedelta(days=FEED_DAYS)
    page = max(1, page)
    tags_only = Prefetch("tags", queryset=Tag.objects.only("id", "name"))
    questions = list(
        visible_posts(viewer)
        .filter(post_type=Post.PostType.QUESTION, is_deleted=False, last_activity_at__gte=since)
        .select_related("author", "space")
        .prefetch_related(tags_only)
        .order_by("-last_activity_at")[:CANDIDATES]
    )
    resources = list(
        visible_resources(viewer)
        .filter(created_at__gte=since)
        .select_related("added_by", "space")
        .prefetch_related(tags_only)
        .order_by("-created_at")[: CANDIDATES // 4]
    )
    videos = list(
        video_list(viewer=viewer)
        .filter(published_at__gte=since)
        .select_related("post")[: CANDIDATES // 4]
    )
    collection_items: list[CollectionItem] = []
    if viewer is not None and viewer.is_authenticated:
        # Items new in paths the viewer is enrolled in or collections they follow, each once
        # however both apply; never the collections they curate (their own changes).
        enrolled = Enrolment.objects.filter(user=viewer, collection=OuterRef("collection_id"))
        follows = CollectionFollow.objects.filter(user=viewer, collection=OuterRef("collection_id"))
        collection_items = list(
            CollectionItem.objects.annotate(enrolled=Exists(enrolled), followed=Exists(follows))
            .filter(
                Q(enrolled=True) | Q(followed=True),
                visible_space_q(viewer, prefix="collection__space"),
                visible_items_q(viewer),  # an item keeps its own space's visibility
                added_at__gte=since,
            )
            .exclude(collection__curator=viewer)
            .select_related("collection")
            .order_by("-added_at")[:CANDIDATES]
        )
    followed_tags: set[int] = set()
    answered_tags: set[int] = set()
    followed_questions: set[int] = set()
    routed: set[int] = set()
    department = ""
    if viewer is not None and viewer.is_authenticated:
        followed_tags = set(viewer.tag_follows.values_list("tag_id", flat=True))
        answered_tags = set(
            Post.objects.filter(author=viewer, post_type=Post.PostType.ANSWER, is_deleted=False)
            .values_list("question__tags", flat=True)
            .distinct()
        ) - {None}
        followed_questions = set(
            QuestionFollow.objects.filter(user=viewer).values_list("question_id", flat=True)
        )
        routed = set(
            ExpertRequest.objects.filter(user=viewer).values_list("question_id", flat=True)
        )
        department = (viewer.department or "").strip().lower()

    entries: list[FeedEntry] = []
    for q in questions:
        reasons: list[str] = []
        relevance = 0.0
        tags = list(q.tags.all())
        followed = [t.name for t in tags if t.pk in followed_tags]
        if followed:
            relevance += min(2, len(followed))
            reasons.append("You follow " + ", ".join(f"#{n}" for n in followed[:3]))
        expertise = [t.name for t in tags if t.pk in answered_tags and t.pk not in followed_tags]
        if expertise:
            relevance += 0.5
            reasons.append("You answer questions in " + ", ".join(f"#{n}" for n in expertise[:3]))
        if q.pk in followed_questions:
            relevance += 1.5
            reasons.append("You follow this question (new activity)")
        if q.pk in routed and q.answer_count == 0:
            relevance += 2
            reasons.append("Routed to you as someone who could answer")
        if department and q.author and (q.author.department or "").strip().lower() == department:
            relevance += 0.5
            reasons.append(f"From your department ({q.author.department})")
        if q.space.is_private:
            reasons.append(f"New in your space {q.space.name}")
        if q.score >= 5:
            reasons.append(f"Popular: {q.score} votes")
        if not reasons:
            reasons.append("Recent activity")
        votes = math.log1p(max(q.score, 0))
        score = _freshness(q.last_activity_at, now) * (1 + relevance) + 0.3 * votes
        entries.append(FeedEntry("question", q, q.last_activity_at, score, reasons))
    for r in resources:
        reasons = ["Curated pick"]
        relevance = 0.5
        followed = [t.name for t in r.tags.all() if t.pk in followed_tags]
        if followed:
            relevance += min(2, len(followed))
            reasons.insert(0, "You follow " + ", ".join(f"#{n}" for n in followed[:3]))
        votes = math.log1p(max(r.score, 0))
        score = _freshness(r.created_at, now) * (1 + relevance) + 0.3 * votes
        entries.append(FeedEntry("resource", r, r.created_at, score, reasons))
    for v in videos:
        reasons = ["New video"]
        relevance = 0.5
        followed = [t.name for t in v.tags.all() if t.pk in followed_tags]
        if followed:
            relevance += min(2, len(followed))
            reasons.insert(0, "You follow " + ", ".join(f"#{n}" for n in followed[:3]))
        uploader = v.uploader
        if department and uploader and (uploader.department or "").strip().lower() == department:
            relevance += 0.5
            reasons.append(f"From your department ({uploader.department})")
        votes = math.log1p(max(v.post.score, 0)) if v.post_id and v.post else 0.0
        when = v.published_at or v.created_at
        score = _freshness(when, now) * (1 + relevance) + 0.3 * votes
        entries.append(FeedEntry("video", v, when, score, reasons))
    by_collection: dict[int, list[CollectionItem]] = {}
    for item in collection_items:
        by_collection.setdefault(item.collection_id, []).append(item)
    for items in by_collection.values():
        collection = items[0].collection
        when = items[0].added_at
        count = len(items)
        what = "path" if collection.is_path else "collection"
        new_items = f"{count} new item{'s' if count != 1 else ''} in {collection.title}"
        enrolled_in = any(i.enrolled for i in items)  # type: ignore[attr-defined]
        reasons = [f"{new_items}, a {what} you are enrolled in" if enrolled_in else new_items]
        if any(i.followed for i in items):  # type: ignore[attr-defined]
            reasons.append(f"You follow the {what} {collection.title}")
        score = _freshness(when, now) * (1 + 1.5) + 0.1 * math.log1p(count)
        entries.append(FeedEntry("collection", collection, when, score, reasons))
    entries.sort(key=lambda e: (-e.score, -e.when.timestamp()))
    start = (page - 1) * PAGE_SIZE
    return FeedPage(
        entries=entries[start : start + PAGE_SIZE],
        page=page,
        has_next=len(entries) > start + PAGE_SIZE,
    )


def is_following(*, user: User, question: Post) -> bool:
    return QuestionFollow.objects.filter(user=user, question=question).exists()


def is_following_collection(*, user: User, collection: "Collection") -> bool:
    return CollectionFollow.objects.filter(user=user, collection=collection).exists()


def collections_followed(*, user: User) -> "QuerySet[Collection]":
    """The collections and paths the person follows, in spaces they can see today (following
    one in a private space they have left shows nothing until they are back)."""
    from knowhow.curation.selectors import collection_list

    followed = CollectionFollow.objects.filter(user=user).values("collection_id")
    return collection_list(viewer=user).filter(pk__in=followed).order_by("title", "pk")


def notifications_for(*, user: User, unread_only: bool = False) -> QuerySet[Notification]:
    """The user's notifications, re-filtered by what they may see today."""
    qs = Notification.objects.filter(visible_space_q(user), recipient=user).select_related("actor")
    if unread_only:
        qs = qs.filter(read_at=None)
    return qs


def unread_count(*, user: User) -> int:
    return notifications_for(user=user, unread_only=True).count()


def questions_you_can_answer(*, user: User) -> QuerySet[Post]:
    return (
        visible_posts(user)
        .filter(post_type=Post.PostType.QUESTION, is_deleted=False, answer_count=0, closed_at=None)
        .filter(questions_you_can_answer_q(user))
        .exclude(author=user)
        .distinct()
        .select_related("author", "space")
        .prefetch_related(Prefetch("tags", queryset=Tag.objects.only("id", "name")))
        .order_by("-created_at")
    )
