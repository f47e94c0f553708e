from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from knowhow.accounts.models import ApiToken, User


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
