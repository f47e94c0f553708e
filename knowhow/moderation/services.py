"""Writes for peer moderation: flags and auto-hiding, review decisions, close and reopen votes,
sanctions, takedowns, serial-vote reversal, and the audit entry each of them leaves."""

import datetime
import math
from collections import Counter, defaultdict
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.utils import timezone

from knowhow.accounts.models import User
from knowhow.core.errors import Conflict, NotFound, PermissionRefused, ValidationFailed
from knowhow.core.signals import activity_after_commit
from knowhow.moderation import content
from knowhow.moderation import permissions as perms
from knowhow.moderation.config import moderation_setting
from knowhow.moderation.models import (
    LINK_ONLY_REASONS,
    STAFF_ONLY_REASONS,
    AuditEntry,
    CloseVote,
    Decision,
    Flag,
    FlagReason,
    ReviewQueue,
    ReviewTask,
    Sanction,
    UserStanding,
)
from knowhow.qa.models import CloseReason, Comment, Post, PostLink, Vote
from knowhow.qa.signals import post_changed
from knowhow.reputation import badges
from knowhow.reputation import services as reputation
from knowhow.reputation.config import reputation_setting
from knowhow.reputation.models import Bounty, ReputationEvent
from knowhow.reputation.privileges import is_new_user, trust_level
from knowhow.spaces.selectors import is_space_moderator

Action = AuditEntry.Action


# --- audit ----------------------------------------------------------------------------------


def audit_record(
    *,
    actor: User | None,
    action: str,
    post: Post | None = None,
    comment: Comment | None = None,
    target_user: User | None = None,
    reason: str = "",
    details: dict[str, Any] | None = None,
) -> AuditEntry:
    return AuditEntry.objects.create(
        actor=actor,
        action=action,
        post=post,
        comment=comment,
        target_user=target_user,
        reason=reason[:1000],
        details=details or {},
        created_at=timezone.now(),
    )


def _standing(user_id: int) -> UserStanding:
    standing, _ = UserStanding.objects.get_or_create(user_id=user_id)
    return standing


# --- flags ----------------------------------------------------------------------------------


def flag_weight(*, flagger: User, reason: str, moderator: bool = False) -> float:
    """Discourse-like: 1 + trust level (moderators 5), an accuracy bonus that grows with the
    flagger's record (negative for poor flaggers), and a bonus for spam and abuse."""
    type_bonus = 1.0 if reason in (FlagReason.SPAM, FlagReason.RUDE) else 0.0
    level = trust_level(flagger, moderator=moderator)
    if moderator or flagger.is_staff:
        return 5.0 + type_bonus
    standing = UserStanding.objects.filter(user=flagger).first()
    bonus = 0.0
    if standing is not None:
        resolved = standing.flags_agreed + standing.flags_disagreed
        if resolved >= moderation_setting("ACCURACY_MIN_FLAGS"):
            accuracy = standing.flags_agreed / resolved
            bonus = (accuracy - 0.5) * 2 * min(2.0, 1.5 * math.log10(resolved))
            if bonus < 0:
                # Poor flaggers lose weight faster than good ones gain it.
                bonus *= 2
    weight = 1.0 + level + bonus + type_bonus
    return round(max(moderation_setting("MIN_FLAG_WEIGHT"), weight), 3)


def _open_task(
    *, queue: str, post: Post, comment: Comment | None = None, **defaults: Any
) -> ReviewTask:
    task = ReviewTask.objects.filter(
        queue=queue, post=post, comment=comment, status=ReviewTask.Status.OPEN
    ).first()
    if task is None:
        task = ReviewTask.objects.create(
            queue=queue, post=post, comment=comment, created_at=timezone.now(), **defaults
        )
    return task


# Audit details that say how a post was hidden or shown again (see post_author_edited).
BY_FLAGS = {"by": "flags"}
BY_AUTHOR_EDIT = {"by": "author_edit"}


def post_hide(
    *, post: Post, reason: str, actor: User | None, details: dict[str, Any] | None = None
) -> None:
    if post.is_hidden:
        return
    Post.objects.filter(pk=post.pk).update(is_hidden=True, hidden_reason=reason[:200])
    post.is_hidden, post.hidden_reason = True, reason[:200]
    audit_record(
        actor=actor,
        action=Action.HIDE,
        post=post,
        target_user=post.author,
        reason=reason,
        details=details,
    )
    content.post_moderated(post)


