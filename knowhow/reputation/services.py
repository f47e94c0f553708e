"""Writes to the reputation ledger. Every change to a person's reputation goes through here.

Callers (qa, moderation) pass the post and the people involved; this module never imports qa,
it only follows the post's foreign keys, so the dependency order stays core → … → reputation → qa.
"""

import datetime
from collections import defaultdict
from typing import Any

from django.db import transaction
from django.db.models import F, Q, Sum
from django.utils import timezone

from knowhow.accounts.models import User
from knowhow.reputation.config import reputation_setting
from knowhow.reputation.models import ReputationEvent, UserTagScore

Kind = ReputationEvent.Kind
Cause = ReputationEvent.Cause

VOTE_KINDS = (
    Kind.ANSWER_UPVOTED,
    Kind.QUESTION_UPVOTED,
    Kind.DOWNVOTE_RECEIVED,
    Kind.DOWNVOTE_CAST,
)
CAPPED_KINDS = (Kind.ANSWER_UPVOTED, Kind.QUESTION_UPVOTED, Kind.DOWNVOTE_RECEIVED)
ACCEPT_KINDS = (Kind.ANSWER_ACCEPTED, Kind.ACCEPTED_ANSWER)


def _tag_ids(post: Any) -> list[int]:
    question = post.question if post.question_id else post
    return list(question.tags.values_list("pk", flat=True))


def _counts_for_tags(kind: str, amount: int) -> bool:
    """Tag scores are what a person's own posts earned: a bounty they offer (even on their own
    question) is spending, not earning."""
    return not (kind == Kind.BOUNTY and amount < 0)


def _apply(
    event: ReputationEvent, *, tags_of: Any = None, counts_for_tags: bool = True
) -> ReputationEvent:
    """Move the cached totals by one ledger line."""
    if event.amount:
        User.objects.filter(pk=event.user_id).update(reputation=F("reputation") + event.amount)
        post = tags_of if tags_of is not None else event.post
        if counts_for_tags and post is not None and post.author_id == event.user_id:
            _add_to_tag_scores(user_id=event.user_id, tag_ids=_tag_ids(post), amount=event.amount)
    return event


def _add_to_tag_scores(*, user_id: int, tag_ids: list[int], amount: int) -> None:
    """At most three queries whatever the number of tags: which rows exist, move them, add the rest."""
    if not tag_ids:
        return
    scores = UserTagScore.objects.filter(user_id=user_id, tag_id__in=tag_ids)
    existing = set(scores.values_list("tag_id", flat=True))
    if existing:
        scores.update(score=F("score") + amount)
    missing = [t for t in tag_ids if t not in existing]
    if missing:
        UserTagScore.objects.bulk_create(
            [UserTagScore(user_id=user_id, tag_id=t, score=amount) for t in missing]
        )


def _earned_today(user_id: int, now: datetime.datetime) -> int:
    start = now.replace(hour=0, minute=0, second=0, microsecond=0)
    total = ReputationEvent.objects.filter(
        Q(kind__in=CAPPED_KINDS) | Q(kind=Kind.REVERSAL, reverses__kind__in=CAPPED_KINDS),
        user_id=user_id,
        created_at__gte=start,
    ).aggregate(total=Sum("amount"))["total"]
    return total or 0


def _record(
    *,
    user_id: int,
    kind: str,
    amount: int,
    post: Any = None,
    actor: User | None = None,
    cause: str = "",
    restores: ReputationEvent | None = None,
    now: datetime.datetime | None = None,
) -> ReputationEvent:
    now = now or timezone.now()
    capped = False
    if kind in CAPPED_KINDS and amount > 0 and restores is None:
        room = max(0, reputation_setting("DAILY_VOTE_CAP") - _earned_today(user_id, now))
        if amount > room:
            amount, capped = room, True
    event = ReputationEvent.objects.create(
        user_id=user_id,
        kind=kind,
        amount=amount,
        post=post,
        actor=actor,
        cause=cause,
        restores=restores,
        capped=capped,
        created_at=now,
    )
    return _apply(event, counts_for_tags=_counts_for_tags(kind, amount))


def _reverse(events: Any, *, cause: str, actor: User | None = None) -> list[ReputationEvent]:
    """Append a reversal for each live event (one not yet reversed)."""
    out = []
    now = timezone.now()
    for event in events.filter(reversed_by__isnull=True).exclude(kind=Kind.REVERSAL):
        reversal = ReputationEvent.objects.create(
            user_id=event.user_id,
            kind=Kind.REVERSAL,
            amount=-event.amount,
            post_id=event.post_id,
            actor=actor,
            reverses=event,
            cause=cause,
            created_at=now,
        )
        out.append(
            _apply(
                reversal,
                tags_of=event.post,
                counts_for_tags=_counts_for_tags(event.kind, event.amount),
            )
        )
    return out


