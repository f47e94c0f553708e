"""A pilot's report: its activity next to the rest of the organisation over the same period."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, Q
from django.utils import timezone

from knowhow.spaces.models import Space, SpaceMembership


@dataclass(frozen=True)
class ActivityFigures:
    people: int
    questions: int
    answers: int
    comments: int
    contributors: int
    answered_share: float  # questions asked in the period that have an answer

    @property
    def posts_per_person(self) -> float:
        return round((self.questions + self.answers) / self.people, 2) if self.people else 0.0

    @property
    def contributing_share(self) -> float:
        return round(self.contributors / self.people, 3) if self.people else 0.0


def _figures(space_q: Q, *, people: int, since: datetime, until: datetime) -> ActivityFigures:
    from knowhow.qa.models import Comment, Post

    posts = Post.objects.filter(
        space_q, is_deleted=False, created_at__gte=since, created_at__lt=until
    )
    counts = posts.aggregate(
        questions=Count("pk", filter=Q(post_type=Post.PostType.QUESTION)),
        answers=Count("pk", filter=Q(post_type=Post.PostType.ANSWER)),
        answered=Count(
            "pk",
            filter=Q(post_type=Post.PostType.QUESTION, answer_count__gt=0),
        ),
    )
    comments = Comment.objects.filter(
        post__in=Post.objects.filter(space_q),
        is_deleted=False,
        created_at__gte=since,
        created_at__lt=until,
    ).count()
    contributors = posts.exclude(author=None).values("author").distinct().count()
    questions = counts["questions"]
    return ActivityFigures(
        people=people,
        questions=questions,
        answers=counts["answers"],
        comments=comments,
        contributors=contributors,
        answered_share=round(counts["answered"] / questions, 3) if questions else 0.0,
    )


def pilot_report(*, space: Space, days: int = 30, now: datetime | None = None) -> dict:
    from knowhow.accounts.models import User

    until = now or timezone.now()
    since = until - timedelta(days=days)
    members = SpaceMembership.objects.filter(space=space, user__is_active=True).count()
    everyone = User.objects.filter(is_active=True, is_claimed=True).count()
    return {
        "since": since,
        "until": until,
        "days": days,
        "pilot": _figures(Q(space=space), people=members, since=since, until=until),
        "rest": _figures(
            ~Q(space=space), people=max(everyone - members, 0), since=since, until=until
        ),
    }