def post_unhide(
    *, post: Post, reason: str, actor: User | None, details: dict[str, Any] | None = None
) -> None:
    if not post.is_hidden:
        return
    Post.objects.filter(pk=post.pk).update(is_hidden=False, hidden_reason="")
    post.is_hidden, post.hidden_reason = False, ""
    audit_record(
        actor=actor,
        action=Action.UNHIDE,
        post=post,
        target_user=post.author,
        reason=reason,
        details=details,
    )
    content.post_moderated(post)


def post_author_edited(*, post: Post, by: User) -> bool:
    """Discourse's rule: when flags hid a post and no reviewer has decided yet, its author's edit
    shows it again, once, and it stays in the flagged queue for review. A second hide by flags
    stays until a reviewer decides; a moderator's hide or a takedown is never undone by an edit.
    Returns True when the post was shown again. The caller (qa's post_edit) holds the post's lock."""
    if not post.is_hidden or post.author_id is None or by.pk != post.author_id:
        return False
    last = (
        AuditEntry.objects.filter(
            post=post, comment=None, action__in=[Action.HIDE, Action.UNHIDE, Action.TAKEDOWN]
        )
        .order_by("-created_at", "-id")
        .first()
    )
    if last is None or last.action != Action.HIDE or last.details.get("by") != "flags":
        return False
    task = ReviewTask.objects.filter(
        queue=ReviewQueue.FLAGGED, post=post, comment=None, status=ReviewTask.Status.OPEN
    ).first()
    if task is None:
        return False
    if AuditEntry.objects.filter(
        post=post, action=Action.UNHIDE, details__by="author_edit"
    ).exists():
        return False
    post_unhide(
        post=post,
        reason="Edited by its author after flags hid it; waiting for review.",
        actor=by,
        details=BY_AUTHOR_EDIT,
    )
    ReviewTask.objects.filter(pk=task.pk).update(payload={**task.payload, "edited_by_author": True})
    return True


def _comment_hide(*, comment: Comment, reason: str, actor: User | None) -> None:
    if comment.is_deleted:
        return
    Comment.objects.filter(pk=comment.pk).update(is_deleted=True)
    Post.objects.filter(pk=comment.post_id, comment_count__gt=0).update(
        comment_count=F("comment_count") - 1
    )
    comment.is_deleted = True
    audit_record(
        actor=actor,
        action=Action.HIDE,
        post=comment.post,
        comment=comment,
        target_user=comment.author,
        reason=reason,
    )


@transaction.atomic
def flag_create(
    *, flagger: User, post: Post, reason: str, text: str = "", comment: Comment | None = None
) -> Flag:
    """Flag a post (or one of its comments). Hides it pending review when the pending flags'
    weight passes HIDE_SCORE, or at once for a trusted user's spam flag on a new user's post."""
    post = (
        Post.objects.select_for_update(of=("self",))
        .select_related("space", "author")
        .get(pk=post.pk)
    )
    allowed = content.post_flag_reasons(post) or [
        r for r in FlagReason.values if r not in LINK_ONLY_REASONS
    ]
    if reason not in allowed:
        raise ValidationFailed("Choose a reason for the flag.", field="reason")
    text = " ".join((text or "").split())[:500]
    if reason == FlagReason.OTHER and len(text) < 10:
        raise ValidationFailed(
            "Say in a few words what is wrong (10 characters or more).", field="text"
        )
    target_author_id = comment.author_id if comment is not None else post.author_id
    if comment is not None and (comment.post_id != post.pk or comment.is_deleted):
        raise NotFound("No such comment.")
    perms.check_flag(flagger, post, author_id=target_author_id)
    moderator = is_space_moderator(flagger, post.space)
    weight = flag_weight(flagger=flagger, reason=reason, moderator=moderator)
    try:
        with transaction.atomic():
            flag = Flag.objects.create(
                flagger=flagger,
                post=post,
                comment=comment,
                reason=reason,
                text=text,
                weight=weight,
                created_at=timezone.now(),
            )
    except IntegrityError as exc:
        raise Conflict("You have already flagged this.") from exc
    activity_after_commit(
        kind="flag_raised",
        actor_id=flagger.pk,
        space_id=post.space_id,
        post_id=post.pk,
        question_id=post.question_id or post.pk,
        meta={"reason": reason},
    )

    if reason in STAFF_ONLY_REASONS:
        _open_task(queue=ReviewQueue.LEGAL, post=post, comment=comment)
        return flag

    pending = Flag.objects.filter(post=post, comment=comment, status=Flag.Status.PENDING).exclude(
        reason__in=STAFF_ONLY_REASONS
    )
    score = pending.aggregate(total=Sum("weight"))["total"] or 0.0
    task = _open_task(queue=ReviewQueue.FLAGGED, post=post, comment=comment)
    ReviewTask.objects.filter(pk=task.pk).update(score=score)

    author = User.objects.filter(pk=target_author_id).first() if target_author_id else None
    trusted_spam = (
        reason == FlagReason.SPAM
        and trust_level(flagger, moderator=moderator) >= 3
        and author is not None
        and is_new_user(author)
    )
    if trusted_spam or score >= moderation_setting("HIDE_SCORE"):
        why = "Hidden after flags from the community, pending review."
        if comment is not None:
            _comment_hide(comment=comment, reason=why, actor=None)
        else:
            post_hide(post=post, reason=why, actor=None, details=BY_FLAGS)
    return flag