# --- votes ----------------------------------------------------------------------------------


@transaction.atomic(savepoint=False)
def reputation_record_vote(*, post: Any, voter: User, value: int) -> list[ReputationEvent]:
    """Credit (or debit) a new up- or down-vote. A changed vote is undone first by the caller."""
    if post.author_id is None or value == 0:
        return []
    is_answer = post.post_type == "answer"
    events = []
    if value > 0:
        kind = Kind.ANSWER_UPVOTED if is_answer else Kind.QUESTION_UPVOTED
        amount = reputation_setting("ANSWER_UPVOTED" if is_answer else "QUESTION_UPVOTED")
        events.append(
            _record(user_id=post.author_id, kind=kind, amount=amount, post=post, actor=voter)
        )
    else:
        events.append(
            _record(
                user_id=post.author_id,
                kind=Kind.DOWNVOTE_RECEIVED,
                amount=reputation_setting("DOWNVOTE_RECEIVED"),
                post=post,
                actor=voter,
            )
        )
        if is_answer:
            events.append(
                _record(
                    user_id=voter.pk,
                    kind=Kind.DOWNVOTE_CAST,
                    amount=reputation_setting("DOWNVOTE_CAST_ON_ANSWER"),
                    post=post,
                    actor=voter,
                )
            )
    return events


@transaction.atomic(savepoint=False)
def reputation_undo_vote(
    *, post: Any, voter: User, cause: str = Cause.VOTE_WITHDRAWN
) -> list[ReputationEvent]:
    events = ReputationEvent.objects.filter(post=post, actor=voter, kind__in=VOTE_KINDS)
    return _reverse(events, cause=cause, actor=voter)


# --- acceptance -----------------------------------------------------------------------------


@transaction.atomic(savepoint=False)
def reputation_record_accept(*, answer: Any, accepter: User) -> list[ReputationEvent]:
    """+15 to the answerer and +2 to the asker; nothing for accepting one's own answer."""
    if answer.author_id is None or answer.author_id == accepter.pk:
        return []
    return [
        _record(
            user_id=answer.author_id,
            kind=Kind.ANSWER_ACCEPTED,
            amount=reputation_setting("ANSWER_ACCEPTED"),
            post=answer,
            actor=accepter,
        ),
        _record(
            user_id=accepter.pk,
            kind=Kind.ACCEPTED_ANSWER,
            amount=reputation_setting("ACCEPTED_ANSWER"),
            post=answer,
            actor=accepter,
        ),
    ]


@transaction.atomic(savepoint=False)
def reputation_undo_accept(*, answer: Any) -> list[ReputationEvent]:
    events = ReputationEvent.objects.filter(post=answer, kind__in=ACCEPT_KINDS)
    return _reverse(events, cause=Cause.UNACCEPTED)


# --- posts ----------------------------------------------------------------------------------


@transaction.atomic(savepoint=False)
def reputation_post_deleted(*, post: Any, by: User | None = None) -> list[ReputationEvent]:
    """Undo everything the post earned or cost anyone through votes and accepts. A flag
    penalty and approved-edit credit stay: deleting the post does not undo those."""
    events = ReputationEvent.objects.filter(post=post).exclude(
        kind__in=[Kind.FLAG_PENALTY, Kind.EDIT_APPROVED, Kind.BOUNTY]
    )
    reversed_events = _reverse(events, cause=Cause.POST_DELETED, actor=by)
    if post.post_type == "question":
        # An open bounty goes back to its offerer; one already awarded stays with the answerer.
        from knowhow.reputation.bounties import bounty_question_deleted

        bounty_question_deleted(question=post)
    return reversed_events


@transaction.atomic(savepoint=False)
def reputation_post_undeleted(*, post: Any) -> list[ReputationEvent]:
    """Re-apply exactly what the deletion reversed (and nothing that was undone otherwise)."""
    restored_ids = ReputationEvent.objects.filter(restores__isnull=False).values("restores_id")
    reversals = (
        ReputationEvent.objects.filter(post=post, kind=Kind.REVERSAL, cause=Cause.POST_DELETED)
        .exclude(reverses_id__in=restored_ids)
        .select_related("reverses")
    )
    out = []
    for reversal in reversals:
        original = reversal.reverses
        assert original is not None
        out.append(
            _record(
                user_id=original.user_id,
                kind=original.kind,
                amount=original.amount,
                post=post,
                actor=original.actor,
                cause=Cause.POST_UNDELETED,
                restores=original,
            )
        )
    return out


@transaction.atomic(savepoint=False)
def reputation_record_edit_approved(*, editor: User, post: Any, reviewer: User) -> ReputationEvent:
    return _record(
        user_id=editor.pk,
        kind=Kind.EDIT_APPROVED,
        amount=reputation_setting("EDIT_APPROVED"),
        post=post,
        actor=reviewer,
    )


