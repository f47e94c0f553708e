"""Writes for spaces: creating them and managing membership."""

from collections.abc import Iterable

from django.db import transaction
from django.utils.text import slugify

from knowhow.accounts.models import User
from knowhow.core.errors import PermissionRefused, ValidationFailed
from knowhow.spaces.models import Space, SpaceGroupLink, SpaceMembership
from knowhow.spaces.selectors import default_space


def space_join_default(*, user: User) -> None:
    """Everyone belongs to the default space; membership there is for roles, not visibility.
    Called for every new account, so pending email invitations to pilots are applied here."""
    from knowhow.spaces.pilots import space_invitations_apply

    SpaceMembership.objects.get_or_create(space=default_space(), user=user)
    space_invitations_apply(user=user)


@transaction.atomic
def space_create(
    *, name: str, by: User, visibility: str = Space.Visibility.PRIVATE, description: str = ""
) -> Space:
    if not by.is_staff:
        raise PermissionRefused("Only administrators can create spaces.")
    name = name.strip()
    if not name:
        raise ValidationFailed("A space needs a name.", field="name")
    slug = slugify(name)[:100] or "space"
    if Space.objects.filter(slug=slug).exists() or Space.objects.filter(name__iexact=name).exists():
        raise ValidationFailed("A space with that name already exists.", field="name")
    space = Space.objects.create(
        name=name, slug=slug, visibility=visibility, description=description
    )
    SpaceMembership.objects.create(space=space, user=by, role=SpaceMembership.Role.MODERATOR)
    return space


def space_add_member(
    *, space: Space, user: User, role: str = SpaceMembership.Role.MEMBER
) -> SpaceMembership:
    membership, created = SpaceMembership.objects.get_or_create(
        space=space, user=user, defaults={"role": role}
    )
    if not created and membership.role != role:
        membership.role = role
        membership.save(update_fields=["role"])
    return membership


def space_remove_member(*, space: Space, user: User) -> None:
    SpaceMembership.objects.filter(space=space, user=user).delete()


@transaction.atomic
def space_memberships_sync_groups(*, user: User, groups: Iterable[str]) -> None:
    """Make the person's group-granted memberships match their identity-provider groups.

    Memberships granted by hand are never touched; a group-granted one ends when the person
    is no longer in any group linked to that space.
    """
    groups = {g.strip() for g in groups if isinstance(g, str) and g.strip()}
    wanted: dict[int, str] = {}
    for link in SpaceGroupLink.objects.filter(group__in=groups).order_by("group"):
        wanted.setdefault(link.space_id, link.group)
    existing = {m.space_id: m for m in SpaceMembership.objects.filter(user=user)}
    for space_id, group in wanted.items():
        if space_id not in existing:
            SpaceMembership.objects.create(space_id=space_id, user=user, via_group=group)
    stale = [m.pk for sid, m in existing.items() if m.via_group and sid not in wanted]
    SpaceMembership.objects.filter(pk__in=stale).delete()