# --- review ---------------------------------------------------------------------------------


def review_new_post(*, post: Post) -> ReviewTask | None:
    """Queue a new user's first post, and late answers from new users, for a look."""
    author = post.author
    if author is None or not is_new_user(author):
        return None
    if post.is_answer:
        question = post.question
        age = post.created_at - question.created_at  # type: ignore[union-attr]
        if age >= datetime.timedelta(days=moderation_setting("LATE_ANSWER_DAYS")):
            return _open_task(queue=ReviewQueue.LATE_ANSWER, post=post)
    if Post.objects.filter(author=author).count() == 1:
        return _open_task(queue=ReviewQueue.FIRST_POST, post=post)
    return None


def review_suggested_edit(*, post: Post, by: User, payload: dict[str, Any]) -> ReviewTask:
    if ReviewTask.objects.filter(
        queue=ReviewQueue.SUGGESTED_EDIT, post=post, status=ReviewTask.Status.OPEN
    ).exists():
        raise Conflict("This post already has a suggested edit waiting for review.")
    return ReviewTask.objects.create(
        queue=ReviewQueue.SUGGESTED_EDIT,
        post=post,
        suggested_by=by,
        payload=payload,
        created_at=timezone.now(),
    )


ALLOWED = {
    ReviewQueue.FLAGGED: {
        Decision.AGREE,
        Decision.DISAGREE,
        Decision.EDIT,
        Decision.DELETE,
        Decision.DISMISS,
    },
    ReviewQueue.FIRST_POST: {Decision.AGREE, Decision.EDIT, Decision.DELETE, Decision.DISMISS},
    ReviewQueue.LATE_ANSWER: {Decision.AGREE, Decision.EDIT, Decision.DELETE, Decision.DISMISS},
    ReviewQueue.SUGGESTED_EDIT: {Decision.AGREE, Decision.DISAGREE, Decision.DISMISS},
    ReviewQueue.CLOSE: {Decision.AGREE, Decision.DISAGREE, Decision.DISMISS},
    ReviewQueue.REOPEN: {Decision.AGREE, Decision.DISAGREE, Decision.DISMISS},
    ReviewQueue.LEGAL: {Decision.AGREE, Decision.DISAGREE, Decision.DISMISS},
}


def decisions_for(task: ReviewTask) -> list[str]:
    """The decisions a reviewer is offered on this task (no edit for posts that take none)."""
    allowed = ALLOWED[ReviewQueue(task.queue)]
    return sorted(d for d in allowed if d != Decision.EDIT or content.post_editable(task.post))


def _resolve_flags(task: ReviewTask, *, status: str, reviewer: User) -> list[Flag]:
    flags = list(
        Flag.objects.filter(post=task.post, comment=task.comment, status=Flag.Status.PENDING)
    )
    if task.queue == ReviewQueue.LEGAL:
        flags = [f for f in flags if f.reason in STAFF_ONLY_REASONS]
    else:
        flags = [f for f in flags if f.reason not in STAFF_ONLY_REASONS]
    now = timezone.now()
    Flag.objects.filter(pk__in=[f.pk for f in flags]).update(
        status=status, resolved_at=now, resolved_by=reviewer
    )
    counter = {Flag.Status.AGREED: "flags_agreed", Flag.Status.DISAGREED: "flags_disagreed"}
    if status in counter:
        for flag in flags:
            _standing(flag.flagger_id)
            UserStanding.objects.filter(user_id=flag.flagger_id).update(
                **{counter[status]: F(counter[status]) + 1}
            )
    return flags


def _author_penalised(task: ReviewTask, flags: list[Flag], reviewer: User) -> None:
    author_id = task.comment.author_id if task.comment else task.post.author_id
    if author_id is None:
        return
    _standing(author_id)
    UserStanding.objects.filter(user_id=author_id).update(posts_removed=F("posts_removed") + 1)
    if task.comment is None and any(f.reason in (FlagReason.SPAM, FlagReason.RUDE) for f in flags):
        reputation.reputation_flag_penalty(post=task.post, reviewer=reviewer)


