"""Who may do what to questions, answers and comments. Every check lives here.

`can_*` answer a yes/no for templates; `check_*` raise the error a service should refuse with.
"""

import datetime
import re

from django.utils import timezone

from knowhow.core.errors import NotFound, PermissionRefused, ValidationFailed
from knowhow.qa.models import Comment, Post, Tag
from knowhow.reputation.config import Privilege, reputation_setting
from knowhow.reputation.privileges import has_privilege, is_new_user, threshold_in, thresholds
from knowhow.spaces.selectors import (
    Viewer,
    can_post_in_space,
    can_view_space,
    is_space_moderator,
    is_space_writable,
)

LINK_RE = re.compile(r"https?://", re.IGNORECASE)


class VoteOnOwnPost(PermissionRefused):
    """You cannot vote on your own post."""


class PostIsDeleted(ValidationFailed):
    """That post has been deleted."""


class NotTheAsker(PermissionRefused):
    """Only the person who asked the question can accept an answer."""


def _authenticated(user: Viewer) -> bool:
    return user is not None and user.is_authenticated and user.is_active


class PrivilegeMissing(PermissionRefused):
    """You do not have enough reputation for that yet."""


class RateLimited(PermissionRefused):
    """You are posting too fast; wait a little and try again."""

    status_code = 429
    code = "rate_limited"


def check_privilege(user: Viewer, privilege: str, *, post: Post | None = None) -> None:
    """Refuse unless `user` holds `privilege` (staff, and moderators of the post's space, hold all)."""
    space = post.space if post is not None else None
    if has_privilege(user, privilege, space=space):
        return
    if post is not None and can_moderate_post(user, post):
        return
    needed = threshold_in(privilege, space)
    raise PrivilegeMissing(
        f"{Privilege(privilege).label} needs {needed:,} reputation; you have "
        f"{getattr(user, 'reputation', 0):,}."
    )


def check_not_sanctioned(user: Viewer) -> None:
    """Silenced and suspended people may not post, comment, vote, flag or edit."""
    from knowhow.moderation.permissions import check_not_sanctioned as check

    check(user)  # type: ignore[arg-type]


def check_post_rate(user: Viewer, *, body: str) -> None:
    """New users post at most N per minute and per day, with at most N links per post."""
    if not is_new_user(user):  # type: ignore[arg-type]
        return
    max_links = reputation_setting("NEW_USER_LINKS_PER_POST")
    if len(LINK_RE.findall(body or "")) > max_links:
        raise RateLimited(
            f"New members can include at most {max_links} links in a post; "
            "earn a little reputation first.",
            field="body",
        )
    now = timezone.now()
    recent = Post.objects.filter(
        author_id=user.pk, created_at__gte=now - datetime.timedelta(days=1)
    )  # type: ignore[union-attr]
    if recent.filter(created_at__gte=now - datetime.timedelta(minutes=1)).count() >= (
        reputation_setting("NEW_USER_POSTS_PER_MINUTE")
    ):
        raise RateLimited("New members can post only a few times a minute; wait a moment.")
    if recent.count() >= reputation_setting("NEW_USER_POSTS_PER_DAY"):
        raise RateLimited("New members have reached today's posting limit; come back tomorrow.")


def check_create_tags(user: Viewer, names: list[str]) -> None:
    new = set(names) - set(Tag.objects.filter(name__in=names).values_list("name", flat=True))
    if new and not has_privilege(user, Privilege.CREATE_TAGS):
        raise PrivilegeMissing(
            f"Creating tags ({', '.join(sorted(new))}) needs "
            f"{thresholds()[Privilege.CREATE_TAGS]:,} reputation; use existing tags.",
            field="tags",
        )


def can_moderate_post(user: Viewer, post: Post) -> bool:
    return _authenticated(user) and is_space_moderator(user, post.space)


def check_space_writable(space) -> None:  # type: ignore[no-untyped-def]
    """An archived (pilot) space is read-only: no posts, edits, comments or votes."""
    if not is_space_writable(space):
        raise PermissionRefused("This space is archived; it is read-only.")


def _posting_refusal(user: Viewer, space) -> PermissionRefused:  # type: ignore[no-untyped-def]
    if can_view_space(user, space) and space.posting == space.Posting.MODERATORS:
        return PermissionRefused("Only the space's moderators may post here.")
    return PermissionRefused("You are not a member of that space.")


def check_view_space_of(user: Viewer, post: Post) -> None:
    if not can_view_space(user, post.space):
        raise NotFound("That question does not exist or is not visible to you.")


def can_see_hidden(user: Viewer, post: Post) -> bool:
    """Hidden posts stay visible to their author, reviewers and moderators (with a notice)."""
    return _authenticated(user) and (
        post.author_id == user.pk  # type: ignore[union-attr]
        or has_privilege(user, Privilege.REVIEW)
        or can_moderate_post(user, post)
    )


