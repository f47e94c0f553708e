"""Spaces: the organisation-wide space and private (pilot, department) spaces with members."""

from django.conf import settings
from django.db import models
from django.urls import reverse


class Space(models.Model):
    class Visibility(models.TextChoices):
        ORGANISATION = "organisation", "Everyone in the organisation"
        PRIVATE = "private", "Members only"

    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    description = models.TextField(blank=True)
    visibility = models.CharField(
        max_length=20, choices=Visibility.choices, default=Visibility.ORGANISATION, db_index=True
    )
    is_default = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    # A space made by an import holds that import's source, e.g. "stackexchange:ai.stackexchange.com".
    source = models.CharField(max_length=100, blank=True, default="")

    # Pilots: a private space that a group tries out before it is rolled out to everyone.
    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        ARCHIVED = "archived", "Archived (read-only)"

    class PrivilegePreset(models.TextChoices):
        LOW = "low", "Low thresholds (pilot)"
        STANDARD = "standard", "Standard"
        HIGH = "high", "High thresholds"

    class Posting(models.TextChoices):
        MEMBERS = "members", "Every member"
        MODERATORS = "moderators", "Space moderators only"

    is_pilot = models.BooleanField(default=False)
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.ACTIVE, db_index=True
    )
    privilege_preset = models.CharField(
        max_length=20, choices=PrivilegePreset.choices, default=PrivilegePreset.STANDARD
    )
    posting = models.CharField(max_length=20, choices=Posting.choices, default=Posting.MEMBERS)
    videos_enabled = models.BooleanField(default=True)
    curation_enabled = models.BooleanField(default=True)
    chat_webhooks_enabled = models.BooleanField(default=True)
    rolled_out_at = models.DateTimeField(null=True, blank=True)
    archived_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-is_default", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"], condition=models.Q(is_default=True), name="one_default_space"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("spaces:detail", args=[self.slug])

    @property
    def is_private(self) -> bool:
        return self.visibility == self.Visibility.PRIVATE

    @property
    def is_archived(self) -> bool:
        return self.status == self.Status.ARCHIVED


class SpaceMembership(models.Model):
    class Role(models.TextChoices):
        MEMBER = "member", "Member"
        MODERATOR = "moderator", "Moderator"

    space = models.ForeignKey(Space, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="space_memberships"
    )
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.MEMBER)
    joined_at = models.DateTimeField(auto_now_add=True)
    # The identity-provider group that granted this membership ("" when granted by hand); such
    # memberships end when the person leaves the group.
    via_group = models.CharField(max_length=200, blank=True, default="")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["space", "user"], name="one_membership_per_space")
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.space} ({self.role})"


class SpaceGroupLink(models.Model):
    """Members of an identity-provider group (OIDC claim or SCIM group) belong to the space."""

    space = models.ForeignKey(Space, on_delete=models.CASCADE, related_name="group_links")
    group = models.CharField(max_length=200, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["space", "group"], name="one_link_per_space_group")
        ]

    def __str__(self) -> str:
        return f"{self.group} → {self.space}"


class SpaceInvitation(models.Model):
    """An invitation by email for someone without an account yet; it turns into a membership
    when an account with that email is created (sign-up, single sign-on or provisioning)."""

    space = models.ForeignKey(Space, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(db_index=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["space", "email"], name="one_invitation_per_email")
        ]

    def __str__(self) -> str:
        return f"{self.email} → {self.space}"