@transaction.atomic
def review_decide(
    *,
    task: ReviewTask,
    reviewer: User,
    decision: str,
    note: str = "",
    edit: dict[str, Any] | None = None,
) -> ReviewTask:
    """Record a decision on an open task and carry it out."""
    task = (
        ReviewTask.objects.select_for_update(of=("self",))
        .select_related("post", "post__space", "post__author", "comment", "suggested_by")
        .get(pk=task.pk)
    )
    perms.check_review(reviewer, task.queue, task.post)
    if task.status != ReviewTask.Status.OPEN:
        raise Conflict("Someone has already reviewed this.")
    if decision not in ALLOWED[task.queue]:
        raise ValidationFailed(f"“{decision}” is not a decision for this queue.", field="decision")
    if task.suggested_by_id == reviewer.pk:
        raise PermissionRefused("You cannot review your own suggested edit.")
    concerned = task.comment.author_id if task.comment else task.post.author_id
    if concerned == reviewer.pk:
        raise PermissionRefused("You cannot review your own post; another reviewer will.")
    if Flag.objects.filter(
        post=task.post, comment=task.comment, flagger=reviewer, status=Flag.Status.PENDING
    ).exists():
        raise PermissionRefused("You flagged this; another reviewer decides.")
    post, comment = task.post, task.comment
    queue = task.queue

    if decision == Decision.EDIT:
        if not content.post_editable(post):
            raise ValidationFailed("This cannot be edited on review; agree or disagree instead.")
        if not edit or not edit.get("body"):
            raise ValidationFailed("An edit decision needs the edited text.", field="body")
        content.call("apply_edit", post=post, by=reviewer, approved_by=reviewer, payload=edit)

    if queue in (ReviewQueue.FLAGGED, ReviewQueue.LEGAL):
        if decision in (Decision.AGREE, Decision.DELETE):
            flags = _resolve_flags(task, status=Flag.Status.AGREED, reviewer=reviewer)
            if queue == ReviewQueue.LEGAL:
                takedown(
                    post=post, by=reviewer, reason=note or "Legal or personal-data report upheld."
                )
            else:
                _author_penalised(task, flags, reviewer)
                if comment is not None:
                    _comment_hide(comment=comment, reason=note or "Flags upheld.", actor=reviewer)
                elif decision == Decision.AGREE:
                    post_hide(post=post, reason=note or "Flags upheld on review.", actor=reviewer)
        elif decision == Decision.EDIT:
            _resolve_flags(task, status=Flag.Status.AGREED, reviewer=reviewer)
            post_unhide(post=post, reason="Edited on review.", actor=reviewer)
        elif decision == Decision.DISAGREE:
            _resolve_flags(task, status=Flag.Status.DISAGREED, reviewer=reviewer)
            if comment is None:
                post_unhide(post=post, reason=note or "Flags declined on review.", actor=reviewer)
        else:
            _resolve_flags(task, status=Flag.Status.DISMISSED, reviewer=reviewer)
            if comment is None:
                post_unhide(post=post, reason=note or "Flags dismissed.", actor=reviewer)
    elif queue in (ReviewQueue.FIRST_POST, ReviewQueue.LATE_ANSWER) and decision == Decision.DELETE:
        _author_penalised(task, [], reviewer)
    elif queue == ReviewQueue.SUGGESTED_EDIT and decision == Decision.AGREE:
        assert task.suggested_by is not None
        content.call(
            "apply_edit",
            post=post,
            by=task.suggested_by,
            approved_by=reviewer,
            payload=task.payload,
        )
    elif queue in (ReviewQueue.CLOSE, ReviewQueue.REOPEN):
        if decision == Decision.AGREE:
            reason = task.payload.get("reason", CloseReason.OFF_TOPIC)
            dup = Post.objects.filter(pk=task.payload.get("duplicate_of")).first()
            kind = CloseVote.Kind.CLOSE if queue == ReviewQueue.CLOSE else CloseVote.Kind.REOPEN
            _close_vote(post=post, user=reviewer, kind=kind, reason=reason, duplicate_of=dup)
        elif decision == Decision.DISAGREE and queue == ReviewQueue.CLOSE:
            _close_vote(post=post, user=reviewer, kind=CloseVote.Kind.LEAVE_OPEN, reason="")

    if decision == Decision.DELETE and not post.is_deleted and comment is None:
        content.call("delete_post", post=post, by=reviewer)
        content.post_moderated(post)

    task.refresh_from_db(fields=["status"])
    # Close and reopen tasks stay open for more reviewers until the votes decide.
    if task.status == ReviewTask.Status.OPEN and queue not in (
        ReviewQueue.CLOSE,
        ReviewQueue.REOPEN,
    ):
        _finish(task, reviewer=reviewer, decision=decision, note=note)
    standing = _standing(reviewer.pk)
    UserStanding.objects.filter(pk=standing.pk).update(reviews_done=F("reviews_done") + 1)
    badges.badges_on_reviews(reviewer=reviewer, completed=standing.reviews_done + 1)
    audit_record(
        actor=reviewer,
        action=Action.REVIEW,
        post=post,
        comment=comment,
        target_user=comment.author if comment else post.author,
        reason=note,
        details={"queue": queue, "decision": decision},
    )
    return task