def _sees_deleted(user: Viewer, post: Post) -> bool:
    return _authenticated(user) and (post.author_id == user.pk or can_moderate_post(user, post))  # type: ignore[union-attr]


def _is_frozen(post: Post) -> bool:
    """A deleted post, or an answer whose question was deleted: it takes no more activity."""
    if post.is_deleted:
        return True
    return post.is_answer and post.question is not None and post.question.is_deleted


def _is_resource_post(post: Post) -> bool:
    return post.post_type == Post.PostType.RESOURCE


def _check_not_resource_post(post: Post) -> None:
    """A curated resource's discussion post only carries its flags and search entry: votes,
    comments and edits happen on the resource itself (knowhow.curation)."""
    if _is_resource_post(post):
        raise ValidationFailed("This belongs to a curated resource; act on the resource's page.")


def check_view_post(user: Viewer, post: Post) -> None:
    check_view_space_of(user, post)
    if post.is_deleted and not _sees_deleted(user, post):
        raise NotFound("That post has been deleted.")
    # An answer of a deleted question is seen only by those who still see the question.
    question = post.question if post.is_answer else None
    if question is not None and question.is_deleted and not _sees_deleted(user, question):
        raise NotFound("That post has been deleted.")
    if post.is_hidden and not can_see_hidden(user, post):
        raise NotFound("That post is hidden pending review.")


def check_ask(user: Viewer, space) -> None:  # type: ignore[no-untyped-def]
    if not _authenticated(user):
        raise PermissionRefused("Log in to ask a question.")
    check_space_writable(space)
    if not can_post_in_space(user, space):
        raise _posting_refusal(user, space)
    check_not_sanctioned(user)


def check_answer(user: Viewer, question: Post) -> None:
    if not _authenticated(user):
        raise PermissionRefused("Log in to answer.")
    if not question.is_question:
        raise ValidationFailed("Answers can only be posted to questions.")
    check_view_space_of(user, question)
    if question.is_deleted:
        raise PostIsDeleted("This question has been deleted; it cannot be answered.")
    if question.closed_at is not None:
        raise ValidationFailed("This question is closed; it takes no new answers.")
    check_space_writable(question.space)
    if not can_post_in_space(user, question.space):
        raise _posting_refusal(user, question.space)
    check_not_sanctioned(user)


def check_comment(user: Viewer, post: Post) -> None:
    if not _authenticated(user):
        raise PermissionRefused("Log in to comment.")
    check_view_post(user, post)
    _check_not_resource_post(post)
    check_space_writable(post.space)
    if _is_frozen(post):
        raise PostIsDeleted("This post has been deleted; it cannot be commented on.")
    check_not_sanctioned(user)
    question = post if post.is_question else post.question
    own = post.author_id == user.pk or (question is not None and question.author_id == user.pk)  # type: ignore[union-attr]
    if not own:
        check_privilege(user, Privilege.COMMENT_EVERYWHERE, post=post)


def check_vote(user: Viewer, post: Post, *, value: int = 1) -> None:
    if not _authenticated(user):
        raise PermissionRefused("Log in to vote.")
    check_view_post(user, post)
    _check_not_resource_post(post)
    check_space_writable(post.space)
    if post.author_id is not None and post.author_id == user.pk:  # type: ignore[union-attr]
        raise VoteOnOwnPost()
    if _is_frozen(post):
        raise PostIsDeleted("You cannot vote on a deleted post.")
    if value:
        check_not_sanctioned(user)
    if value > 0:
        check_privilege(user, Privilege.VOTE_UP, post=post)
    elif value < 0:
        check_privilege(user, Privilege.VOTE_DOWN, post=post)


def can_vote(user: Viewer, post: Post, *, value: int = 1) -> bool:
    try:
        check_vote(user, post, value=value)
    except (PermissionRefused, ValidationFailed, NotFound):
        return False
    return True


def can_edit_post(user: Viewer, post: Post) -> bool:
    """Edit directly: one's own posts, or anyone's with the edit privilege (else: suggest)."""
    if not _authenticated(user) or _is_frozen(post) or _is_resource_post(post):
        return False
    if post.is_locked and not can_moderate_post(user, post):
        return False
    return (
        post.author_id == user.pk  # type: ignore[union-attr]
        or has_privilege(user, Privilege.EDIT)
        or can_moderate_post(user, post)
    )


def can_suggest_edit(user: Viewer, post: Post) -> bool:
    """People without the edit privilege may suggest an edit, which goes to review."""
    return (
        _authenticated(user)
        and not _is_frozen(post)
        and not _is_resource_post(post)
        and not post.is_locked
        and post.author_id != user.pk  # type: ignore[union-attr]
        and not can_edit_post(user, post)
    )


