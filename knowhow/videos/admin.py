from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from knowhow.core.errors import ApplicationError
from knowhow.videos import services
from knowhow.videos.models import Caption, TranscodeJob, Video, VideoRendition


class RenditionInline(admin.TabularInline):
    model = VideoRendition
    extra = 0
    readonly_fields = ["height", "width", "pixel_height", "bitrate_kbps", "playlist"]


class JobInline(admin.TabularInline):
    model = TranscodeJob
    extra = 0
    fields = [
        "state",
        "step",
        "progress",
        "attempts",
        "worker",
        "lease_until",
        "error",
        "created_at",
    ]
    readonly_fields = fields


@admin.register(Video)
class VideoAdmin(admin.ModelAdmin):
    list_display = [
        "title",
        "uploader",
        "space",
        "status",
        "is_playable",
        "duration_seconds",
        "created_at",
    ]
    list_filter = ["status", "is_playable", "space"]
    search_fields = ["title", "description"]
    readonly_fields = [
        "key",
        "original",
        "status_message",
        "hls_master",
        "download_mp4",
        "poster",
        "sprite_vtt",
    ]
    raw_id_fields = ["uploader", "answer"]
    inlines = [RenditionInline, JobInline]
    actions = ["retranscode"]

    @admin.action(description="Process again from the original")
    def retranscode(self, request: HttpRequest, queryset: QuerySet[Video]) -> None:
        for video in queryset:
            try:
                services.video_retranscode(video=video, by=request.user)  # type: ignore[arg-type]
            except ApplicationError as exc:
                self.message_user(request, f"{video}: {exc.message}", messages.WARNING)


@admin.register(Caption)
class CaptionAdmin(admin.ModelAdmin):
    list_display = ["video", "language", "label", "created_at"]
