from django.contrib import admin

from knowhow.curation.models import (
    Collection,
    CollectionItem,
    FeedItem,
    FeedSubscription,
    Resource,
    ResourceReview,
)


@admin.register(Resource)
class ResourceAdmin(admin.ModelAdmin):
    list_display = ("id", "title", "space", "added_by", "preview_status", "score", "is_hidden")
    list_filter = ("preview_status", "is_hidden", "is_deleted", "space")
    search_fields = ("title", "canonical_url")
    raw_id_fields = ("added_by",)


@admin.register(FeedSubscription)
class FeedSubscriptionAdmin(admin.ModelAdmin):
    list_display = ("url", "space", "last_polled_at", "last_error", "is_active")
    list_filter = ("is_active", "space")


admin.site.register([FeedItem, Collection, CollectionItem, ResourceReview])
