from django.contrib import admin

from knowhow.spaces.models import Space, SpaceGroupLink, SpaceMembership


class MembershipInline(admin.TabularInline):
    model = SpaceMembership
    raw_id_fields = ("user",)
    extra = 1


class GroupLinkInline(admin.TabularInline):
    model = SpaceGroupLink
    extra = 1


@admin.register(Space)
class SpaceAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "visibility", "is_pilot", "status", "is_default")
    list_filter = ("visibility", "is_pilot", "status")
    prepopulated_fields = {"slug": ("name",)}
    inlines = [GroupLinkInline, MembershipInline]