@transaction.atomic(savepoint=False)
def reputation_flag_penalty(*, post: Any, reviewer: User | None) -> ReputationEvent | None:
    """The author of a post removed as spam or abuse loses FLAG_PENALTY, once per post."""
    if post.author_id is None:
        return None
    if ReputationEvent.objects.filter(post=post, kind=Kind.FLAG_PENALTY).exists():
        return None
    return _record(
        user_id=post.author_id,
        kind=Kind.FLAG_PENALTY,
        amount=reputation_setting("FLAG_PENALTY"),
        post=post,
        actor=reviewer,
    )


@transaction.atomic(savepoint=False)
def reputation_bounty_offered(*, by: User, amount: int, question: Any) -> ReputationEvent:
    """The offerer pays the bounty when offering it (not capped, not counted in tag scores)."""
    return _record(user_id=by.pk, kind=Kind.BOUNTY, amount=-amount, post=question, actor=by)


@transaction.atomic(savepoint=False)
def reputation_bounty_awarded(
    *, answer: Any, amount: int, offered_by: User | None
) -> ReputationEvent:
    """The answer's author receives the bounty (or half of it when it expired unawarded)."""
    return _record(
        user_id=answer.author_id, kind=Kind.BOUNTY, amount=amount, post=answer, actor=offered_by
    )


@transaction.atomic(savepoint=False)
def reputation_bounty_refunded(*, question: Any, by: User) -> list[ReputationEvent]:
    """Give an open bounty's offer back (its question was deleted)."""
    events = ReputationEvent.objects.filter(post=question, user=by, kind=Kind.BOUNTY, amount__lt=0)
    return _reverse(events, cause=Cause.BOUNTY_REFUNDED, actor=by)


@transaction.atomic(savepoint=False)
def reputation_reverse_events(
    *, events: Any, cause: str, actor: User | None = None
) -> list[ReputationEvent]:
    """Reverse the given ledger lines (serial voting, moderator correction)."""
    return _reverse(events, cause=cause, actor=actor)


@transaction.atomic(savepoint=False)
def reputation_grant(*, user: User, amount: int, actor: User | None = None) -> ReputationEvent:
    """Reputation brought along from elsewhere (an import, demo content): a ledger line, so a
    rebuild keeps it."""
    return _record(user_id=user.pk, kind=Kind.GRANTED, amount=amount, actor=actor)


# --- rebuild --------------------------------------------------------------------------------


@transaction.atomic(savepoint=False)
def reputation_rebuild(*, users: Any = None) -> int:
    """Recompute User.reputation and tag scores from the ledger alone. Returns users updated."""
    base = reputation_setting("BASE")
    people = users if users is not None else User.objects.all()
    user_ids = list(people.values_list("pk", flat=True))
    totals = dict(
        ReputationEvent.objects.filter(user_id__in=user_ids)
        .values("user_id")
        .annotate(total=Sum("amount"))
        .values_list("user_id", "total")
    )
    changed = 0
    for user_id, current in User.objects.filter(pk__in=user_ids).values_list("pk", "reputation"):
        wanted = base + (totals.get(user_id) or 0)
        if wanted != current:
            User.objects.filter(pk=user_id).update(reputation=wanted)
            changed += 1
    # Tag scores: what each person's own posts earned, by the question's tags.
    scores: dict[tuple[int, int], int] = defaultdict(int)
    rows = (
        ReputationEvent.objects.filter(user_id__in=user_ids, post__isnull=False)
        .filter(user_id=F("post__author_id"))
        .exclude(kind=Kind.BOUNTY, amount__lt=0)
        .exclude(kind=Kind.REVERSAL, reverses__kind=Kind.BOUNTY, reverses__amount__lt=0)
        .values("user_id", "post_id", "post__question_id")
        .annotate(total=Sum("amount"))
    )
    per_post = [(r["user_id"], r["post__question_id"] or r["post_id"], r["total"]) for r in rows]
    from django.apps import apps

    through = apps.get_model("qa", "Post").tags.through
    question_ids = {q for _, q, _ in per_post}
    tags_by_question: dict[int, list[int]] = defaultdict(list)
    for post_id, tag_id in through.objects.filter(post_id__in=question_ids).values_list(
        "post_id", "tag_id"
    ):
        tags_by_question[post_id].append(tag_id)
    for user_id, question_id, total in per_post:
        for tag_id in tags_by_question[question_id]:
            scores[(user_id, tag_id)] += total
    UserTagScore.objects.filter(user_id__in=user_ids).delete()
    UserTagScore.objects.bulk_create(
        [UserTagScore(user_id=u, tag_id=t, score=s) for (u, t), s in scores.items() if s]
    )
    return changed
