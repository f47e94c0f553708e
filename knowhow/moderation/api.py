"""JSON API for moderation: a django-ninja Router for the api app to mount (e.g. at /api/v1/).

Every endpoint calls the same services and selectors as the pages; refusals are
ApplicationError subclasses that the API app maps to HTTP once.
"""

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema, Status

from knowhow.accounts.models import User
from knowhow.core.errors import NotFound, PermissionRefused, ValidationFailed
from knowhow.moderation import selectors, services
from knowhow.moderation.models import ReviewQueue, ReviewTask, Sanction
from knowhow.moderation.permissions import can_review, check_review, is_site_moderator
from knowhow.qa.models import Comment, Post
from knowhow.qa.selectors import post_get_for_viewer

router = Router(tags=["moderation"])


def _user(request: HttpRequest) -> User:
    auth = getattr(request, "auth", None)
    user = auth if isinstance(auth, User) else request.user
    if not getattr(user, "is_authenticated", False):
        raise PermissionRefused("Log in first.")
    return user  # type: ignore[return-value]


class FlagIn(Schema):
    reason: str
    text: str = ""
    comment_id: int | None = None


class FlagOut(Schema):
    id: int
    post_id: int
    comment_id: int | None
    reason: str
    weight: float
    status: str
    post_hidden: bool


class TaskOut(Schema):
    id: int
    queue: str
    post_id: int
    comment_id: int | None
    status: str
    score: float
    payload: dict[str, Any]
    decision: str
    created_at: datetime


class DecisionIn(Schema):
    decision: str
    note: str = ""
    body: str | None = None


class CloseIn(Schema):
    reason: str
    duplicate_of: int | None = None


class PostStateOut(Schema):
    id: int
    closed_at: datetime | None
    close_reason: str
    is_hidden: bool


class SanctionIn(Schema):
    kind: str
    reason: str
    days: int | None = None


class SanctionOut(Schema):
    id: int
    user_id: int
    kind: str
    reason: str
    created_at: datetime
    ends_at: datetime | None
    lifted_at: datetime | None
    appeal_status: str


class AppealIn(Schema):
    text: str


class AppealDecisionIn(Schema):
    grant: bool


class AuditOut(Schema):
    id: int
    actor_id: int | None
    action: str
    target_user_id: int | None
    post_id: int | None
    comment_id: int | None
    reason: str
    details: dict[str, Any]
    created_at: datetime


def _post(request: HttpRequest, post_id: int) -> Post:
    return post_get_for_viewer(pk=post_id, viewer=_user(request))


@router.post("/posts/{post_id}/flags", response={201: FlagOut})
def flag_create(request: HttpRequest, post_id: int, data: FlagIn):  # type: ignore[no-untyped-def]
    user = _user(request)
    post = _post(request, post_id)
    comment = None
    if data.comment_id is not None:
        comment = Comment.objects.filter(pk=data.comment_id, post=post).first()
        if comment is None:
            raise NotFound("No such comment.")
    flag = services.flag_create(
        flagger=user, post=post, comment=comment, reason=data.reason, text=data.text
    )
    hidden = Post.objects.filter(pk=post.pk, is_hidden=True).exists()
    return Status(
        201,
        {
            "id": flag.pk,
            "post_id": flag.post_id,
            "comment_id": flag.comment_id,
            "reason": flag.reason,
            "weight": flag.weight,
            "status": flag.status,
            "post_hidden": hidden,
        },
    )


class MyFlagOut(Schema):
    id: int
    post_id: int
    comment_id: int | None
    reason: str
    text: str
    weight: float
    status: str
    created_at: datetime
    resolved_at: datetime | None


@router.get("/flags/mine", response=list[MyFlagOut])
def my_flags(request: HttpRequest, limit: int = 50, offset: int = 0):  # type: ignore[no-untyped-def]
    """The caller's flags and how each was resolved (pending, helpful, declined, dismissed)."""
    limit, offset = max(1, min(limit, 200)), max(0, offset)
    return list(selectors.flags_raised_by(user=_user(request))[offset : offset + limit])


@router.get("/review/queues", response=dict[str, int])
def review_queues(request: HttpRequest):  # type: ignore[no-untyped-def]
    user = _user(request)
    counts = selectors.queue_counts(viewer=user)
    if not counts:
        check_review(user, ReviewQueue.FLAGGED)
    return counts


@router.get("/review/queues/{queue}", response=list[TaskOut])
def review_tasks(request: HttpRequest, queue: str, limit: int = 20, offset: int = 0):  # type: ignore[no-untyped-def]
    user = _user(request)
    if queue not in ReviewQueue.values:
        raise NotFound("No such review queue.")
    if not can_review(user, queue):
        check_review(user, queue)
    limit, offset = max(1, min(limit, 100)), max(0, offset)
    return list(selectors.review_tasks(viewer=user, queue=queue)[offset : offset + limit])


