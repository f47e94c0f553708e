from django.contrib import admin
from django.contrib.admin.models import LogEntry
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from knowhow.accounts.models import ApiToken, AuditLogEntry, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        ("Profile", {"fields": ("display_name", "job_title", "department", "bio", "is_claimed")}),
    )
    list_display = ("username", "display_name", "email", "department", "is_staff", "is_active")
    search_fields = ("username", "display_name", "email", "department")


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("name", "user", "prefix", "created_at", "last_used_at", "revoked_at")
    readonly_fields = ("prefix", "key_hash", "created_at", "last_used_at")
    raw_id_fields = ("user",)


@admin.register(AuditLogEntry)
class AuditLogAdmin(admin.ModelAdmin):
    """Every administrator action, read-only: nobody edits or deletes the record."""

    list_display = ("action_time", "user", "content_type", "object_repr", "action_flag", "message")
    list_filter = ("action_flag", "content_type")
    search_fields = ("object_repr", "change_message", "user__username")
    date_hierarchy = "action_time"

    @admin.display(description="what")
    def message(self, obj: LogEntry) -> str:
        return obj.get_change_message()

    def has_add_permission(self, request) -> bool:  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False


# Identity providers are configured in settings (OIDC_*), and allauth's email-address table only
# mirrors User.email here: hide those admin pages so that nobody edits them by mistake.
def _unregister_allauth_admin() -> None:
    from allauth.account.models import EmailAddress
    from allauth.socialaccount.models import SocialApp, SocialToken

    for model in (EmailAddress, SocialApp, SocialToken):
        if admin.site.is_registered(model):
            admin.site.unregister(model)


_unregister_allauth_admin()
