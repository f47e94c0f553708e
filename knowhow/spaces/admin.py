from django.contrib import admin

from knowhow.spaces.models import Space, SpaceMembership


class MembershipInline(admin.TabularInline):
    model = SpaceMembership
    raw_id_fields = ("user",)
    extra = 1


@admin.register(Space)
class SpaceAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "visibility", "is_default")
    prepopulated_fields = {"slug": ("name",)}
    inlines = [MembershipInline]