@router.post("/review/tasks/{task_id}/decision", response=TaskOut)
def review_decide(request: HttpRequest, task_id: int, data: DecisionIn):  # type: ignore[no-untyped-def]
    user = _user(request)
    task = ReviewTask.objects.filter(pk=task_id).first()
    if task is None:
        raise NotFound("No such review task.")
    services.review_decide(
        task=task,
        reviewer=user,
        decision=data.decision,
        note=data.note,
        edit={"body": data.body} if data.body else None,
    )
    return ReviewTask.objects.get(pk=task_id)


@router.post("/posts/{post_id}/close-votes", response=PostStateOut)
def close_vote(request: HttpRequest, post_id: int, data: CloseIn):  # type: ignore[no-untyped-def]
    user = _user(request)
    post = _post(request, post_id)
    duplicate = None
    if data.duplicate_of is not None:
        duplicate = Post.objects.select_related("space").filter(pk=data.duplicate_of).first()
        if duplicate is None:
            raise ValidationFailed("No such question to duplicate.", field="duplicate_of")
    return services.close_vote_cast(
        post=post, user=user, reason=data.reason, duplicate_of=duplicate
    )


@router.post("/posts/{post_id}/reopen-votes", response=PostStateOut)
def reopen_vote(request: HttpRequest, post_id: int):  # type: ignore[no-untyped-def]
    return services.reopen_vote_cast(post=_post(request, post_id), user=_user(request))


@router.get("/sanctions/mine", response=list[SanctionOut])
def my_sanctions(request: HttpRequest):  # type: ignore[no-untyped-def]
    return list(selectors.sanctions_for(user=_user(request)))


@router.get("/users/{user_id}/sanctions", response=list[SanctionOut])
def user_sanctions(request: HttpRequest, user_id: int):  # type: ignore[no-untyped-def]
    """A person's sanctions: for moderators, and for the person."""
    viewer = _user(request)
    person = User.objects.filter(pk=user_id).first()
    if person is None:
        raise NotFound("No such person.")
    if viewer.pk != person.pk and not is_site_moderator(viewer):
        raise PermissionRefused("Only moderators see other people's sanctions.")
    return list(selectors.sanctions_for(user=person))


class SuspensionOut(Schema):
    suspended: bool
    until: datetime | None


@router.get("/users/{user_id}/suspension", response=SuspensionOut)
def user_suspension(request: HttpRequest, user_id: int):  # type: ignore[no-untyped-def]
    """Public, as on the profile page: whether the person is suspended, and until when."""
    person = User.objects.filter(pk=user_id).first()
    if person is None:
        raise NotFound("No such person.")
    suspension = selectors.public_suspension(person=person)
    return {"suspended": suspension is not None, "until": suspension and suspension.ends_at}


@router.post("/users/{user_id}/sanctions", response={201: SanctionOut})
def sanction_create(request: HttpRequest, user_id: int, data: SanctionIn):  # type: ignore[no-untyped-def]
    by = _user(request)
    person = User.objects.filter(pk=user_id).first()
    if person is None:
        raise NotFound("No such person.")
    sanction = services.sanction_apply(
        user=person, by=by, kind=data.kind, reason=data.reason, days=data.days
    )
    return Status(201, sanction)


def _sanction(sanction_id: int) -> Sanction:
    sanction = Sanction.objects.select_related("user").filter(pk=sanction_id).first()
    if sanction is None:
        raise NotFound("No such sanction.")
    return sanction


@router.post("/sanctions/{sanction_id}/appeal", response=SanctionOut)
def sanction_appeal(request: HttpRequest, sanction_id: int, data: AppealIn):  # type: ignore[no-untyped-def]
    return services.sanction_appeal(
        sanction=_sanction(sanction_id), by=_user(request), text=data.text
    )


@router.post("/sanctions/{sanction_id}/appeal-decision", response=SanctionOut)
def sanction_appeal_decision(request: HttpRequest, sanction_id: int, data: AppealDecisionIn):  # type: ignore[no-untyped-def]
    return services.sanction_decide_appeal(
        sanction=_sanction(sanction_id), by=_user(request), grant=data.grant
    )


@router.post("/sanctions/{sanction_id}/lift", response=SanctionOut)
def sanction_lift(request: HttpRequest, sanction_id: int):  # type: ignore[no-untyped-def]
    return services.sanction_lift(sanction=_sanction(sanction_id), by=_user(request))


@router.get("/audit", response=list[AuditOut])
def audit_log(request: HttpRequest, limit: int = 50, offset: int = 0):  # type: ignore[no-untyped-def]
    limit, offset = max(1, min(limit, 200)), max(0, offset)
    return list(selectors.audit_log_for(viewer=_user(request))[offset : offset + limit])
