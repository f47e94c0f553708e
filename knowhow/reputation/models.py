"""Reputation ledger, privileges and badges."""

from django.conf import settings
from django.db import models


class Badge(models.Model):
    class Tier(models.IntegerChoices):
        GOLD = 1, "Gold"
        SILVER = 2, "Silver"
        BRONZE = 3, "Bronze"

    slug = models.SlugField(max_length=100, unique=True)
    name = models.CharField(max_length=100)
    description = models.CharField(max_length=300, blank=True)
    tier = models.PositiveSmallIntegerField(choices=Tier.choices, default=Tier.BRONZE)
    is_tag_badge = models.BooleanField(default=False)

    class Meta:
        ordering = ["tier", "name"]

    def __str__(self) -> str:
        return self.name


class UserBadge(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="badges"
    )
    badge = models.ForeignKey(Badge, on_delete=models.CASCADE, related_name="awards")
    awarded_at = models.DateTimeField()
    # The post that earned it, when there is one.
    post = models.ForeignKey(
        "qa.Post", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    source = models.CharField(max_length=100, blank=True, default="")
    source_id = models.BigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-awarded_at"]
        indexes = [models.Index(fields=["user", "badge"], name="userbadge_user_badge")]

    def __str__(self) -> str:
        return f"{self.badge} for {self.user_id}"
