"""The one place that decides which spaces, and so which content, a person may see.

Every page, API endpoint, search, feed and notification filters through `visible_space_q`
or `spaces_visible_to`; nothing else reasons about visibility.
"""

from django.contrib.auth.models import AnonymousUser
from django.db.models import BooleanField, Exists, OuterRef, Q, QuerySet, Value
from django.db.models.expressions import Expression

from knowhow.accounts.models import User
from knowhow.core.errors import NotFound
from knowhow.spaces.models import Space, SpaceMembership

Viewer = User | AnonymousUser | None


def _is_member_user(viewer: Viewer) -> bool:
    return viewer is not None and viewer.is_authenticated


def visible_space_q(viewer: Viewer, *, prefix: str = "space") -> Q:
    """A filter on a model with a foreign key to Space (named `prefix`) for what `viewer` sees."""
    public = Q(**{f"{prefix}__visibility": Space.Visibility.ORGANISATION})
    if not _is_member_user(viewer):
        return public
    if viewer.is_superuser:  # type: ignore[union-attr]
        return Q()
    member_of = SpaceMembership.objects.filter(user_id=viewer.pk).values("space_id")
    return public | Q(**{f"{prefix}_id__in": member_of})


def visibility_signature(viewer: Viewer) -> str:
    """A short string equal for every two viewers who see the same spaces (anonymous visitors and
    people in no private space share one), for caches of per-audience results such as list totals.
    One query for a signed-in person who is not a superuser."""
    if not _is_member_user(viewer):
        return "public"
    if viewer.is_superuser:  # type: ignore[union-attr]
        return "all"
    private = SpaceMembership.objects.filter(user_id=viewer.pk).exclude(
        space__visibility=Space.Visibility.ORGANISATION
    )
    ids = sorted(private.values_list("space_id", flat=True))
    return "public+" + ",".join(map(str, ids)) if ids else "public"


def _signature_private_ids(signature: str) -> list[int]:
    rest = signature.removeprefix("public+")
    return [int(pk) for pk in rest.split(",")] if rest != signature else []


def visible_space_q_for_signature(signature: str, *, prefix: str = "space") -> Q:
    """`visible_space_q` for everyone whose `visibility_signature` is `signature`, from the
    signature alone (memberships are not read again): what is cached per audience is then
    computed for exactly that audience, even when a membership changes meanwhile."""
    if signature == "all":
        return Q()
    public = Q(**{f"{prefix}__visibility": Space.Visibility.ORGANISATION})
    private_ids = _signature_private_ids(signature)
    return public | Q(**{f"{prefix}_id__in": private_ids}) if private_ids else public


def spaces_visible_to_signature(signature: str) -> QuerySet[Space]:
    """`spaces_visible_to` for everyone whose `visibility_signature` is `signature`."""
    if signature == "all":
        return Space.objects.all()
    public = Q(visibility=Space.Visibility.ORGANISATION)
    private_ids = _signature_private_ids(signature)
    return Space.objects.filter(public | Q(pk__in=private_ids) if private_ids else public)


def spaces_visible_to(viewer: Viewer) -> QuerySet[Space]:
    if not _is_member_user(viewer):
        return Space.objects.filter(visibility=Space.Visibility.ORGANISATION)
    if viewer.is_superuser:  # type: ignore[union-attr]
        return Space.objects.all()
    member_of = SpaceMembership.objects.filter(user_id=viewer.pk).values("space_id")
    return Space.objects.filter(Q(visibility=Space.Visibility.ORGANISATION) | Q(pk__in=member_of))


def can_view_space(viewer: Viewer, space: Space) -> bool:
    if not space.is_private:
        return True
    if not _is_member_user(viewer):
        return False
    if viewer.is_superuser:  # type: ignore[union-attr]
        return True
    return SpaceMembership.objects.filter(space=space, user_id=viewer.pk).exists()


def can_post_in_space(viewer: Viewer, space: Space) -> bool:
    """Asking and answering: members who can see the space, unless it is archived or only its
    moderators may post there."""
    if not (_is_member_user(viewer) and can_view_space(viewer, space)):
        return False
    if space.is_archived:
        return False
    if space.posting == Space.Posting.MODERATORS:
        return is_space_moderator(viewer, space)
    return True


def is_space_writable(space: Space) -> bool:
    """False for an archived space: nothing in it changes any more."""
    return not space.is_archived


def space_feature_enabled(space: Space, feature: str) -> bool:
    """Per-space switches chosen for pilots: "videos", "curation", "chat_webhooks"."""
    return bool(getattr(space, f"{feature}_enabled", False))


def is_space_moderator(viewer: Viewer, space: Space) -> bool:
    if not _is_member_user(viewer):
        return False
    if viewer.is_superuser or viewer.is_staff:  # type: ignore[union-attr]
        return True
    return SpaceMembership.objects.filter(
        space=space, user_id=viewer.pk, role=SpaceMembership.Role.MODERATOR
    ).exists()


def space_moderator_annotation(viewer: Viewer, *, space_field: str = "space") -> Expression:
    """`is_space_moderator` as an annotation on rows with a space, to save a query per page."""
    if not _is_member_user(viewer):
        return Value(False, output_field=BooleanField())
    if viewer.is_superuser or viewer.is_staff:  # type: ignore[union-attr]
        return Value(True, output_field=BooleanField())
    return Exists(
        SpaceMembership.objects.filter(
            space_id=OuterRef(f"{space_field}_id"),
            user_id=viewer.pk,
            role=SpaceMembership.Role.MODERATOR,
        )
    )


def space_get_for_viewer(*, slug: str, viewer: Viewer) -> Space:
    space = Space.objects.filter(slug=slug).first()
    if space is None or not can_view_space(viewer, space):
        raise NotFound("No such space.")
    return space


def default_space() -> Space:
    space = Space.objects.filter(is_default=True).first()
    if space is None:
        space, _ = Space.objects.get_or_create(
            slug="everyone",
            defaults={
                "name": "Everyone",
                "is_default": True,
                "description": "The whole organisation.",
            },
        )
    return space


def space_members(*, space: Space) -> QuerySet[SpaceMembership]:
    return space.memberships.select_related("user").order_by("role", "user__username")


# Privilege presets scale the reputation a privilege needs in a space. "low" is the pilot mode
# (Stack Exchange beta sites need about a fifth of the usual reputation), "high" doubles it.
PRIVILEGE_PRESET_FACTORS = {
    Space.PrivilegePreset.LOW: 0.2,
    Space.PrivilegePreset.STANDARD: 1.0,
    Space.PrivilegePreset.HIGH: 2.0,
}


def space_privilege_threshold(space: Space, standard: int) -> int:
    """The reputation needed in `space` for a privilege that needs `standard` by default."""
    factor = PRIVILEGE_PRESET_FACTORS.get(space.privilege_preset, 1.0)
    return max(1, round(standard * factor)) if standard > 1 else standard
