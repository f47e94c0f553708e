"""Writes for SCIM provisioning: people and groups as the identity provider sends them."""

import hashlib
import secrets
from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from knowhow.accounts.models import User
from knowhow.core.errors import Conflict, NotFound, ValidationFailed
from knowhow.provisioning.models import ProvisioningToken, ScimGroup, ScimUser

TOKEN_PREFIX = "khscim_"


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def provisioning_token_secret() -> tuple[str, str, str]:
    """A new raw token with its display prefix and stored hash."""
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    return raw, raw[:12], _hash(raw)


def provisioning_token_create(*, name: str) -> tuple[ProvisioningToken, str]:
    raw, prefix, key_hash = provisioning_token_secret()
    token = ProvisioningToken.objects.create(name=name[:80], prefix=prefix, key_hash=key_hash)
    return token, raw


def provisioning_token_valid(*, raw: str) -> bool:
    """True for the SCIM_TOKEN setting or an unrevoked admin-made token."""
    if not raw:
        return False
    configured = getattr(settings, "SCIM_TOKEN", "")
    if configured and secrets.compare_digest(raw.encode(), configured.encode()):
        return True
    if not raw.startswith(TOKEN_PREFIX):
        return False
    updated = ProvisioningToken.objects.filter(key_hash=_hash(raw), revoked_at__isnull=True).update(
        last_used_at=timezone.now()
    )
    return updated == 1


# --- People -----------------------------------------------------------------------------------


class UserAttributes:
    """The SCIM attributes Knowhow keeps for a person (None: not sent, leave as is)."""

    def __init__(
        self,
        *,
        user_name: str | None = None,
        external_id: str | None = None,
        email: str | None = None,
        display_name: str | None = None,
        given_name: str | None = None,
        family_name: str | None = None,
        title: str | None = None,
        department: str | None = None,
        active: bool | None = None,
    ) -> None:
        self.user_name = user_name
        self.external_id = external_id
        self.email = email
        self.display_name = display_name
        self.given_name = given_name
        self.family_name = family_name
        self.title = title
        self.department = department
        self.active = active


def _apply(user: User, attrs: UserAttributes) -> None:
    if attrs.user_name is not None:
        user_name = attrs.user_name.strip()
        if not user_name:
            raise ValidationFailed("userName must not be empty.", field="userName")
        clash = User.objects.filter(username__iexact=user_name).exclude(pk=user.pk).exists()
        if clash:
            raise Conflict("A person with that userName already exists.", field="userName")
        user.username = user_name[:150]
    if attrs.email is not None:
        user.email = attrs.email.strip()[:254]
    if attrs.given_name is not None:
        user.first_name = attrs.given_name[:150]
    if attrs.family_name is not None:
        user.last_name = attrs.family_name[:150]
    if attrs.display_name is not None:
        user.display_name = attrs.display_name[:80]
    elif not user.display_name and (user.first_name or user.last_name):
        user.display_name = f"{user.first_name} {user.last_name}".strip()[:80]
    if attrs.title is not None:
        user.job_title = attrs.title[:120]
    if attrs.department is not None:
        user.department = attrs.department[:120]


@transaction.atomic
def scim_user_create(*, attrs: UserAttributes) -> User:
    if not attrs.user_name or not attrs.user_name.strip():
        raise ValidationFailed("userName is required.", field="userName")
    existing = User.objects.filter(username__iexact=attrs.user_name.strip()).first()
    if existing is not None:
        raise Conflict("A person with that userName already exists.", field="userName")
    user = User(source="scim")
    _apply(user, attrs)
    user.is_active = True if attrs.active is None else attrs.active
    user.set_unusable_password()
    user.save()
    ScimUser.objects.create(user=user, external_id=attrs.external_id or "")
    from knowhow.spaces.services import space_join_default

    space_join_default(user=user)
    return user


@transaction.atomic
def scim_user_update(*, user: User, attrs: UserAttributes) -> User:
    _apply(user, attrs)
    if attrs.active is not None and attrs.active != user.is_active:
        if attrs.active:
            user.is_active = True
        else:
            scim_user_deactivate(user=user)
    user.save()
    link, _ = ScimUser.objects.get_or_create(user=user)
    if attrs.external_id is not None:
        link.external_id = attrs.external_id
    link.save()
    return user