def _finish(task: ReviewTask, *, reviewer: User | None, decision: str, note: str = "") -> None:
    ReviewTask.objects.filter(pk=task.pk).update(
        status=ReviewTask.Status.DONE,
        decision=decision,
        decided_by=reviewer,
        decided_at=timezone.now(),
        note=note[:500],
    )
    task.status = ReviewTask.Status.DONE


# --- close and reopen -----------------------------------------------------------------------


@transaction.atomic
def close_vote_cast(
    *, post: Post, user: User, reason: str, duplicate_of: Post | None = None
) -> Post:
    post = Post.objects.select_for_update(of=("self",)).select_related("space").get(pk=post.pk)
    perms.check_close_vote(user, post)
    if post.closed_at is not None:
        raise ValidationFailed("This question is already closed.")
    if Bounty.objects.filter(question=post, status=Bounty.Status.OPEN).exists():
        # Stack Overflow: a question with an open bounty cannot be closed.
        raise ValidationFailed("This question has an open bounty; it can be closed after it ends.")
    if reason not in CloseReason.values:
        raise ValidationFailed("Choose a reason to close.", field="reason")
    if reason == CloseReason.DUPLICATE:
        if duplicate_of is None:
            raise ValidationFailed("Say which question this duplicates.", field="duplicate_of")
        perms.check_can_see_post(user, duplicate_of)
        if duplicate_of.pk == post.pk or not duplicate_of.is_question or duplicate_of.is_deleted:
            raise ValidationFailed(
                "A question can only duplicate another, live question.", field="duplicate_of"
            )
    else:
        duplicate_of = None
    _close_vote(
        post=post, user=user, kind=CloseVote.Kind.CLOSE, reason=reason, duplicate_of=duplicate_of
    )
    post.refresh_from_db()
    return post


@transaction.atomic
def reopen_vote_cast(*, post: Post, user: User) -> Post:
    post = Post.objects.select_for_update(of=("self",)).select_related("space").get(pk=post.pk)
    perms.check_close_vote(user, post)
    if post.closed_at is None:
        raise ValidationFailed("This question is open.")
    _close_vote(post=post, user=user, kind=CloseVote.Kind.REOPEN, reason="")
    post.refresh_from_db()
    return post


def _close_vote(
    *, post: Post, user: User, kind: str, reason: str, duplicate_of: Post | None = None
) -> None:
    try:
        with transaction.atomic():
            CloseVote.objects.create(
                post=post,
                user=user,
                kind=kind,
                reason=reason,
                duplicate_of=duplicate_of,
                created_at=timezone.now(),
            )
    except IntegrityError as exc:
        raise Conflict("You have already voted on this.") from exc
    active = CloseVote.objects.filter(post=post, is_active=True)
    binding = is_space_moderator(user, post.space)
    queue = ReviewQueue.REOPEN if kind == CloseVote.Kind.REOPEN else ReviewQueue.CLOSE
    if kind == CloseVote.Kind.LEAVE_OPEN:
        if active.filter(kind=kind).count() >= moderation_setting("LEAVE_OPEN_VOTES"):
            active.exclude(kind=CloseVote.Kind.REOPEN).update(is_active=False)
            for task in ReviewTask.objects.filter(
                queue=ReviewQueue.CLOSE, post=post, status="open"
            ):
                _finish(task, reviewer=user, decision=Decision.DISAGREE, note="Left open.")
        return
    votes = list(active.filter(kind=kind))
    needed = moderation_setting("CLOSE_VOTES" if kind == CloseVote.Kind.CLOSE else "REOPEN_VOTES")
    if binding or len(votes) >= needed:
        if kind == CloseVote.Kind.CLOSE:
            _close(post=post, votes=votes, actor=user)
        else:
            _reopen(post=post, votes=votes, actor=user)
        for task in ReviewTask.objects.filter(queue=queue, post=post, status="open"):
            _finish(task, reviewer=user, decision=Decision.AGREE, note="Vote threshold reached.")
    else:
        task = _open_task(queue=queue, post=post)
        if kind == CloseVote.Kind.CLOSE and not task.payload:
            task.payload = {
                "reason": reason,
                "duplicate_of": duplicate_of.pk if duplicate_of else None,
            }
            task.save(update_fields=["payload"])
        ReviewTask.objects.filter(pk=task.pk).update(score=len(votes))


