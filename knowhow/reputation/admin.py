from django.contrib import admin

from knowhow.reputation.models import (
    Badge,
    Bounty,
    PrivilegeThreshold,
    ReputationEvent,
    UserBadge,
)


@admin.register(PrivilegeThreshold)
class PrivilegeThresholdAdmin(admin.ModelAdmin):
    list_display = ["privilege", "reputation"]
    list_editable = ["reputation"]


@admin.register(ReputationEvent)
class ReputationEventAdmin(admin.ModelAdmin):
    list_display = ["created_at", "user", "kind", "amount", "post", "actor", "cause"]
    list_filter = ["kind", "cause"]
    raw_id_fields = ["user", "actor", "post", "reverses", "restores"]

    # The ledger is append-only: corrections are reversals made by services.
    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(Badge)
class BadgeAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "tier", "is_tag_badge"]


@admin.register(UserBadge)
class UserBadgeAdmin(admin.ModelAdmin):
    list_display = ["badge", "user", "awarded_at"]
    raw_id_fields = ["user", "post"]


@admin.register(Bounty)
class BountyAdmin(admin.ModelAdmin):
    """Read-only: offering, awarding and settling move reputation, so they go through services."""

    list_display = ["question", "offered_by", "amount", "status", "ends_at", "awarded_amount"]
    list_filter = ["status"]
    raw_id_fields = ["question", "offered_by", "awarded_answer"]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
