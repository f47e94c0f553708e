"""People, their profiles and their personal API tokens."""

import hashlib

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
