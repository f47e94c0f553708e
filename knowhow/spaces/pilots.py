"""Pilot spaces: a private space where a group tries Knowhow out, then rolls it out or archives it.

Admins (staff) create pilots, invite people by email, department or identity-provider group,
appoint space moderators and choose the settings. Roll-out makes the space organisation-wide,
keeping every post, revision, vote and reputation point where it is; archiving makes it
read-only (enforced in qa.permissions through `can_post_in_space` and `check_space_writable`).
"""

from collections.abc import Callable, Iterable

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from knowhow.accounts.audit import audit_record
from knowhow.accounts.models import User
from knowhow.core.errors import Conflict, PermissionRefused, ValidationFailed
from knowhow.spaces.models import Space, SpaceGroupLink, SpaceInvitation, SpaceMembership
from knowhow.spaces.selectors import is_space_moderator

# Apps that know who is in an identity-provider group (provisioning's SCIM groups) register a
# resolver here, so that linking a group grants access at once instead of at next login.
GroupResolver = Callable[[str], Iterable[User]]
_group_resolvers: list[GroupResolver] = []


def register_group_resolver(resolver: GroupResolver) -> None:
    if resolver not in _group_resolvers:
        _group_resolvers.append(resolver)


def _check_admin(by: User) -> None:
    if not (by.is_active and by.is_staff):
        raise PermissionRefused("Only administrators manage pilot spaces.")


def _check_manager(by: User, space: Space) -> None:
    if not (by.is_active and (by.is_staff or is_space_moderator(by, space))):
        raise PermissionRefused("Only administrators and the space's moderators can do that.")


@transaction.atomic
def pilot_create(
    *,
    name: str,
    by: User,
    description: str = "",
    privilege_preset: str = Space.PrivilegePreset.LOW,
    posting: str = Space.Posting.MEMBERS,
    videos_enabled: bool = True,
    curation_enabled: bool = True,
    chat_webhooks_enabled: bool = False,
) -> Space:
    _check_admin(by)
    name = name.strip()
    if not name:
        raise ValidationFailed("A pilot needs a name.", field="name")
    slug = slugify(name)[:100]
    if not slug:
        raise ValidationFailed("Use letters or digits in the name.", field="name")
    if Space.objects.filter(slug=slug).exists() or Space.objects.filter(name__iexact=name).exists():
        raise ValidationFailed("A space with that name already exists.", field="name")
    space = Space(
        name=name[:100],
        slug=slug,
        description=description,
        visibility=Space.Visibility.PRIVATE,
        is_pilot=True,
    )
    _apply_settings(
        space,
        privilege_preset=privilege_preset,
        posting=posting,
        videos_enabled=videos_enabled,
        curation_enabled=curation_enabled,
        chat_webhooks_enabled=chat_webhooks_enabled,
    )
    space.save()
    SpaceMembership.objects.create(space=space, user=by, role=SpaceMembership.Role.MODERATOR)
    audit_record(actor=by, obj=space, action="added", message="Created pilot space.")
    return space


def _apply_settings(
    space: Space,
    *,
    privilege_preset: str,
    posting: str,
    videos_enabled: bool,
    curation_enabled: bool,
    chat_webhooks_enabled: bool,
) -> None:
    if privilege_preset not in Space.PrivilegePreset.values:
        raise ValidationFailed("Choose a privilege preset from the list.", field="privilege_preset")
    if posting not in Space.Posting.values:
        raise ValidationFailed("Choose who may post from the list.", field="posting")
    space.privilege_preset = privilege_preset
    space.posting = posting
    space.videos_enabled = videos_enabled
    space.curation_enabled = curation_enabled
    space.chat_webhooks_enabled = chat_webhooks_enabled


@transaction.atomic
def space_settings_update(
    *,
    space: Space,
    by: User,
    description: str,
    privilege_preset: str,
    posting: str,
    videos_enabled: bool,
    curation_enabled: bool,
    chat_webhooks_enabled: bool,
) -> Space:
    _check_admin(by)
    space.description = description
    _apply_settings(
        space,
        privilege_preset=privilege_preset,
        posting=posting,
        videos_enabled=videos_enabled,
        curation_enabled=curation_enabled,
        chat_webhooks_enabled=chat_webhooks_enabled,
    )
    space.save()
    audit_record(
        actor=by,
        obj=space,
        action="changed",
        message=(
            f"Settings: preset {privilege_preset}, posting {posting}, videos {videos_enabled}, "
            f"curation {curation_enabled}, chat webhooks {chat_webhooks_enabled}."
        ),
    )
    return space


def _notify(space: Space, emails: list[str], by: User) -> None:
    if not emails:
        return
    url = settings.KNOWHOW.get("SITE_URL", "") + space.get_absolute_url()
    transaction.on_commit(
        lambda: send_mail(
            subject=f"You are invited to {space.name} on {settings.SITE_NAME}",
            message=(
                f"{by.name} invited you to the space {space.name} on {settings.SITE_NAME}.\n\n"
                f"{url}\n"
            ),
            from_email=None,
            recipient_list=emails,
            fail_silently=True,
        )
    )


