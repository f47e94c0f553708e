"""Writes for bounties: offer, award, settle the ones that ran out, refund on deletion.

Like the rest of the reputation app this never imports qa: it follows the question's foreign
keys (`question.answers`) and locks rows through the model class it is given.
"""

import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from knowhow.accounts.models import User
from knowhow.core.errors import Conflict, NotFound
from knowhow.core.signals import activity_after_commit
from knowhow.reputation import services
from knowhow.reputation.config import reputation_setting
from knowhow.reputation.models import Bounty
from knowhow.reputation.permissions import check_award_bounty, check_offer_bounty


def _locked(post: Any) -> Any:
    return (
        type(post)
        .objects.select_for_update(of=("self",))
        .select_related("space", "author")
        .get(pk=post.pk)
    )


@transaction.atomic
def bounty_offer(*, question: Any, by: User, amount: int, reason: str = "") -> Bounty:
    """Offer `amount` of the offerer's reputation on a question; it is debited at once."""
    question = _locked(question)
    if getattr(by, "is_authenticated", False):
        # The offerer's current total, not the one their session loaded a moment ago.
        by.reputation = (
            User.objects.select_for_update().values_list("reputation", flat=True).get(pk=by.pk)
        )
    check_offer_bounty(by, question, amount=amount)
    now = timezone.now()
    ends_at = now + datetime.timedelta(days=reputation_setting("BOUNTY_DAYS"))
    try:
        with transaction.atomic():
            bounty = Bounty.objects.create(
                question=question,
                offered_by=by,
                amount=amount,
                reason=" ".join((reason or "").split())[:300],
                created_at=now,
                ends_at=ends_at,
                grace_ends_at=ends_at
                + datetime.timedelta(hours=reputation_setting("BOUNTY_GRACE_HOURS")),
            )
    except IntegrityError as exc:  # a concurrent offer on the same question
        raise Conflict("This question already has an open bounty.") from exc
    services.reputation_bounty_offered(by=by, amount=amount, question=question)
    by.reputation -= amount
    activity_after_commit(
        kind="bounty_offered",
        actor_id=by.pk,
        space_id=question.space_id,
        post_id=question.pk,
        question_id=question.pk,
        meta={"amount": amount},
    )
    return bounty


def _pay(*, bounty: Bounty, answer: Any, amount: int, status: str) -> Bounty:
    now = timezone.now()
    if answer is not None and amount:
        services.reputation_bounty_awarded(
            answer=answer, amount=amount, offered_by=bounty.offered_by
        )
    bounty.status = status
    bounty.awarded_answer = answer
    bounty.awarded_amount = amount if answer is not None else 0
    bounty.awarded_at = now if answer is not None else None
    bounty.save(update_fields=["status", "awarded_answer", "awarded_amount", "awarded_at"])
    return bounty


@transaction.atomic
def bounty_award(*, bounty: Bounty, answer: Any, by: User) -> Bounty:
    """The offerer gives the whole bounty to one answer."""
    bounty = (
        Bounty.objects.select_for_update(of=("self",))
        .select_related("offered_by")
        .filter(pk=bounty.pk)
        .first()
    )
    if bounty is None:
        raise NotFound("No such bounty.")
    answer = type(answer).objects.select_related("author").get(pk=answer.pk)
    check_award_bounty(by, bounty, answer)
    _pay(bounty=bounty, answer=answer, amount=bounty.amount, status=Bounty.Status.AWARDED)
    activity_after_commit(
        kind="bounty_awarded",
        actor_id=by.pk,
        space_id=answer.space_id,
        post_id=answer.pk,
        question_id=bounty.question_id,
        meta={"amount": bounty.amount},
    )
    return bounty


def _best_answer_since(bounty: Bounty) -> Any:
    """Stack Overflow's rule for an unawarded bounty: the highest-scoring answer posted after the
    bounty started, with a score of at least BOUNTY_AUTO_MIN_SCORE; the oldest wins a tie."""
    return (
        bounty.question.answers.filter(
            is_deleted=False,
            is_hidden=False,
            created_at__gte=bounty.created_at,
            score__gte=reputation_setting("BOUNTY_AUTO_MIN_SCORE"),
            author__isnull=False,
        )
        .exclude(author_id=bounty.offered_by_id)
        .order_by("-score", "created_at", "pk")
        .first()
    )


@transaction.atomic
def bounties_settle(*, now: datetime.datetime | None = None) -> int:
    """Close the bounties whose award time (period and grace) is over: half the bounty goes to
    the best qualifying answer, else to nobody. Run hourly by the scheduler. Returns how many
    were settled."""
    now = now or timezone.now()
    due = list(
        Bounty.objects.select_for_update(of=("self",))
        .select_related("question", "offered_by")
        .filter(status=Bounty.Status.OPEN, grace_ends_at__lt=now)
    )
    for bounty in due:
        answer = _best_answer_since(bounty)
        _pay(
            bounty=bounty,
            answer=answer,
            amount=bounty.amount // 2 if answer is not None else 0,
            status=Bounty.Status.EXPIRED,
        )
    return len(due)


def bounty_question_deleted(*, question: Any) -> Bounty | None:
    """An open bounty on a question that is deleted is refunded to its offerer (the caller,
    the deletion, holds the transaction)."""
    bounty = (
        Bounty.objects.select_for_update(of=("self",))
        .select_related("offered_by")
        .filter(question=question, status=Bounty.Status.OPEN)
        .first()
    )
    if bounty is None:
        return None
    services.reputation_bounty_refunded(question=question, by=bounty.offered_by)
    bounty.status = Bounty.Status.REFUNDED
    bounty.save(update_fields=["status"])
    return bounty
