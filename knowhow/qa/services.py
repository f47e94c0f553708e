"""Writes for Q&A: ask, answer, comment, edit, vote, accept, delete, follow tags, count views."""

import datetime
import re
import unicodedata
from collections.abc import Sequence

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import Exists, F
from django.utils import timezone

from knowhow.accounts.models import User
from knowhow.core.errors import Conflict, NotFound, PermissionRefused, ValidationFailed
from knowhow.core.rendering import render_inline_markdown, render_markdown
from knowhow.core.signals import activity
from knowhow.core.text import clean_text
from knowhow.moderation import services as moderation
from knowhow.qa import permissions as perms
from knowhow.qa.models import (
    TAG_NAME_PATTERN,
    Comment,
    Post,
    PostRevision,
    QuestionView,
    Tag,
    TagFollow,
    Vote,
)
from knowhow.qa.signals import comment_added, post_changed
from knowhow.reputation import badges
from knowhow.reputation import services as reputation
from knowhow.reputation.config import Privilege
from knowhow.spaces.models import Space

TAG_RE = re.compile(TAG_NAME_PATTERN)


def _limits() -> dict[str, int]:
    return settings.KNOWHOW


# --- validation -----------------------------------------------------------------------------


def normalise_tag_names(raw: str | Sequence[str]) -> list[str]:
    items = re.split(r"[\s,]+", clean_text(raw)) if isinstance(raw, str) else list(raw)
    names: list[str] = []
    for item in items:
        name = unicodedata.normalize("NFC", clean_text(item).strip().lower())
        if not name:
            continue
        if not TAG_RE.match(name):
            raise ValidationFailed(
                f"“{name[:40]}” is not a valid tag: use up to 35 letters (of any script), "
                "digits, and + # . -",
                field="tags",
            )
        if name not in names:
            names.append(name)
    limits = _limits()
    if len(names) < limits["TAGS_MIN"]:
        raise ValidationFailed("Add at least one tag.", field="tags")
    if len(names) > limits["TAGS_MAX"]:
        raise ValidationFailed(f"Use at most {limits['TAGS_MAX']} tags.", field="tags")
    return names


def validate_title(title: str) -> str:
    title = " ".join(clean_text(title).split())
    limits = _limits()
    if len(title) < limits["TITLE_MIN"]:
        raise ValidationFailed(
            f"The title must be at least {limits['TITLE_MIN']} characters.", field="title"
        )
    if len(title) > limits["TITLE_MAX"]:
        raise ValidationFailed(
            f"The title must be at most {limits['TITLE_MAX']} characters.", field="title"
        )
    return title


def validate_body(body: str) -> str:
    body = clean_text(body).replace("\r\n", "\n").strip()
    limits = _limits()
    if len(body) < limits["BODY_MIN"]:
        raise ValidationFailed(
            f"The body must be at least {limits['BODY_MIN']} characters.", field="body"
        )
    if len(body) > limits["BODY_MAX"]:
        raise ValidationFailed(
            f"The body is too long: {len(body):,} characters, the limit is {limits['BODY_MAX']:,}.",
            field="body",
        )
    return body


def validate_comment(body: str) -> str:
    body = " ".join(clean_text(body).split())
    limits = _limits()
    if len(body) < limits["COMMENT_MIN"]:
        raise ValidationFailed("The comment is empty.", field="body")
    if len(body) > limits["COMMENT_MAX"]:
        raise ValidationFailed(
            f"Comments are limited to {limits['COMMENT_MAX']} characters.", field="body"
        )
    return body


# --- tags -----------------------------------------------------------------------------------


def _tags_for(names: list[str]) -> list[Tag]:
    existing = {t.name: t for t in Tag.objects.filter(name__in=names)}
    for name in names:
        if name not in existing:
            existing[name], _ = Tag.objects.get_or_create(name=name)
    return [existing[n] for n in names]


