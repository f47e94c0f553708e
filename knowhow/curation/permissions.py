"""Who may add, vote on, review, flag and organise curated content. Every check lives here."""

from django.conf import settings

from knowhow.core.errors import NotFound, PermissionRefused, ValidationFailed
from knowhow.curation.models import Collection, Resource
from knowhow.reputation.config import Privilege
from knowhow.reputation.privileges import has_privilege
from knowhow.spaces.models import Space
from knowhow.spaces.selectors import (
    Viewer,
    can_post_in_space,
    can_view_space,
    is_space_moderator,
    space_feature_enabled,
)


class ActOnOwnResource(PermissionRefused):
    """You cannot vote on, review or flag a resource you added."""


def curate_min_reputation() -> int:
    return int(getattr(settings, "CURATION_MIN_REPUTATION", 50))


def _authenticated(user: Viewer) -> bool:
    return user is not None and user.is_authenticated and user.is_active


def can_curate(user: Viewer, space: Space) -> bool:
    """Curators: space moderators and staff, or members with enough reputation."""
    if not _authenticated(user) or not can_post_in_space(user, space):
        return False
    if not space_feature_enabled(space, "curation"):
        return False
    return is_space_moderator(user, space) or user.reputation >= curate_min_reputation()  # type: ignore[union-attr]


def _check_not_sanctioned(user: Viewer) -> None:
    """Silenced and suspended people add, vote, flag, review and comment on nothing."""
    from knowhow.moderation.permissions import check_not_sanctioned

    check_not_sanctioned(user)  # type: ignore[arg-type]


def check_curate(user: Viewer, space: Space) -> None:
    if not _authenticated(user):
        raise PermissionRefused("Log in to curate.")
    _check_not_sanctioned(user)
    if not can_post_in_space(user, space):
        raise PermissionRefused("You are not a member of that space.")
    if not space_feature_enabled(space, "curation"):
        raise PermissionRefused("Curation is switched off in this space.")
    if not can_curate(user, space):
        raise PermissionRefused(
            f"Adding resources needs {curate_min_reputation()} reputation or a moderator role."
        )


def can_moderate_resource(user: Viewer, resource: Resource) -> bool:
    return _authenticated(user) and is_space_moderator(user, resource.space)


def check_view_resource(user: Viewer, resource: Resource) -> None:
    if not can_view_space(user, resource.space):
        raise NotFound("That resource does not exist or is not visible to you.")
    if resource.is_deleted or resource.is_hidden:
        own = _authenticated(user) and resource.added_by_id == user.pk  # type: ignore[union-attr]
        # Like a hidden post: reviewers see a hidden (not deleted) one, to decide on its flags.
        reviewer = (
            resource.is_hidden
            and not resource.is_deleted
            and _authenticated(user)
            and has_privilege(user, Privilege.REVIEW)
        )
        if not (own or reviewer or can_moderate_resource(user, resource)):
            raise NotFound("That resource has been removed.")


def _check_interact(user: Viewer, resource: Resource, verb: str) -> None:
    if not _authenticated(user):
        raise PermissionRefused(f"Log in to {verb}.")
    check_view_resource(user, resource)
    _check_not_sanctioned(user)
    if resource.is_deleted:
        raise ValidationFailed("That resource has been deleted.")


def check_vote_resource(user: Viewer, resource: Resource) -> None:
    _check_interact(user, resource, "vote")
    if resource.added_by_id == user.pk:  # type: ignore[union-attr]
        raise ActOnOwnResource()


def check_review_resource(user: Viewer, resource: Resource) -> None:
    _check_interact(user, resource, "review")
    if resource.added_by_id == user.pk:  # type: ignore[union-attr]
        raise ActOnOwnResource()


def check_flag_resource(user: Viewer, resource: Resource) -> None:
    _check_interact(user, resource, "flag")
    if resource.added_by_id == user.pk:  # type: ignore[union-attr]
        raise ActOnOwnResource()


def check_comment_resource(user: Viewer, resource: Resource) -> None:
    _check_interact(user, resource, "comment")


def check_edit_resource(user: Viewer, resource: Resource) -> None:
    _check_interact(user, resource, "edit")
    if not (resource.added_by_id == user.pk or can_moderate_resource(user, resource)):  # type: ignore[union-attr]
        raise PermissionRefused("Only the curator who added it or a moderator can change it.")


def check_view_collection(user: Viewer, collection: Collection) -> None:
    if not can_view_space(user, collection.space):
        raise NotFound("That collection does not exist or is not visible to you.")


def can_edit_collection(user: Viewer, collection: Collection) -> bool:
    return _authenticated(user) and (
        collection.curator_id == user.pk or is_space_moderator(user, collection.space)  # type: ignore[union-attr]
    )


def check_edit_collection(user: Viewer, collection: Collection) -> None:
    check_view_collection(user, collection)
    if not can_edit_collection(user, collection):
        raise PermissionRefused("Only the collection's curator or a moderator can change it.")
    _check_not_sanctioned(user)


def check_enrol(user: Viewer, collection: Collection) -> None:
    if not _authenticated(user):
        raise PermissionRefused("Log in to enrol.")
    check_view_collection(user, collection)
    if not collection.is_path:
        raise ValidationFailed("Only learning paths take enrolments.")