def check_suggest_edit(user: Viewer, post: Post) -> None:
    check_view_post(user, post)
    if not can_suggest_edit(user, post):
        raise PermissionRefused(
            "You can edit this post directly."
            if can_edit_post(user, post)
            else "This post cannot take suggested edits."
        )
    check_not_sanctioned(user)


def check_edit_post(user: Viewer, post: Post) -> None:
    check_view_post(user, post)
    _check_not_resource_post(post)
    check_space_writable(post.space)
    if _is_frozen(post):
        raise PostIsDeleted("Undelete the post before editing it.")
    if not can_edit_post(user, post):
        raise PermissionRefused(
            "This post is locked." if post.is_locked else "You can only edit your own posts."
        )
    check_not_sanctioned(user)


def can_delete_post(user: Viewer, post: Post) -> bool:
    if not _authenticated(user) or _is_resource_post(post):
        return False
    return post.author_id == user.pk or can_moderate_post(user, post)  # type: ignore[union-attr]


def check_delete_post(user: Viewer, post: Post) -> None:
    check_view_post(user, post)
    _check_not_resource_post(post)
    check_space_writable(post.space)
    if not can_delete_post(user, post):
        raise PermissionRefused("You can only delete your own posts.")


def can_accept(user: Viewer, answer: Post) -> bool:
    question = answer.question
    return (
        _authenticated(user)
        and question is not None
        and question.author_id == user.pk  # type: ignore[union-attr]
        and not question.is_deleted
        and not answer.is_deleted
    )


def check_accept(user: Viewer, answer: Post) -> None:
    if not _authenticated(user):
        raise PermissionRefused("Log in to accept an answer.")
    if not answer.is_answer:
        raise ValidationFailed("Only answers can be accepted.")
    check_view_post(user, answer)
    check_space_writable(answer.space)
    question = answer.question
    assert question is not None
    if question.author_id != user.pk:  # type: ignore[union-attr]
        raise NotTheAsker()
    if question.is_deleted or answer.is_deleted:
        raise PostIsDeleted("Deleted posts cannot be accepted.")


def can_delete_comment(user: Viewer, comment: Comment) -> bool:
    return _authenticated(user) and (
        comment.author_id == user.pk or can_moderate_post(user, comment.post)  # type: ignore[union-attr]
    )


def check_delete_comment(user: Viewer, comment: Comment) -> None:
    check_view_post(user, comment.post)
    check_space_writable(comment.post.space)
    if not can_delete_comment(user, comment):
        raise PermissionRefused("You can only delete your own comments.")


def post_actions(user: Viewer, post: Post, *, is_moderator: bool) -> dict[str, bool]:
    """What the viewer may do with a post, for a page that already knows the moderator flag."""
    # An archived space is read-only: nobody is offered an action there.
    signed_in = _authenticated(user) and not post.space.is_archived
    own = signed_in and post.author_id is not None and post.author_id == user.pk  # type: ignore[union-attr]
    live = not _is_frozen(post)
    question = post if post.is_question else post.question
    on_own_question = signed_in and question is not None and question.author_id == user.pk  # type: ignore[union-attr]
    can_edit = (
        signed_in
        and live
        and (own or is_moderator or has_privilege(user, Privilege.EDIT, space=post.space))
    )
    return {
        "vote": signed_in and live and not own,
        "vote_down": signed_in
        and live
        and not own
        and (is_moderator or has_privilege(user, Privilege.VOTE_DOWN, space=post.space)),
        "see_votes": is_moderator
        or has_privilege(user, Privilege.SEE_VOTE_COUNTS, space=post.space),
        "comment": signed_in
        and live
        and (
            own
            or on_own_question
            or is_moderator
            or has_privilege(user, Privilege.COMMENT_EVERYWHERE, space=post.space)
        ),
        "flag_comment": signed_in
        and live
        and (is_moderator or has_privilege(user, Privilege.FLAG, space=post.space)),
        "flag": signed_in
        and live
        and not own
        and (is_moderator or has_privilege(user, Privilege.FLAG, space=post.space)),
        "close": bool(
            post.is_question
            and signed_in
            and live
            and (is_moderator or has_privilege(user, Privilege.CLOSE_REOPEN, space=post.space))
        ),
        "suggest_edit": signed_in and live and not can_edit and not own and not post.is_locked,
        "edit": can_edit and (not post.is_locked or is_moderator),
        "delete": signed_in and live and (own or is_moderator),
        "undelete": signed_in and post.is_deleted and (own or is_moderator),
        "accept": bool(
            post.is_answer
            and signed_in
            and live
            and question is not None
            and question.author_id == user.pk
            and not question.is_deleted  # type: ignore[union-attr]
        ),
        "moderate": is_moderator,
    }
