"""People, their profiles and their personal API tokens."""

import hashlib

from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.urls import reverse


class User(AbstractUser):
    display_name = models.CharField(max_length=80, blank=True)
    job_title = models.CharField(max_length=120, blank=True)
    department = models.CharField(max_length=120, blank=True, db_index=True)
    bio = models.TextField(blank=True, max_length=5000)
    bio_html = models.TextField(blank=True, editable=False)
    # False for profiles that exist only as authors of imported content, until claimed.
    is_claimed = models.BooleanField(default=True)
    # Cached total of the reputation ledger (rebuilt from it by the reputation app).
    reputation = models.IntegerField(default=1, db_index=True)
    # Set by the moderation app: until when a sanction (a warning's notice, a silence or a
    # suspension) may be in force. Past or empty for almost everyone, so that pages and write
    # checks skip the sanction lookup (like Discourse's silenced_till and suspended_till).
    sanctioned_until = models.DateTimeField(null=True, blank=True, editable=False)
    # Where an imported profile came from, e.g. source="stackexchange:ai.stackexchange.com".
    source = models.CharField(max_length=100, blank=True, default="")
    source_id = models.BigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.display_name or self.username

    def get_absolute_url(self) -> str:
        return reverse("qa:user_detail", args=[self.pk])

    @property
    def avatar_url(self) -> str:
        return reverse("accounts:avatar", args=[self.pk])

    @property
    def avatar_seed(self) -> str:
        return hashlib.sha256(f"knowhow-avatar:{self.pk}".encode()).hexdigest()


class ApiToken(models.Model):
    """A personal token for the API. Only a hash of the secret is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=80)
    prefix = models.CharField(max_length=12, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class LoginFailure(models.Model):
    """One failed password attempt, kept for the lockout window (see accounts.services)."""

    username = models.CharField(max_length=150, db_index=True)
    ip = models.GenericIPAddressField(null=True, blank=True, db_index=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.username} from {self.ip} at {self.at:%Y-%m-%d %H:%M}"


class UserSession(models.Model):
    """What a person sees about one of their signed-in sessions, to recognise and revoke it."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="sessions")
    session_key = models.CharField(max_length=40, unique=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    method = models.CharField(max_length=30, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_seen_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-last_seen_at"]

    def __str__(self) -> str:
        return f"{self.user} · {self.user_agent[:40]}"


class TotpDevice(models.Model):
    """A person's authenticator app. Active once confirmed with a first code."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="totp_device")
    secret = models.CharField(max_length=64)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    # The last 30-second step accepted, so that one code cannot be used twice.
    last_step = models.BigIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"TOTP for {self.user}"

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed_at is not None


class RecoveryCode(models.Model):
    """A one-time code for when the authenticator app is lost. Only a hash is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="recovery_codes")
    code_hash = models.CharField(max_length=64)
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"recovery code of {self.user}"


class AuditLogEntry(LogEntry):
    """The admin's LogEntry, shown as the audit log (see accounts.audit)."""

    class Meta:
        proxy = True
        verbose_name = "audit log entry"
        verbose_name_plural = "audit log"
