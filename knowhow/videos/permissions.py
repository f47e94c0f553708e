"""Who may do what with videos. `can_*` answers, `check_*` raises."""

from django.contrib.auth.models import AnonymousUser

from knowhow.accounts.models import User
from knowhow.core.errors import NotFound, PermissionRefused
from knowhow.qa.models import Post
from knowhow.spaces.models import Space
from knowhow.spaces.selectors import (
    can_post_in_space,
    can_view_space,
    is_space_moderator,
    space_feature_enabled,
)
from knowhow.videos.models import Video

Viewer = User | AnonymousUser | None


def can_view_video(viewer: Viewer, video: Video) -> bool:
    if video.is_deleted or not can_view_space(viewer, video.space):
        return False
    published = video.status == Video.Status.READY or video.is_playable
    post = video.post if video.post_id else None
    if published and (post is None or not (post.is_deleted or post.is_hidden)):
        return True
    # Unpublished, or hidden by moderation: only the uploader and moderators see it.
    return bool(viewer and viewer.is_authenticated and can_manage_video(viewer, video))  # type: ignore[arg-type]


def can_manage_video(user: User, video: Video) -> bool:
    return user.pk == video.uploader_id or is_space_moderator(user, video.space)


def _check_not_sanctioned(user: User) -> None:
    """Silenced and suspended people publish nothing (moderation's rule for every post)."""
    from knowhow.moderation.permissions import check_not_sanctioned

    check_not_sanctioned(user)


def check_upload(*, user: User, space: Space) -> None:
    _check_not_sanctioned(user)
    if not can_post_in_space(user, space):
        raise PermissionRefused("You cannot post videos in that space.")
    if not space_feature_enabled(space, "videos"):
        raise PermissionRefused("Videos are switched off in this space.")


def check_answer_with_video(*, user: User, answer: Post) -> None:
    _check_not_sanctioned(user)
    if not answer.is_answer or answer.author_id != user.pk:
        raise PermissionRefused("You can attach a video only to your own answer.")


def check_retranscode(*, user: User, video: Video) -> None:
    if not (user.is_staff or is_space_moderator(user, video.space)):
        raise PermissionRefused("Only administrators can process a video again.")


def check_manage_captions(*, user: User, video: Video) -> None:
    if not can_view_space(user, video.space):
        raise NotFound("No such video.")
    if not can_manage_video(user, video):
        raise PermissionRefused("Only the video's maker or a moderator can change its captions.")