def _close(*, post: Post, votes: list[CloseVote], actor: User) -> None:
    reason = Counter(v.reason for v in votes).most_common(1)[0][0]
    now = timezone.now()
    Post.objects.filter(pk=post.pk).update(closed_at=now, close_reason=reason)
    details: dict[str, Any] = {"voters": [v.user_id for v in votes]}
    if reason == CloseReason.DUPLICATE:
        target_id = Counter(v.duplicate_of_id for v in votes if v.duplicate_of_id).most_common(1)[
            0
        ][0]
        PostLink.objects.get_or_create(
            from_post=post,
            to_post_id=target_id,
            link_type=PostLink.LinkType.DUPLICATE,
            defaults={"created_at": now},
        )
        details["duplicate_of"] = target_id
    CloseVote.objects.filter(post=post, is_active=True).update(is_active=False)
    audit_record(
        actor=actor,
        action=Action.CLOSE,
        post=post,
        target_user=post.author,
        reason=CloseReason(reason).label,
        details=details,
    )


def _reopen(*, post: Post, votes: list[CloseVote], actor: User) -> None:
    Post.objects.filter(pk=post.pk).update(closed_at=None, close_reason="")
    PostLink.objects.filter(from_post=post, link_type=PostLink.LinkType.DUPLICATE).delete()
    CloseVote.objects.filter(post=post, is_active=True).update(is_active=False)
    audit_record(
        actor=actor,
        action=Action.REOPEN,
        post=post,
        target_user=post.author,
        reason="Reopened by votes",
        details={"voters": [v.user_id for v in votes]},
    )


@transaction.atomic
def post_lock(*, post: Post, by: User, locked: bool, reason: str) -> Post:
    if not is_space_moderator(by, post.space):
        raise PermissionRefused("Only moderators can lock posts.")
    Post.objects.filter(pk=post.pk).update(is_locked=locked)
    post.is_locked = locked
    audit_record(
        actor=by,
        action=Action.LOCK if locked else Action.UNLOCK,
        post=post,
        target_user=post.author,
        reason=reason,
    )
    return post


@transaction.atomic
def post_set_hidden(*, post: Post, by: User, hidden: bool, reason: str) -> Post:
    """A moderator hides or restores a post directly (outside the review queue)."""
    if not is_space_moderator(by, post.space):
        raise PermissionRefused("Only moderators can hide or restore posts directly.")
    reason = reason.strip() or ("Hidden by a moderator." if hidden else "Restored by a moderator.")
    if hidden:
        post_hide(post=post, reason=reason, actor=by)
    else:
        post_unhide(post=post, reason=reason, actor=by)
        for task in ReviewTask.objects.filter(post=post, queue=ReviewQueue.FLAGGED, status="open"):
            _resolve_flags(task, status=Flag.Status.DISMISSED, reviewer=by)
            _finish(task, reviewer=by, decision=Decision.DISMISS, note=reason)
    return post


# --- sanctions ------------------------------------------------------------------------------


def sanction_notice_end(sanction: Sanction) -> datetime.datetime | None:
    """Until when a sanction is in force: a silence or suspension until it ends, a warning
    for its notice period. None once lifted."""
    if sanction.lifted_at is not None:
        return None
    if sanction.kind == Sanction.Kind.WARN:
        return sanction.created_at + datetime.timedelta(
            days=moderation_setting("WARNING_NOTICE_DAYS")
        )
    return sanction.ends_at


def sanctions_sync(*, user: User) -> datetime.datetime | None:
    """Recompute User.sanctioned_until (the cheap test pages and writes make) from the sanctions
    themselves. It needs no update when a sanction runs out: the time simply passes it."""
    now = timezone.now()
    ends = [
        end
        for end in map(sanction_notice_end, Sanction.objects.filter(user_id=user.pk))
        if end is not None and end > now
    ]
    until = max(ends) if ends else None
    User.objects.filter(pk=user.pk).update(sanctioned_until=until)
    user.sanctioned_until = until
    return until


