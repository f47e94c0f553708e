"""JSON API for reputation: a django-ninja Router for the api app to mount (e.g. at /api/v1/).

Errors are ApplicationError subclasses; the API app maps them to HTTP in one place.
"""

from datetime import datetime

from django.http import HttpRequest
from ninja import Router, Schema, Status

from knowhow.accounts.models import User
from knowhow.core.errors import NotFound, PermissionRefused
from knowhow.reputation import bounties, selectors
from knowhow.reputation.models import Bounty
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
            for s in selectors.tag_scores_for(user=person, limit=100, viewer=_viewer(request))
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
        for ub in selectors.badges_for(user=_person(user_id), viewer=_viewer(request))
    ]


# --- bounties -------------------------------------------------------------------------------


class BountyOut(Schema):
    id: int
    question_id: int
    question_title: str
    offered_by_id: int
    amount: int
    reason: str
    status: str
    created_at: datetime
    ends_at: datetime
    grace_ends_at: datetime
    awarded_answer_id: int | None
    awarded_amount: int
    awarded_at: datetime | None

    @staticmethod
    def resolve_question_title(obj: Bounty) -> str:
        return obj.question.title


class BountyIn(Schema):
    amount: int
    reason: str = ""


class BountyAwardIn(Schema):
    answer_id: int


def _signed_in(request: HttpRequest) -> User:
    viewer = _viewer(request)
    if not isinstance(viewer, User) or not viewer.is_authenticated:
        raise PermissionRefused("Log in first.")
    return viewer


def _question(request: HttpRequest, question_id: int):  # type: ignore[no-untyped-def]
    from knowhow.qa.selectors import post_get_for_viewer

    question = post_get_for_viewer(pk=question_id, viewer=_viewer(request))  # type: ignore[arg-type]
    if not question.is_question:
        raise NotFound("That is not a question.")
    return question


@router.get("/bounties", response=list[BountyOut])
def bounty_list(  # type: ignore[no-untyped-def]
    request: HttpRequest, tag: str = "", sort: str = "ending", limit: int = 20, offset: int = 0
):
    """Open bounties on questions the caller may see; filter by tag, sort by ending, amount or
    newest."""
    limit, offset = max(1, min(limit, 100)), max(0, offset)
    qs = selectors.bounty_list(viewer=_viewer(request), tag=tag.strip().lower() or None, sort=sort)  # type: ignore[arg-type]
    return list(qs[offset : offset + limit])


@router.get("/questions/{question_id}/bounties", response=list[BountyOut])
def question_bounties(request: HttpRequest, question_id: int):  # type: ignore[no-untyped-def]
    """Every bounty a question has had, the open one first."""
    question = _question(request, question_id)
    return sorted(
        selectors.bounties_for_question(question_id=question.pk).select_related("question"),
        key=lambda b: (not b.is_open, -b.created_at.timestamp()),
    )


@router.post("/questions/{question_id}/bounties", response={201: BountyOut})
def bounty_offer(request: HttpRequest, question_id: int, data: BountyIn):  # type: ignore[no-untyped-def]
    user = _signed_in(request)
    bounty = bounties.bounty_offer(
        question=_question(request, question_id), by=user, amount=data.amount, reason=data.reason
    )
    return Status(201, bounty)


@router.post("/bounties/{bounty_id}/award", response=BountyOut)
def bounty_award(request: HttpRequest, bounty_id: int, data: BountyAwardIn):  # type: ignore[no-untyped-def]
    user = _signed_in(request)
    bounty = Bounty.objects.filter(pk=bounty_id).first()
    if bounty is None:
        raise NotFound("No such bounty.")
    question = _question(request, bounty.question_id)
    answer = question.answers.filter(pk=data.answer_id).first()
    if answer is None:
        raise NotFound("No such answer to this question.")
    return bounties.bounty_award(bounty=bounty, answer=answer, by=user)
