"""Who may do what to questions, answers and comments. Every check lives here.

`can_*` answer a yes/no for templates; `check_*` raise the error a service should refuse with.
"""

from knowhow.core.errors import NotFound, PermissionRefused, ValidationFailed
from knowhow.qa.models import Comment, Post
from knowhow.spaces.selectors import (
    Viewer,
    can_post_in_space,
    can_view_space,
    is_space_moderator,
    is_space_writable,
)


class VoteOnOwnPost(PermissionRefused):
    """You cannot vote on your own post."""


class PostIsDeleted(ValidationFailed):
    """That post has been deleted."""


class NotTheAsker(PermissionRefused):
    """Only the person who asked the question can accept an answer."""


def _authenticated(user: Viewer) -> bool:
    return user is not None and user.is_authenticated and user.is_active


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


def _sees_deleted(user: Viewer, post: Post) -> bool:
    return _authenticated(user) and (post.author_id == user.pk or can_moderate_post(user, post))  # type: ignore[union-attr]


def _is_frozen(post: Post) -> bool:
    """A deleted post, or an answer whose question was deleted: it takes no more activity."""
    if post.is_deleted:
        return True
    return post.is_answer and post.question is not None and post.question.is_deleted


def check_view_post(user: Viewer, post: Post) -> None:
    check_view_space_of(user, post)
    if post.is_deleted and not _sees_deleted(user, post):
        raise NotFound("That post has been deleted.")
    # An answer of a deleted question is seen only by those who still see the question.
    question = post.question if post.is_answer else None
    if question is not None and question.is_deleted and not _sees_deleted(user, question):
        raise NotFound("That post has been deleted.")


def check_ask(user: Viewer, space) -> None:  # type: ignore[no-untyped-def]
    if not _authenticated(user):
        raise PermissionRefused("Log in to ask a question.")
    check_space_writable(space)
    if not can_post_in_space(user, space):
        raise _posting_refusal(user, space)


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


def check_comment(user: Viewer, post: Post) -> None:
    if not _authenticated(user):
        raise PermissionRefused("Log in to comment.")
    check_view_post(user, post)
    check_space_writable(post.space)
    if _is_frozen(post):
        raise PostIsDeleted("This post has been deleted; it cannot be commented on.")


def check_vote(user: Viewer, post: Post) -> None:
    if not _authenticated(user):
        raise PermissionRefused("Log in to vote.")
    check_view_post(user, post)
    check_space_writable(post.space)
    if post.author_id is not None and post.author_id == user.pk:  # type: ignore[union-attr]
        raise VoteOnOwnPost()
    if _is_frozen(post):
        raise PostIsDeleted("You cannot vote on a deleted post.")


def can_vote(user: Viewer, post: Post) -> bool:
    try:
        check_vote(user, post)
    except (PermissionRefused, ValidationFailed, NotFound):
        return False
    return True


def can_edit_post(user: Viewer, post: Post) -> bool:
    if not _authenticated(user) or _is_frozen(post):
        return False
    return post.author_id == user.pk or can_moderate_post(user, post)  # type: ignore[union-attr]


def check_edit_post(user: Viewer, post: Post) -> None:
    check_view_post(user, post)
    check_space_writable(post.space)
    if _is_frozen(post):
        raise PostIsDeleted("Undelete the post before editing it.")
    if not can_edit_post(user, post):
        raise PermissionRefused("You can only edit your own posts.")


def can_delete_post(user: Viewer, post: Post) -> bool:
    if not _authenticated(user):
        return False
    return post.author_id == user.pk or can_moderate_post(user, post)  # type: ignore[union-attr]


def check_delete_post(user: Viewer, post: Post) -> None:
    check_view_post(user, post)
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
    signed_in = _authenticated(user)
    own = signed_in and post.author_id is not None and post.author_id == user.pk  # type: ignore[union-attr]
    live = not _is_frozen(post)
    question = post if post.is_question else post.question
    return {
        "vote": signed_in and live and not own,
        "comment": signed_in and live,
        "edit": signed_in and live and (own or is_moderator),
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