@transaction.atomic
def sanction_apply(
    *, user: User, by: User, kind: str, reason: str, days: int | None = None
) -> Sanction:
    """Warn (a notice, no restriction), silence (no posting, commenting, voting, flagging,
    editing or reviewing) or suspend (no writes at all, and shown on the profile) for a period."""
    perms.check_sanction(by, user)
    if kind not in Sanction.Kind.values:
        raise ValidationFailed("Choose warn, silence or suspend.", field="kind")
    reason = " ".join((reason or "").split())
    if len(reason) < 10:
        raise ValidationFailed("Give the person a reason (10 characters or more).", field="reason")
    now = timezone.now()
    ends_at = None
    if kind != Sanction.Kind.WARN:
        if days is None or not 1 <= days <= moderation_setting("SANCTION_MAX_DAYS"):
            raise ValidationFailed(
                f"A silence or suspension lasts 1 to {moderation_setting('SANCTION_MAX_DAYS')} days.",
                field="days",
            )
        ends_at = now + datetime.timedelta(days=days)
    sanction = Sanction.objects.create(
        user=user, kind=kind, reason=reason, created_by=by, created_at=now, ends_at=ends_at
    )
    sanctions_sync(user=user)
    audit_record(
        actor=by,
        action=Action.SANCTION,
        target_user=user,
        reason=reason,
        details={"kind": kind, "days": days, "sanction": sanction.pk},
    )
    return sanction


@transaction.atomic
def sanction_appeal(*, sanction: Sanction, by: User, text: str) -> Sanction:
    """The person sanctioned appeals, once, to the moderators."""
    sanction = Sanction.objects.select_for_update().get(pk=sanction.pk)
    perms.check_appeal(by, sanction)
    text = (text or "").strip()
    if len(text) < 10:
        raise ValidationFailed("Explain your appeal (10 characters or more).", field="text")
    sanction.appeal_text = text[:2000]
    sanction.appeal_status = Sanction.Appeal.PENDING
    sanction.appealed_at = timezone.now()
    sanction.save(update_fields=["appeal_text", "appeal_status", "appealed_at"])
    audit_record(
        actor=by,
        action=Action.APPEAL,
        target_user=by,
        reason=text[:200],
        details={"sanction": sanction.pk},
    )
    return sanction


@transaction.atomic
def sanction_decide_appeal(
    *, sanction: Sanction, by: User, grant: bool, reason: str = ""
) -> Sanction:
    sanction = Sanction.objects.select_for_update().select_related("user").get(pk=sanction.pk)
    perms.check_sanction(by, sanction.user)
    if sanction.appeal_status != Sanction.Appeal.PENDING:
        raise ValidationFailed("There is no pending appeal on this sanction.")
    sanction.appeal_status = Sanction.Appeal.GRANTED if grant else Sanction.Appeal.UPHELD
    fields = ["appeal_status"]
    if grant:
        sanction.lifted_at = timezone.now()
        fields.append("lifted_at")
    sanction.save(update_fields=fields)
    if grant:
        sanctions_sync(user=sanction.user)
        audit_record(
            actor=by,
            action=Action.LIFT,
            target_user=sanction.user,
            reason=reason or "Appeal granted",
            details={"sanction": sanction.pk},
        )
    else:
        audit_record(
            actor=by,
            action=Action.APPEAL,
            target_user=sanction.user,
            reason=reason or "Appeal refused",
            details={"sanction": sanction.pk, "decision": "refused"},
        )
    return sanction


@transaction.atomic
def sanction_lift(*, sanction: Sanction, by: User, reason: str = "") -> Sanction:
    """A moderator ends a sanction early."""
    sanction = Sanction.objects.select_for_update().select_related("user").get(pk=sanction.pk)
    perms.check_sanction(by, sanction.user)
    if sanction.lifted_at is not None:
        raise ValidationFailed("This sanction has already been lifted.")
    sanction.lifted_at = timezone.now()
    sanction.save(update_fields=["lifted_at"])
    sanctions_sync(user=sanction.user)
    audit_record(
        actor=by,
        action=Action.LIFT,
        target_user=sanction.user,
        reason=reason or "Lifted by a moderator",
        details={"sanction": sanction.pk},
    )
    return sanction


# --- takedown -------------------------------------------------------------------------------