def _set_tags(question: Post, names: list[str]) -> None:
    old = set(question.tags.values_list("pk", flat=True))
    tags = _tags_for(names)
    new = {t.pk for t in tags}
    question.tags.set(tags)
    if not question.is_deleted:
        Tag.objects.filter(pk__in=new - old).update(question_count=F("question_count") + 1)
        Tag.objects.filter(pk__in=old - new, question_count__gt=0).update(
            question_count=F("question_count") - 1
        )


def tag_follow(*, user: User, tag: Tag) -> None:
    TagFollow.objects.get_or_create(user=user, tag=tag)


def tag_unfollow(*, user: User, tag: Tag) -> None:
    TagFollow.objects.filter(user=user, tag=tag).delete()


def tag_update_description(*, tag: Tag, by: User, excerpt: str, description: str) -> Tag:
    if not by.is_staff:
        raise PermissionRefused("Only administrators can edit tag descriptions for now.")
    tag.excerpt = clean_text(excerpt).strip()[:500]
    tag.description = description = clean_text(description)
    tag.description_html = render_markdown(description)
    tag.save(update_fields=["excerpt", "description", "description_html"])
    return tag


# --- posts ----------------------------------------------------------------------------------


def _revision(
    post: Post, *, author: User | None, summary: str, when: datetime.datetime
) -> PostRevision:
    number = (post.revisions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    tag_names = " ".join(post.tags.values_list("name", flat=True)) if post.is_question else ""
    return PostRevision.objects.create(
        post=post,
        number=number,
        author=author,
        title=post.title,
        body=post.body,
        tag_names=tag_names,
        summary=summary[:300],
        created_at=when,
    )


def _changed(post: Post, *, created: bool = False) -> None:
    transaction.on_commit(lambda: post_changed.send(sender=Post, post_id=post.pk, created=created))


def _activity(kind: str, *, actor: User | None, post: Post, value: float | None = None) -> None:
    """Tell whoever measures activity (analytics, learning records) after the commit."""
    question = post if post.is_question else post.question
    # .all() so that a prefetched question (the question page) costs no extra query.
    tag_names = [t.name for t in question.tags.all()] if question is not None else []
    payload = {
        "kind": kind,
        "actor_id": actor.pk if actor is not None else None,
        "space_id": post.space_id,
        "post_id": post.pk,
        "question_id": question.pk if question is not None else None,
        "tag_names": tag_names,
        "value": value,
    }
    transaction.on_commit(lambda: activity.send(sender=Post, **payload))


@transaction.atomic
def question_ask(
    *, author: User, space: Space, title: str, body: str, tags: str | Sequence[str]
) -> Post:
    perms.check_ask(author, space)
    title = validate_title(title)
    body = validate_body(body)
    names = normalise_tag_names(tags)
    perms.check_create_tags(author, names)
    perms.check_post_rate(author, body=body)
    now = timezone.now()
    question = Post.objects.create(
        post_type=Post.PostType.QUESTION,
        space=space,
        author=author,
        title=title,
        body=body,
        body_html=render_markdown(body),
        created_at=now,
        last_activity_at=now,
    )
    _set_tags(question, names)
    _revision(question, author=author, summary="Asked", when=now)
    badges.badges_on_post(post=question)
    moderation.review_new_post(post=question)
    _changed(question, created=True)
    _activity("question_asked", actor=author, post=question)
    return question


@transaction.atomic
def answer_post(*, author: User, question: Post, body: str) -> Post:
    question = (
        Post.objects.select_for_update(of=("self",)).select_related("space").get(pk=question.pk)
    )
    perms.check_answer(author, question)
    body = validate_body(body)
    perms.check_post_rate(author, body=body)
    now = timezone.now()
    answer = Post.objects.create(
        post_type=Post.PostType.ANSWER,
        space=question.space,
        question=question,
        author=author,
        body=body,
        body_html=render_markdown(body),
        created_at=now,
        last_activity_at=now,
    )
    _revision(answer, author=author, summary="Answered", when=now)
    Post.objects.filter(pk=question.pk).update(
        answer_count=F("answer_count") + 1, last_activity_at=now
    )
    badges.badges_on_post(post=answer)
    moderation.review_new_post(post=answer)
    _changed(answer, created=True)
    _activity("answer_posted", actor=author, post=answer)
    return answer


@transaction.atomic
def post_edit(
    *,
    post: Post,
    by: User,
    body: str,
    title: str | None = None,
    tags: str | Sequence[str] | None = None,
    summary: str = "",
    approved_by: User | None = None,
) -> Post:
    """Edit a post. `approved_by` is the reviewer who approved `by`'s suggested edit."""
    post = (
        Post.objects.select_for_update(of=("self",))
        .select_related("space", "question")
        .get(pk=post.pk)
    )
    if approved_by is not None:
        perms.check_view_post(approved_by, post)
        perms.check_privilege(approved_by, Privilege.REVIEW, post=post)
        if post.is_deleted:
            raise perms.PostIsDeleted("Undelete the post before editing it.")
    else:
        perms.check_edit_post(by, post)
    body = validate_body(body)
    changed = body != post.body
    names: list[str] | None = None
    if post.is_question:
        if title is not None:
            title = validate_title(title)
            changed = changed or title != post.title
            post.title = title
        if tags is not None:
            names = normalise_tag_names(tags)
            perms.check_create_tags(approved_by or by, names)
            changed = changed or sorted(names) != sorted(post.tags.values_list("name", flat=True))
    if not changed:
        raise ValidationFailed("Nothing changed: edit the text before saving.")
    now = timezone.now()
    post.body = body
    post.body_html = render_markdown(body)
    post.edited_at = now
    post.last_editor = by
    post.last_activity_at = now
    post.save(
        update_fields=["title", "body", "body_html", "edited_at", "last_editor", "last_activity_at"]
    )
    if names is not None:
        _set_tags(post, names)
    _revision(post, author=by, summary=summary or "Edited", when=now)
    if post.is_answer:
        Post.objects.filter(pk=post.question_id).update(last_activity_at=now)
    badges.badges_on_edit(editor=by, post=post)
    if approved_by is None:
        # A post that flags hid comes back once when its author edits it (moderation decides).
        moderation.post_author_edited(post=post, by=by)
    if approved_by is not None:
        reputation.reputation_record_edit_approved(editor=by, post=post, reviewer=approved_by)
    _changed(post)
    return post


@transaction.atomic
def post_suggest_edit(
    *,
    post: Post,
    by: User,
    body: str,
    title: str | None = None,
    tags: str | Sequence[str] | None = None,
    summary: str = "",
) -> object:
    """Below the edit privilege an edit is a suggestion that waits in the review queue."""
    post = Post.objects.select_related("space", "question").get(pk=post.pk)
    perms.check_suggest_edit(by, post)
    body = validate_body(body)
    payload: dict[str, object] = {"body": body, "summary": summary[:300]}
    if post.is_question:
        payload["title"] = validate_title(title if title is not None else post.title)
        payload["tags"] = normalise_tag_names(tags) if tags is not None else None
    return moderation.review_suggested_edit(post=post, by=by, payload=payload)


@transaction.atomic
def post_delete(*, post: Post, by: User, reviewed: bool = False) -> Post:
    """Delete a post. `reviewed`: a reviewer deletes it from a review queue."""
    post = (
        Post.objects.select_for_update(of=("self",))
        .select_related("space", "question")
        .get(pk=post.pk)
    )
    if reviewed:
        perms.check_view_post(by, post)
        perms.check_privilege(by, Privilege.REVIEW, post=post)
    else:
        perms.check_delete_post(by, post)
    if post.is_deleted:
        raise ValidationFailed("That post is already deleted.")
    post.is_deleted = True
    post.deleted_at = timezone.now()
    post.deleted_by = by
    post.save(update_fields=["is_deleted", "deleted_at", "deleted_by"])
    if post.is_answer and post.question and post.question.accepted_answer_id == post.pk:
        reputation.reputation_undo_accept(answer=post)
    reputation.reputation_post_deleted(post=post, by=by)
    if by.pk != post.author_id:
        moderation.audit_record(
            actor=by, action="delete", post=post, target_user=post.author, reason="Deleted"
        )
    if post.is_answer:
        Post.objects.filter(pk=post.question_id, answer_count__gt=0).update(
            answer_count=F("answer_count") - 1
        )
        Post.objects.filter(pk=post.question_id, accepted_answer=post).update(accepted_answer=None)
    else:
        Tag.objects.filter(questions=post, question_count__gt=0).update(
            question_count=F("question_count") - 1
        )
    _changed(post)
    return post


@transaction.atomic
def post_undelete(*, post: Post, by: User) -> Post:
    post = (
        Post.objects.select_for_update(of=("self",))
        .select_related("space", "question")
        .get(pk=post.pk)
    )
    perms.check_delete_post(by, post)
    if not post.is_deleted:
        raise ValidationFailed("That post is not deleted.")
    post.is_deleted = False
    post.deleted_at = None
    post.deleted_by = None
    post.save(update_fields=["is_deleted", "deleted_at", "deleted_by"])
    reputation.reputation_post_undeleted(post=post)
    if by.pk != post.author_id:
        moderation.audit_record(
            actor=by, action="undelete", post=post, target_user=post.author, reason="Undeleted"
        )
    if post.is_answer:
        Post.objects.filter(pk=post.question_id).update(answer_count=F("answer_count") + 1)
    else:
        Tag.objects.filter(questions=post).update(question_count=F("question_count") + 1)
    _changed(post)
    return post


# --- comments -------------------------------------------------------------------------------


@transaction.atomic
def comment_add(*, post: Post, author: User, body: str) -> Comment:
    post = Post.objects.select_related("space", "question").get(pk=post.pk)
    perms.check_comment(author, post)
    body = validate_comment(body)
    now = timezone.now()
    comment = Comment.objects.create(
        post=post, author=author, body=body, body_html=render_inline_markdown(body), created_at=now
    )
    Post.objects.filter(pk=post.pk).update(comment_count=F("comment_count") + 1)
    Post.objects.filter(pk=post.question_id or post.pk).update(last_activity_at=now)
    transaction.on_commit(lambda: comment_added.send(sender=Comment, comment_id=comment.pk))
    _activity("comment_added", actor=author, post=post)
    return comment


@transaction.atomic
def comment_delete(*, comment: Comment, by: User) -> Comment:
    comment = (
        Comment.objects.select_related("post__space", "post__question")
        .select_for_update(of=("self",))
        .get(pk=comment.pk)
    )
    perms.check_delete_comment(by, comment)
    if comment.is_deleted:
        raise ValidationFailed("That comment is already deleted.")
    comment.is_deleted = True
    comment.save(update_fields=["is_deleted"])
    Post.objects.filter(pk=comment.post_id, comment_count__gt=0).update(
        comment_count=F("comment_count") - 1
    )
    return comment


# --- votes and acceptance -------------------------------------------------------------------


@transaction.atomic
def vote_cast(*, post: Post, user: User, value: int) -> Post:
    """Set the user's vote on a post to +1, -1 or 0 (withdrawn). Voting the same way twice is a no-op."""
    if value not in (1, -1, 0):
        raise ValidationFailed("A vote is up (1), down (-1) or withdrawn (0).")
    post = (
        Post.objects.select_for_update(of=("self",))
        .select_related("space", "question")
        .get(pk=post.pk)
    )
    # Who may vote at all first; then the privilege for the direction that changes.
    perms.check_vote(user, post, value=0)
    existing = Vote.objects.filter(post=post, user=user).first()
    old = existing.value if existing else 0
    if value != old:
        perms.check_vote(user, post, value=value)
    if old == value:
        return post
    if existing and value == 0:
        existing.delete()
    elif existing:
        existing.value = value
        existing.save(update_fields=["value"])
    else:
        try:
            with transaction.atomic():
                Vote.objects.create(post=post, user=user, value=value)
        except IntegrityError as exc:  # a concurrent double-click
            raise Conflict("Your vote was already recorded.") from exc
    up = (value == 1) - (old == 1)
    down = (value == -1) - (old == -1)
    Post.objects.filter(pk=post.pk).update(
        score=F("score") + (value - old),
        up_votes=F("up_votes") + up,
        down_votes=F("down_votes") + down,
    )
    if old:
        reputation.reputation_undo_vote(post=post, voter=user)
    if value:
        reputation.reputation_record_vote(post=post, voter=user, value=value)
    post.refresh_from_db(fields=["score", "up_votes", "down_votes"])
    badges.badges_on_score(post=post, previous=post.score - (value - old))
    _changed(post)
    _activity("vote_cast", actor=user, post=post, value=value)
    return post


@transaction.atomic
def answer_accept(*, answer: Post, by: User) -> Post:
    answer = Post.objects.select_related("space", "question").get(pk=answer.pk)
    perms.check_accept(by, answer)
    question = Post.objects.select_for_update().get(pk=answer.question_id)
    if question.accepted_answer_id != answer.pk:
        if question.accepted_answer_id is not None:
            reputation.reputation_undo_accept(answer=question.accepted_answer)
        reputation.reputation_record_accept(answer=answer, accepter=by)
        question.accepted_answer = answer
        question.last_activity_at = timezone.now()
        question.save(update_fields=["accepted_answer", "last_activity_at"])
        answer.question = question
        badges.badges_on_accept(answer=answer, question=question)
        _changed(question)
        _activity("answer_accepted", actor=by, post=answer)
    return question


@transaction.atomic
def answer_unaccept(*, answer: Post, by: User) -> Post:
    answer = Post.objects.select_related("space", "question").get(pk=answer.pk)
    perms.check_accept(by, answer)
    question = Post.objects.select_for_update().get(pk=answer.question_id)
    if question.accepted_answer_id == answer.pk:
        reputation.reputation_undo_accept(answer=answer)
        question.accepted_answer = None
        question.save(update_fields=["accepted_answer"])
        _changed(question)
    return question


# --- views ----------------------------------------------------------------------------------


VIEW_SEEN_SECONDS = 24 * 3600


def question_record_view(*, question: Post, viewer_key: str, viewer: User | None = None) -> bool:
    """Count a view once per viewer per day. Returns True if this view was counted.

    Two queries and no savepoint: bump the counter only if today's row is missing, then add
    the row (ignoring a concurrent twin). A repeat view costs no query once the cache has seen
    it, and one query that updates nothing otherwise.
    """
    day = timezone.now().date()
    viewer_key = viewer_key[:64]
    # A viewer this cache has already seen today was counted (the row below is the record; the
    # cache only saves the repeat view its query). Under a per-process cache another process
    # may still ask the database once, which counts nothing twice.
    if not cache.add(f"qview:{question.pk}:{viewer_key}:{day.isoformat()}", 1, VIEW_SEEN_SECONDS):
        return False
    seen = QuestionView.objects.filter(question_id=question.pk, viewer_key=viewer_key, day=day)
    counted = (
        Post.objects.filter(pk=question.pk)
        .filter(~Exists(seen))
        .update(view_count=F("view_count") + 1)
    )
    if counted:
        QuestionView.objects.bulk_create(
            [QuestionView(question_id=question.pk, viewer_key=viewer_key, day=day)],
            ignore_conflicts=True,
        )
        _activity("question_viewed", actor=viewer, post=question)
    return bool(counted)


def post_get(pk: int) -> Post:
    post = Post.objects.select_related("space", "question", "question__space").filter(pk=pk).first()
    if post is None:
        raise NotFound("No such post.")
    return post
