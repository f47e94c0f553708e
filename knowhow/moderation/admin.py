from django.contrib import admin

from knowhow.moderation.models import (
    AuditEntry,
    CloseVote,
    Flag,
    ReviewTask,
    Sanction,
    UserStanding,
)


@admin.register(Flag)
class FlagAdmin(admin.ModelAdmin):
    list_display = ["created_at", "post", "comment", "flagger", "reason", "weight", "status"]
    list_filter = ["reason", "status"]
    raw_id_fields = ["flagger", "post", "comment", "resolved_by"]


@admin.register(ReviewTask)
class ReviewTaskAdmin(admin.ModelAdmin):
    list_display = ["created_at", "queue", "post", "status", "decision", "decided_by"]
    list_filter = ["queue", "status", "decision"]
    raw_id_fields = ["post", "comment", "suggested_by", "decided_by"]


@admin.register(CloseVote)
class CloseVoteAdmin(admin.ModelAdmin):
    list_display = ["created_at", "post", "user", "kind", "reason", "is_active"]
    raw_id_fields = ["post", "user", "duplicate_of"]


@admin.register(Sanction)
class SanctionAdmin(admin.ModelAdmin):
    list_display = ["created_at", "user", "kind", "ends_at", "lifted_at", "appeal_status"]
    list_filter = ["kind", "appeal_status"]
    raw_id_fields = ["user", "created_by"]


@admin.register(UserStanding)
class UserStandingAdmin(admin.ModelAdmin):
    list_display = ["user", "flags_agreed", "flags_disagreed", "posts_removed", "reviews_done"]
    raw_id_fields = ["user"]


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ["created_at", "actor", "action", "target_user", "post", "reason"]
    list_filter = ["action"]
    raw_id_fields = ["actor", "target_user", "post", "comment"]

    # The audit log is a record: nobody edits or deletes it, not even from the admin.
    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
