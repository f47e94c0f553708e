"""Badge definitions and awarding: on events (called by qa and moderation) and by scheduled checks.

Other apps award their own badges through `badge_award` (videos: "video-maker", curation: "curator").
"""

import datetime
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.utils import timezone

from knowhow.accounts.models import User
from knowhow.core.errors import ValidationFailed
from knowhow.core.signals import activity_after_commit
from knowhow.reputation.config import reputation_setting
from knowhow.reputation.models import Badge, UserBadge, UserTagScore

Tier = Badge.Tier


@dataclass(frozen=True)
class BadgeDefinition:
    slug: str
    name: str
    tier: int
    description: str
    # Awarded once per person (else once per post, like Enlightened).
    once: bool = True


DEFINITIONS = {
    d.slug: d
    for d in [
        BadgeDefinition("first-question", "Student", Tier.BRONZE, "Asked a first question."),
        BadgeDefinition("first-answer", "Helper", Tier.BRONZE, "Posted a first answer."),
        BadgeDefinition("first-accepted", "Scholar", Tier.BRONZE, "Had a first answer accepted."),
        BadgeDefinition(
            "fast-answer",
            "Quick draw",
            Tier.SILVER,
            "Posted an accepted answer within an hour of the question.",
            once=False,
        ),
        BadgeDefinition("teacher", "Teacher", Tier.BRONZE, "Answered with a score of 1 or more."),
        BadgeDefinition(
            "enlightened",
            "Enlightened",
            Tier.SILVER,
            "First to answer and accepted with a score of 10 or more.",
            once=False,
        ),
        BadgeDefinition("editor", "Editor", Tier.BRONZE, "First edit of someone else's post."),
        BadgeDefinition("reviewer", "Reviewer", Tier.SILVER, "Completed review tasks."),
        BadgeDefinition("video-maker", "Video maker", Tier.BRONZE, "Published a how-to video."),
        BadgeDefinition("curator", "Curator", Tier.BRONZE, "Curated a collection others use."),
    ]
}
TAG_TIERS = ((Tier.BRONZE, "bronze"), (Tier.SILVER, "silver"), (Tier.GOLD, "gold"))


def _badge(slug: str) -> Badge:
    if slug.startswith("tag-"):
        _, tier_name, tag_name = slug.split("-", 2)
        tier = dict((name, t) for t, name in TAG_TIERS)[tier_name]
        badge, _ = Badge.objects.get_or_create(
            slug=slug,
            defaults={
                "name": tag_name,
                "tier": tier,
                "is_tag_badge": True,
                "description": f"Earned a {tier_name} score in {tag_name}.",
            },
        )
        return badge
    definition = DEFINITIONS.get(slug)
    if definition is None:
        raise ValidationFailed(f"No such badge: {slug}.")
    badge, _ = Badge.objects.get_or_create(
        slug=slug,
        defaults={
            "name": definition.name,
            "tier": definition.tier,
            "description": definition.description,
        },
    )
    return badge


def badge_award(
    *, user: User, slug: str, post: Any = None, when: datetime.datetime | None = None
) -> UserBadge | None:
    """Award a badge; None when the person already holds it (or it already covers this post).
    The service other apps call (videos: "video-maker", curation: "curator")."""
    return _award(user_id=user.pk, slug=slug, post=post, when=when)


def _award(
    *, user_id: int, slug: str, post: Any = None, when: datetime.datetime | None = None
) -> UserBadge | None:
    badge = _badge(slug)
    definition = DEFINITIONS.get(slug)
    once = definition.once if definition else True
    held = UserBadge.objects.filter(user_id=user_id, badge=badge)
    if not once:
        held = held.filter(post=post)
    if held.exists():
        return None
    award = UserBadge.objects.create(
        user_id=user_id, badge=badge, post=post, awarded_at=when or timezone.now()
    )
    activity_after_commit(
        kind="badge_awarded", actor_id=user_id, meta={"badge": badge.slug, "title": badge.name}
    )
    return award


def _posts() -> Any:
    return apps.get_model("qa", "Post").objects


# --- on events ------------------------------------------------------------------------------


def badges_on_post(*, post: Any) -> None:
    if post.author_id is None:
        return
    slug = "first-question" if post.post_type == "question" else "first-answer"
    _award(user_id=post.author_id, slug=slug, post=post)


def badges_on_accept(*, answer: Any, question: Any) -> None:
    if answer.author_id is None or answer.author_id == question.author_id:
        return
    _award(user_id=answer.author_id, slug="first-accepted", post=answer)
    if answer.created_at - question.created_at <= datetime.timedelta(hours=1):
        _award(user_id=answer.author_id, slug="fast-answer", post=answer)
    badges_on_score(post=answer)


def badges_on_score(*, post: Any, previous: int | None = None) -> None:
    """Score badges for an answer. With `previous` (the score before a vote), only a score that
    crosses a badge's line is checked, so ordinary votes cost no badge queries."""
    if post.post_type != "answer" or post.author_id is None:
        return

    def crossed(line: int) -> bool:
        return post.score >= line and (previous is None or previous < line)

    if crossed(1):
        _award(user_id=post.author_id, slug="teacher", post=post)
    if crossed(10):
        question = post.question
        first = (
            _posts()
            .filter(question_id=post.question_id, is_deleted=False)
            .order_by("created_at", "id")
            .first()
        )
        if question.accepted_answer_id == post.pk and first is not None and first.pk == post.pk:
            _award(user_id=post.author_id, slug="enlightened", post=post)


def badges_on_edit(*, editor: User, post: Any) -> None:
    if post.author_id != editor.pk:
        _award(user_id=editor.pk, slug="editor", post=post)


def badges_on_reviews(*, reviewer: User, completed: int) -> None:
    if completed >= reputation_setting("REVIEWER_BADGE_REVIEWS"):
        badge_award(user=reviewer, slug="reviewer")


# --- scheduled ------------------------------------------------------------------------------


def badges_check_tags() -> int:
    """Tag badges from tag scores. Returns how many were awarded."""
    awarded = 0
    levels = reputation_setting("TAG_BADGE_SCORES")
    minimum = min(levels)
    for row in UserTagScore.objects.filter(score__gte=minimum).select_related("user", "tag"):
        for (_tier, name), needed in zip(TAG_TIERS, levels, strict=True):
            if row.score >= needed and badge_award(
                user=row.user, slug=f"tag-{name}-{row.tag.name}"
            ):
                awarded += 1
    return awarded


def badges_check_all() -> int:
    """Catch up every event badge (e.g. after an import) and the tag badges."""
    awarded = 0
    posts = (
        _posts().filter(is_deleted=False, author__isnull=False).select_related("author", "question")
    )
    for post in posts.order_by("created_at").iterator():
        before = UserBadge.objects.count()
        badges_on_post(post=post)
        if post.post_type == "answer":
            badges_on_score(post=post)
            if post.question and post.question.accepted_answer_id == post.pk:
                badges_on_accept(answer=post, question=post.question)
        awarded += UserBadge.objects.count() - before
    return awarded + badges_check_tags()
