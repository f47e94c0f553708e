"""JSON API for reputation: a django-ninja Router for the api app to mount (e.g. at /api/v1/).

Errors are ApplicationError subclasses; the API app maps them to HTTP in one place.
"""

from datetime import datetime

from django.http import HttpRequest
from ninja import Router, Schema

from knowhow.accounts.models import User
from knowhow.core.errors import NotFound
from knowhow.reputation import selectors
from knowhow.reputation.privileges import privileges_for, thresholds

router = Router(tags=["reputation"])


class EventOut(Schema):
    id: int
    kind: str
    amount: int
    post_id: int | None
    cause: str
    capped: bool
    created_at: datetime


class TagScoreOut(Schema):
    tag: str
    score: int


class ReputationOut(Schema):
    user_id: int
    reputation: int
    events: list[EventOut]
    tags: list[TagScoreOut]


class PrivilegeOut(Schema):
    privilege: str
    label: str
    threshold: int
    held: bool


class BadgeOut(Schema):
    slug: str
    name: str
    tier: str
    post_id: int | None
    awarded_at: datetime


def _person(user_id: int) -> User:
    person = User.objects.filter(pk=user_id).first()
    if person is None:
        raise NotFound("No such person.")
    return person


def _viewer(request: HttpRequest) -> object:
    auth = getattr(request, "auth", None)
    return auth if isinstance(auth, User) else request.user


@router.get("/users/{user_id}/reputation", response=ReputationOut)
def reputation_detail(request: HttpRequest, user_id: int, limit: int = 50, offset: int = 0):  # type: ignore[no-untyped-def]
    person = _person(user_id)
    limit = max(1, min(limit, 200))
    offset = max(0, offset)
    events = selectors.reputation_events_for(user=person)[offset : offset + limit]
    return {
        "user_id": person.pk,
        "reputation": person.reputation,
        "events": list(events),
        "tags": [
            {"tag": s.tag.name, "score": s.score}
            for s in selectors.tag_scores_for(user=person, limit=100)
        ],
    }


@router.get("/privileges", response=list[PrivilegeOut])
def privilege_list(request: HttpRequest):  # type: ignore[no-untyped-def]
    viewer = _viewer(request)
    if isinstance(viewer, User):
        return [p.__dict__ for p in privileges_for(viewer)]
    from knowhow.reputation.config import Privilege

    return [
        {"privilege": k, "label": Privilege(k).label, "threshold": v, "held": False}
        for k, v in sorted(thresholds().items(), key=lambda kv: kv[1])
    ]


@router.get("/users/{user_id}/badges", response=list[BadgeOut])
def badge_list(request: HttpRequest, user_id: int):  # type: ignore[no-untyped-def]
    return [
        {
            "slug": ub.badge.slug,
            "name": ub.badge.name,
            "tier": ub.badge.get_tier_display().lower(),
            "post_id": ub.post_id,
            "awarded_at": ub.awarded_at,
        }
        for ub in selectors.badges_for(user=_person(user_id))
    ]