def scim_user_deactivate(*, user: User) -> None:
    """The person can no longer log in (password, SSO, sessions, tokens); content stays."""
    from knowhow.accounts.services import sessions_revoke_all

    user.is_active = False
    user.save(update_fields=["is_active"])
    sessions_revoke_all(user=user)


@transaction.atomic
def scim_user_delete(*, user: User) -> None:
    """Deleting in the identity provider erases the person here (see privacy.services): their
    profile is anonymised and their content kept or removed as the organisation's policy says."""
    from knowhow.privacy.services import person_erase

    ScimUser.objects.filter(user=user).delete()
    user.scim_groups.clear()
    person_erase(user=user, by=None)


def scim_user_get(*, user_id: str) -> User:
    user = (
        User.objects.filter(pk=int(user_id), is_claimed=True).first() if user_id.isdigit() else None
    )
    if user is None:
        raise NotFound("No such user.")
    return user


# --- Groups -----------------------------------------------------------------------------------


def _sync_spaces(users: Iterable[User]) -> None:
    from knowhow.spaces.services import space_memberships_sync_groups

    for user in users:
        names = list(user.scim_groups.values_list("display_name", flat=True))
        space_memberships_sync_groups(user=user, groups=names)


def _users_by_ids(ids: Iterable[str]) -> list[User]:
    wanted = {str(i) for i in ids}
    numeric = [int(i) for i in wanted if i.isdigit()]
    users = list(User.objects.filter(pk__in=numeric, is_claimed=True))
    if len(users) != len(wanted):
        raise ValidationFailed("Group members must be provisioned users.", field="members")
    return users


@transaction.atomic
def scim_group_create(
    *, display_name: str, external_id: str = "", member_ids: Iterable[str] = ()
) -> ScimGroup:
    display_name = (display_name or "").strip()
    if not display_name:
        raise ValidationFailed("displayName is required.", field="displayName")
    if ScimGroup.objects.filter(display_name__iexact=display_name).exists():
        raise Conflict("A group with that displayName already exists.", field="displayName")
    group = ScimGroup.objects.create(display_name=display_name[:200], external_id=external_id)
    members = _users_by_ids(member_ids)
    group.members.set(members)
    _sync_spaces(members)
    return group


@transaction.atomic
def scim_group_update(
    *,
    group: ScimGroup,
    display_name: str | None = None,
    external_id: str | None = None,
    add: Iterable[str] = (),
    remove: Iterable[str] = (),
    replace: Iterable[str] | None = None,
) -> ScimGroup:
    affected: dict[int, User] = {}
    if display_name is not None and display_name.strip() != group.display_name:
        display_name = display_name.strip()
        if not display_name:
            raise ValidationFailed("displayName must not be empty.", field="displayName")
        clash = ScimGroup.objects.filter(display_name__iexact=display_name).exclude(pk=group.pk)
        if clash.exists():
            raise Conflict("A group with that displayName already exists.", field="displayName")
        group.display_name = display_name[:200]
        affected.update({u.pk: u for u in group.members.all()})
    if external_id is not None:
        group.external_id = external_id
    group.save()
    if replace is not None:
        before = {u.pk: u for u in group.members.all()}
        new = _users_by_ids(replace)
        group.members.set(new)
        affected.update(before)
        affected.update({u.pk: u for u in new})
    added = _users_by_ids(add) if add else []
    group.members.add(*added)
    affected.update({u.pk: u for u in added})
    removed = [u for u in group.members.all() if str(u.pk) in {str(r) for r in remove}]
    group.members.remove(*removed)
    affected.update({u.pk: u for u in removed})
    _sync_spaces(affected.values())
    return group


@transaction.atomic
def scim_group_delete(*, group: ScimGroup) -> None:
    members = list(group.members.all())
    group.delete()
    _sync_spaces(members)


def scim_group_get(*, group_id: str) -> ScimGroup:
    group = ScimGroup.objects.filter(pk=int(group_id)).first() if group_id.isdigit() else None
    if group is None:
        raise NotFound("No such group.")
    return group