@transaction.atomic
def space_invite(
    *,
    space: Space,
    by: User,
    emails: Iterable[str] = (),
    department: str = "",
    group: str = "",
) -> dict[str, int]:
    """Invite by email (existing people join now, others when their account is created), by
    department (everyone in it now) or by identity-provider group (members now and later)."""
    _check_manager(by, space)
    added: list[User] = []
    invited = 0
    for raw in emails:
        email = raw.strip().lower()
        if not email:
            continue
        if "@" not in email:
            raise ValidationFailed(f"{raw!r} is not an email address.", field="emails")
        person = User.objects.filter(email__iexact=email, is_active=True).first()
        if person is None:
            _, created = SpaceInvitation.objects.get_or_create(
                space=space, email=email, defaults={"invited_by": by}
            )
            invited += created
        else:
            added.append(person)
    department = department.strip()
    if department:
        added += list(User.objects.filter(department__iexact=department, is_active=True))
    group = group.strip()
    if group:
        SpaceGroupLink.objects.get_or_create(space=space, group=group)
        for resolver in _group_resolvers:
            for person in resolver(group):
                if person.is_active:
                    SpaceMembership.objects.get_or_create(
                        space=space, user=person, defaults={"via_group": group}
                    )
    new_members = []
    for person in {p.pk: p for p in added}.values():
        _, created = SpaceMembership.objects.get_or_create(space=space, user=person)
        if created:
            new_members.append(person)
    _notify(space, [p.email for p in new_members if p.email], by)
    audit_record(
        actor=by,
        obj=space,
        action="changed",
        message=(
            f"Invited: {len(new_members)} added, {invited} by email"
            + (f", department {department}" if department else "")
            + (f", group {group}" if group else "")
            + "."
        ),
    )
    return {"added": len(new_members), "invited": invited}


def space_invitations_apply(*, user: User) -> None:
    """Turn pending email invitations into memberships for a newly created account."""
    if not user.email:
        return
    for invitation in SpaceInvitation.objects.filter(email__iexact=user.email):
        SpaceMembership.objects.get_or_create(space_id=invitation.space_id, user=user)
        invitation.delete()


@transaction.atomic
def space_moderator_appoint(
    *, space: Space, user: User, by: User, moderator: bool = True
) -> SpaceMembership:
    _check_admin(by)
    role = SpaceMembership.Role.MODERATOR if moderator else SpaceMembership.Role.MEMBER
    membership, created = SpaceMembership.objects.get_or_create(
        space=space, user=user, defaults={"role": role}
    )
    if not created and membership.role != role:
        membership.role = role
        membership.via_group = ""  # an appointed role is kept by hand, not by the group
        membership.save(update_fields=["role", "via_group"])
    audit_record(actor=by, obj=space, action="changed", message=f"Person #{user.pk} is now {role}.")
    return membership


@transaction.atomic
def space_member_remove(*, space: Space, user: User, by: User) -> None:
    _check_manager(by, space)
    if space.is_default:
        raise ValidationFailed("Everyone belongs to the default space.")
    SpaceMembership.objects.filter(space=space, user=user).delete()
    audit_record(actor=by, obj=space, action="changed", message=f"Removed person #{user.pk}.")


@transaction.atomic
def pilot_roll_out(*, space: Space, by: User) -> Space:
    """Make the pilot organisation-wide. Nothing moves: posts, revisions, votes and reputation
    stay as they are; only who may see the space changes."""
    _check_admin(by)
    space = Space.objects.select_for_update().get(pk=space.pk)
    if space.is_archived:
        raise Conflict("Unarchive the space before rolling it out.")
    if not space.is_private:
        raise Conflict("That space is already organisation-wide.")
    space.visibility = Space.Visibility.ORGANISATION
    space.is_pilot = False
    space.rolled_out_at = timezone.now()
    space.save(update_fields=["visibility", "is_pilot", "rolled_out_at"])
    audit_record(actor=by, obj=space, action="changed", message="Rolled out to the organisation.")
    return space


@transaction.atomic
def space_archive(*, space: Space, by: User, archived: bool = True) -> Space:
    """Archive (read-only for everyone) or unarchive a space."""
    _check_admin(by)
    space = Space.objects.select_for_update().get(pk=space.pk)
    if space.is_default and archived:
        raise ValidationFailed("The default space cannot be archived.")
    space.status = Space.Status.ARCHIVED if archived else Space.Status.ACTIVE
    space.archived_at = timezone.now() if archived else None
    space.save(update_fields=["status", "archived_at"])
    audit_record(
        actor=by, obj=space, action="changed", message="Archived." if archived else "Unarchived."
    )
    return space
