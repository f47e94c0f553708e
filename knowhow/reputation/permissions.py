"""Who may offer a bounty on a question and who may award it (Stack Overflow's rules)."""

import datetime
from typing import Any

from django.utils import timezone

from knowhow.core.errors import Conflict, NotFound, PermissionRefused, ValidationFailed
from knowhow.reputation.config import Privilege, reputation_setting
from knowhow.reputation.models import Bounty
from knowhow.reputation.privileges import has_privilege, threshold_in
from knowhow.spaces.selectors import (
    Viewer,
    can_view_space,
    is_space_moderator,
    is_space_writable,
)


def _signed_in(user: Viewer) -> bool:
    return user is not None and user.is_authenticated and user.is_active


def _check_question_open_for_bounty(question: Any) -> None:
    if question.post_type != "question":
        raise ValidationFailed("Bounties are offered on questions.")
    if question.is_deleted or question.is_hidden:
        raise ValidationFailed("This question is deleted or hidden; it cannot take a bounty.")
    if question.closed_at is not None:
        raise ValidationFailed("This question is closed; it cannot take a bounty.")
    if question.is_locked:
        raise ValidationFailed("This question is locked.")
    if not is_space_writable(question.space):
        raise PermissionRefused("This space is archived; it is read-only.")


def check_offer_bounty(user: Viewer, question: Any, *, amount: int) -> None:
    """The asker, or anyone holding the bounty privilege, may offer 50–500 (in steps of 50) of
    their own reputation on a question at least two days old that has no open bounty."""
    if not _signed_in(user):
        raise PermissionRefused("Log in to offer a bounty.")
    if not can_view_space(user, question.space):
        raise NotFound("That question does not exist or is not visible to you.")
    from knowhow.moderation.permissions import check_not_sanctioned

    check_not_sanctioned(user)  # type: ignore[arg-type]
    _check_question_open_for_bounty(question)
    asker = question.author_id == user.pk  # type: ignore[union-attr]
    if not (
        asker
        or has_privilege(user, Privilege.BOUNTY, space=question.space)
        or is_space_moderator(user, question.space)
    ):
        needed = threshold_in(Privilege.BOUNTY, question.space)
        raise PermissionRefused(
            f"Offering a bounty on someone else's question needs {needed:,} reputation; you "
            f"have {getattr(user, 'reputation', 0):,}."
        )
    min_age = datetime.timedelta(days=reputation_setting("BOUNTY_MIN_QUESTION_AGE_DAYS"))
    if timezone.now() - question.created_at < min_age:
        raise ValidationFailed(
            f"A question can take a bounty once it is {min_age.days} days old; give answers "
            "a chance first."
        )
    if Bounty.objects.filter(question=question, status=Bounty.Status.OPEN).exists():
        raise Conflict("This question already has an open bounty.")
    low, high, step = (reputation_setting(k) for k in ("BOUNTY_MIN", "BOUNTY_MAX", "BOUNTY_STEP"))
    if not isinstance(amount, int) or not low <= amount <= high or amount % step:
        raise ValidationFailed(
            f"A bounty is {low} to {high} reputation, in steps of {step}.", field="amount"
        )
    # Stack Overflow: each further bounty by the same person on a question at least doubles.
    previous = (
        Bounty.objects.filter(question=question, offered_by_id=user.pk)  # type: ignore[union-attr]
        .order_by("-amount")
        .values_list("amount", flat=True)
        .first()
    )
    if previous and amount < 2 * previous:
        raise ValidationFailed(
            f"You offered {previous} on this question before; a new bounty must be at least "
            f"{2 * previous}.",
            field="amount",
        )
    spendable = getattr(user, "reputation", 0) - reputation_setting("BASE")
    if amount > spendable:
        raise PermissionRefused(
            f"A bounty of {amount} is more reputation than you can spend ({max(0, spendable)}).",
            field="amount",
        )


def check_award_bounty(user: Viewer, bounty: Bounty, answer: Any) -> None:
    """Only the offerer awards, to another person's live answer on the question, from a day after
    the offer until the grace period ends."""
    if not _signed_in(user):
        raise PermissionRefused("Log in to award a bounty.")
    if bounty.offered_by_id != user.pk:  # type: ignore[union-attr]
        raise PermissionRefused("Only the person who offered the bounty can award it.")
    if not bounty.is_open:
        raise Conflict("This bounty has already ended.")
    if answer.post_type != "answer" or answer.question_id != bounty.question_id:
        raise ValidationFailed("Award the bounty to an answer of this question.", field="answer")
    if answer.is_deleted or answer.is_hidden:
        raise ValidationFailed("That answer is deleted or hidden.", field="answer")
    if answer.author_id is None or answer.author_id == user.pk:  # type: ignore[union-attr]
        raise ValidationFailed("You cannot award your bounty to your own answer.", field="answer")
    now = timezone.now()
    wait = datetime.timedelta(hours=reputation_setting("BOUNTY_AWARD_AFTER_HOURS"))
    if now < bounty.created_at + wait:
        raise ValidationFailed(
            f"A bounty can be awarded {wait.total_seconds() / 3600:.0f} hours after it was "
            "offered, so that answers have time to come in."
        )
    if now > bounty.grace_ends_at:
        raise Conflict("The time to award this bounty has passed.")


def can_award_bounty(user: Viewer, bounty: Bounty | None) -> bool:
    """Whether to offer the award buttons on the question page (the answer is checked on POST)."""
    return bool(
        bounty is not None
        and bounty.is_open
        and _signed_in(user)
        and bounty.offered_by_id == user.pk  # type: ignore[union-attr]
        and bounty.created_at
        + datetime.timedelta(hours=reputation_setting("BOUNTY_AWARD_AFTER_HOURS"))
        <= timezone.now()
        <= bounty.grace_ends_at
    )


def can_offer_bounty(
    user: Viewer, question: Any, *, has_open_bounty: bool, moderator: bool
) -> bool:
    """Whether to show the "offer a bounty" link: the cheap checks only, no query (the service
    checks everything when the form is sent)."""
    if not _signed_in(user) or has_open_bounty or question.post_type != "question":
        return False
    if question.is_deleted or question.is_hidden or question.is_locked or question.closed_at:
        return False
    min_age = datetime.timedelta(days=reputation_setting("BOUNTY_MIN_QUESTION_AGE_DAYS"))
    if timezone.now() - question.created_at < min_age:
        return False
    if getattr(user, "reputation", 0) - reputation_setting("BASE") < reputation_setting(
        "BOUNTY_MIN"
    ):
        return False
    return bool(
        question.author_id == user.pk  # type: ignore[union-attr]
        or moderator
        or has_privilege(user, Privilege.BOUNTY, space=question.space)
    )
