"""Who may flag, review, vote to close, sanction and read the audit log."""

from typing import Any

from knowhow.accounts.models import User
from knowhow.core.errors import NotFound, PermissionRefused, ValidationFailed
from knowhow.moderation.models import ReviewQueue, Sanction
from knowhow.reputation.config import Privilege
from knowhow.reputation.privileges import has_privilege, thresholds
from knowhow.spaces.models import SpaceMembership
from knowhow.spaces.selectors import Viewer, can_view_space, is_space_moderator


def _signed_in(user: Viewer) -> bool:
    return user is not None and user.is_authenticated and user.is_active


def is_site_moderator(user: Viewer) -> bool:
    """Staff, or a moderator of at least one space: they may sanction people and read all audit."""
    if not _signed_in(user):
        return False
    if user.is_staff or user.is_superuser:  # type: ignore[union-attr]
        return True
    return SpaceMembership.objects.filter(
        user_id=user.pk, role=SpaceMembership.Role.MODERATOR
    ).exists()


def check_privilege_on(user: Viewer, privilege: str, post: Any) -> None:
    if has_privilege(user, privilege):
        return
    if post is not None and is_space_moderator(user, post.space):
        return
    raise PermissionRefused(
        f"{Privilege(privilege).label} needs {thresholds()[privilege]:,} reputation; you have "
        f"{getattr(user, 'reputation', 0):,}."
    )


def check_can_see_post(user: Viewer, post: Any) -> None:
    if not can_view_space(user, post.space):
        raise NotFound("That post does not exist or is not visible to you.")


def check_not_sanctioned(user: User) -> None:
    """Silenced and suspended people may not post, comment, vote, flag, edit or review."""
    from knowhow.moderation.selectors import active_restriction

    sanction = active_restriction(user=user)
    if sanction is not None:
        raise AccountRestricted(sanction)


class AccountRestricted(PermissionRefused):
    """Your account is silenced or suspended for now."""

    code = "account_restricted"

    def __init__(self, sanction: Sanction) -> None:
        super().__init__(
            f"Your account is {sanction.get_kind_display().lower()} until "
            f"{sanction.ends_at:%Y-%m-%d %H:%M} UTC: {sanction.reason}"
        )


class AccountSuspended(AccountRestricted):
    """Your account is suspended: you can read, but not change anything, until it ends."""

    code = "account_suspended"


def check_may_write(user: Viewer) -> None:
    """A suspended person may use no write feature at all (pages and API)."""
    from knowhow.moderation.selectors import active_suspension

    suspension = active_suspension(user=user)  # type: ignore[arg-type]
    if suspension is not None:
        raise AccountSuspended(suspension)


def check_flag(user: Viewer, post: Any, *, author_id: int | None) -> None:
    """`author_id` is the author of what is flagged (the post, or the comment on it)."""
    if not _signed_in(user):
        raise PermissionRefused("Log in to flag.")
    check_can_see_post(user, post)
    if author_id is not None and author_id == user.pk:  # type: ignore[union-attr]
        raise PermissionRefused("You cannot flag your own post; edit or delete it instead.")
    if post.is_deleted:
        raise ValidationFailed("That post is already deleted.")
    check_not_sanctioned(user)  # type: ignore[arg-type]
    check_privilege_on(user, Privilege.FLAG, post)


def can_review(user: Viewer, queue: str) -> bool:
    if not _signed_in(user):
        return False
    if queue == ReviewQueue.LEGAL:
        return bool(user.is_staff or user.is_superuser)  # type: ignore[union-attr]
    return has_privilege(user, Privilege.REVIEW) or is_site_moderator(user)


def check_review(user: Viewer, queue: str, post: Any = None) -> None:
    if not _signed_in(user):
        raise PermissionRefused("Log in to review.")
    if queue == ReviewQueue.LEGAL:
        if not (user.is_staff or user.is_superuser):  # type: ignore[union-attr]
            raise PermissionRefused("Legal and personal-data reports are handled by staff only.")
        return
    if post is not None:
        check_can_see_post(user, post)
        check_privilege_on(user, Privilege.REVIEW, post)
    elif not can_review(user, queue):
        check_privilege_on(user, Privilege.REVIEW, None)
    check_not_sanctioned(user)  # type: ignore[arg-type]


def check_close_vote(user: Viewer, post: Any) -> None:
    if not _signed_in(user):
        raise PermissionRefused("Log in to vote to close.")
    check_can_see_post(user, post)
    if post.post_type != "question":
        raise ValidationFailed("Only questions can be closed.")
    if post.is_deleted:
        raise ValidationFailed("That question is deleted.")
    check_not_sanctioned(user)  # type: ignore[arg-type]
    check_privilege_on(user, Privilege.CLOSE_REOPEN, post)


def check_sanction(by: Viewer, user: User) -> None:
    if not is_site_moderator(by):
        raise PermissionRefused("Only moderators can sanction people.")
    if by.pk == user.pk:  # type: ignore[union-attr]
        raise ValidationFailed("You cannot sanction yourself.")
    if user.is_staff or user.is_superuser:
        raise PermissionRefused("Staff accounts cannot be sanctioned here.")


def check_appeal(by: Viewer, sanction: Sanction) -> None:
    if not _signed_in(by) or by.pk != sanction.user_id:  # type: ignore[union-attr]
        raise PermissionRefused("Only the person sanctioned can appeal.")
    if sanction.appeal_status:
        raise ValidationFailed("A sanction can be appealed once; this one already was.")
    if sanction.lifted_at is not None:
        raise ValidationFailed("This sanction has been lifted.")


def check_takedown(by: Viewer) -> None:
    if not _signed_in(by) or not (by.is_staff or by.is_superuser):  # type: ignore[union-attr]
        raise PermissionRefused("Takedowns are for staff only.")