@transaction.atomic
def takedown(*, post: Post, by: User, reason: str) -> Post:
    """Staff remove content after a legal or personal-data complaint: it is hidden from everyone
    but staff and locked, its revisions are kept as the legal record, and the act is logged."""
    perms.check_takedown(by)
    reason = reason.strip() or "Removed after a legal or personal-data complaint."
    revisions = list(post.revisions.values_list("number", flat=True))
    Post.objects.filter(pk=post.pk).update(
        is_hidden=True, is_locked=True, hidden_reason="Removed after a legal complaint."
    )
    post.is_hidden, post.is_locked = True, True
    audit_record(
        actor=by,
        action=Action.TAKEDOWN,
        post=post,
        target_user=post.author,
        reason=reason,
        details={"revisions_kept": revisions},
    )
    content.post_moderated(post)
    for task in ReviewTask.objects.filter(post=post, queue=ReviewQueue.LEGAL, status="open"):
        _finish(task, reviewer=by, decision=Decision.AGREE, note=reason)
    return post


# --- serial voting --------------------------------------------------------------------------


@transaction.atomic
def serial_voting_reverse(*, now: datetime.datetime | None = None) -> list[tuple[int, int]]:
    """Find people who voted on one author's posts in bulk within the window and undo those
    votes: the votes are removed, the posts' scores put back, every ledger line the votes
    moved is reversed, and each pattern is logged. Returns the (voter, author) pairs reversed."""
    now = now or timezone.now()
    since = now - datetime.timedelta(hours=reputation_setting("SERIAL_WINDOW_HOURS"))
    Kind = ReputationEvent.Kind
    received = ReputationEvent.objects.filter(
        kind__in=[Kind.ANSWER_UPVOTED, Kind.QUESTION_UPVOTED, Kind.DOWNVOTE_RECEIVED],
        created_at__gte=since,
        actor__isnull=False,
        reversed_by__isnull=True,
    ).exclude(actor_id=F("user_id"))
    groups: dict[tuple[int, int, bool], set[int]] = defaultdict(set)
    for actor_id, user_id, kind, post_id in received.values_list(
        "actor_id", "user_id", "kind", "post_id"
    ):
        groups[(actor_id, user_id, kind == Kind.DOWNVOTE_RECEIVED)].add(post_id)
    reversed_pairs = []
    for (actor_id, user_id, down), post_ids in sorted(groups.items()):
        if len(post_ids) < reputation_setting("SERIAL_VOTES"):
            continue
        value = Vote.Value.DOWN if down else Vote.Value.UP
        removed = _votes_remove(voter_id=actor_id, post_ids=post_ids, value=value)
        kinds = (
            [Kind.DOWNVOTE_RECEIVED, Kind.DOWNVOTE_CAST]
            if down
            else [Kind.ANSWER_UPVOTED, Kind.QUESTION_UPVOTED]
        )
        # Every live line these votes moved, whenever it was written (a vote re-credited on
        # undelete included): the votes are gone, so nothing they earned may stay.
        events = ReputationEvent.objects.filter(
            actor_id=actor_id, post_id__in=post_ids, kind__in=kinds
        )
        undone = reputation.reputation_reverse_events(
            events=events, cause=ReputationEvent.Cause.SERIAL_VOTING
        )
        if not undone and not removed:
            continue
        reversed_pairs.append((actor_id, user_id))
        audit_record(
            actor=None,
            action=Action.REVERSAL,
            target_user=User.objects.filter(pk=user_id).first(),
            reason=f"Serial {'down' if down else 'up'}voting by user {actor_id} reversed.",
            details={
                "voter": actor_id,
                "posts": sorted(post_ids),
                "votes_removed": sorted(removed),
                # The change each side's reputation took from the reversal.
                "amount": sum(e.amount for e in undone if e.user_id == user_id),
                "voter_amount": sum(e.amount for e in undone if e.user_id == actor_id),
            },
        )
    return reversed_pairs


def _votes_remove(*, voter_id: int, post_ids: set[int], value: int) -> list[int]:
    """Delete the voter's votes of `value` on these posts and take them out of the posts'
    score and vote counts. Returns the ids of the posts whose vote was removed."""
    votes = Vote.objects.filter(user_id=voter_id, post_id__in=post_ids, value=value)
    removed = list(votes.values_list("post_id", flat=True))
    if not removed:
        return []
    votes.delete()
    counter = "down_votes" if value < 0 else "up_votes"
    Post.objects.filter(pk__in=removed).update(
        score=F("score") - value, **{counter: F(counter) - 1}
    )
    for post_id in removed:
        transaction.on_commit(
            lambda post_id=post_id: post_changed.send(sender=Post, post_id=post_id, created=False)
        )
    return removed
