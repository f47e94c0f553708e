from django.contrib import admin

from knowhow.reputation.models import Badge, PrivilegeThreshold, ReputationEvent, UserBadge


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
