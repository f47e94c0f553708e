"""Writes for spaces: creating them and managing membership."""

from django.db import transaction
from django.utils.text import slugify

from knowhow.accounts.models import User
from knowhow.core.errors import PermissionRefused, ValidationFailed
from knowhow.spaces.models import Space, SpaceMembership
from knowhow.spaces.selectors import default_space


def space_join_default(*, user: User) -> None:
    """Everyone belongs to the default space; membership there is for roles, not visibility."""
    SpaceMembership.objects.get_or_create(space=default_space(), user=user)


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
