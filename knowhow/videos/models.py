"""How-to videos: the upload, its renditions, captions, transcode jobs and playback sessions.

Files live in Django's default storage under `videos/<key>/`; the database keeps their names.
The original upload is kept for the life of the video so that a transcode can always be redone.
"""

import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse

from knowhow.qa.models import Post, Tag
from knowhow.spaces.models import Space


class Video(models.Model):
    class Status(models.TextChoices):
        UPLOADING = "uploading", "Uploading"
        QUEUED = "queued", "Waiting for processing"
        PROCESSING = "processing", "Processing"
        READY = "ready", "Ready"
        REJECTED = "rejected", "Rejected"
        FAILED = "failed", "Processing failed"

    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    uploader = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="videos"
    )
    space = models.ForeignKey(Space, on_delete=models.PROTECT, related_name="videos")
    title = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    description_html = models.TextField(blank=True, editable=False)
    tags = models.ManyToManyField(Tag, blank=True, related_name="videos")
    # A standalone video has its own discussion post (post_type "video") that carries its
    # votes, comments and flags through the Q&A app, so the maker earns reputation there.
    post = models.OneToOneField(
        Post, null=True, blank=True, on_delete=models.SET_NULL, related_name="video"
    )
    # "Answer with a video": the answer post this video illustrates. Votes and comments on that
    # answer are the video's votes and comments.
    answer = models.ForeignKey(
        Post, null=True, blank=True, on_delete=models.SET_NULL, related_name="videos"
    )

    status = models.CharField(max_length=20, choices=Status.choices, default=Status.UPLOADING)
    status_message = models.CharField(max_length=500, blank=True)
    # Watchable as soon as the first (lowest) rendition is published, before the rest is done.
    is_playable = models.BooleanField(default=False)

    original_name = models.CharField(max_length=255, blank=True)
    original = models.CharField(max_length=500, blank=True, help_text="Storage name.")
    size_bytes = models.BigIntegerField(default=0)
    duration_seconds = models.FloatField(null=True, blank=True)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    frame_rate = models.FloatField(null=True, blank=True)
    video_codec = models.CharField(max_length=40, blank=True)
    has_audio = models.BooleanField(default=False)

    hls_master = models.CharField(max_length=500, blank=True)
    download_mp4 = models.CharField(max_length=500, blank=True)
    poster = models.CharField(max_length=500, blank=True)
    sprite_vtt = models.CharField(max_length=500, blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    published_at = models.DateTimeField(null=True, blank=True)
    is_deleted = models.BooleanField(default=False)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "is_deleted", "-created_at"], name="video_list")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("videos:detail", args=[self.pk])

    @property
    def duration_display(self) -> str:
        if not self.duration_seconds:
            return ""
        minutes, seconds = divmod(int(round(self.duration_seconds)), 60)
        return f"{minutes}:{seconds:02d}"

    @property
    def poster_url(self) -> str:
        return reverse("videos:media", args=[self.pk, "hls/poster.jpg"]) if self.poster else ""

    @property
    def storage_prefix(self) -> str:
        return f"videos/{self.key}"

    @property
    def is_portrait(self) -> bool:
        return bool(self.width and self.height and self.height > self.width)


class VideoRendition(models.Model):
    video = models.ForeignKey(Video, on_delete=models.CASCADE, related_name="renditions")
    height = models.PositiveIntegerField(help_text="The short side, e.g. 720 for 720p.")
    width = models.PositiveIntegerField()
    pixel_height = models.PositiveIntegerField()
    bitrate_kbps = models.PositiveIntegerField()
    playlist = models.CharField(max_length=500, help_text="Storage name of the media playlist.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["video", "height"]
        constraints = [
            models.UniqueConstraint(fields=["video", "height"], name="one_rendition_per_height")
        ]

    def __str__(self) -> str:
        return f"{self.video_id} at {self.height}p"


class TranscodeJob(models.Model):
    """One attempt series at turning an original into renditions.

    A worker holds a lease that it renews with each heartbeat; a job whose lease ran out while
    running belongs to a dead worker and is taken over by the next run.
    """

    class State(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"

    video = models.ForeignKey(Video, on_delete=models.CASCADE, related_name="jobs")
    state = models.CharField(max_length=20, choices=State.choices, default=State.QUEUED)
    step = models.CharField(max_length=100, blank=True)
    progress = models.FloatField(default=0.0, help_text="0 to 100.")
    attempts = models.PositiveIntegerField(default=0)
    worker = models.CharField(max_length=100, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Wall time spent inside ffmpeg, to measure the worker's own overhead.
    ffmpeg_seconds = models.FloatField(default=0.0)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["state", "lease_until"], name="job_lease")]

    def __str__(self) -> str:
        return f"Transcode {self.pk} of video {self.video_id}: {self.state}"


class UploadSession(models.Model):
    """A tus upload in progress: bytes are appended to a staging file until `offset == length`."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="video_uploads"
    )
    video = models.OneToOneField(Video, on_delete=models.CASCADE, related_name="upload")
    length = models.BigIntegerField()
    offset = models.BigIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Upload {self.id}: {self.offset}/{self.length}"


class Caption(models.Model):
    video = models.ForeignKey(Video, on_delete=models.CASCADE, related_name="captions")
    language = models.CharField(max_length=20, help_text="BCP 47 code, e.g. en or fr-CA.")
    label = models.CharField(max_length=100)
    vtt = models.CharField(max_length=500, help_text="Storage name of the WebVTT file.")
    text = models.TextField(blank=True, help_text="Plain text of the cues, for search.")
    # Made by speech recognition in the worker; the maker can edit, replace or remove it, and
    # a caption made by a person is never overwritten by an automatic one.
    is_automatic = models.BooleanField(default=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["video", "language"]
        constraints = [
            models.UniqueConstraint(fields=["video", "language"], name="one_caption_per_language")
        ]

    def __str__(self) -> str:
        return f"{self.label} captions for {self.video_id}"


class PlaySession(models.Model):
    """One play of a video by one viewer, built up from the player's batched events.

    `watched` is a bitmask of the DROP_OFF_BUCKETS equal slices of the video that were played,
    which gives both the percentage watched and the drop-off curve without storing every event.
    """

    DROP_OFF_BUCKETS = 20

    id = models.UUIDField(primary_key=True, editable=False)
    video = models.ForeignKey(Video, on_delete=models.CASCADE, related_name="plays")
    viewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    viewer_key = models.CharField(max_length=64)
    watched = models.BigIntegerField(default=0)
    position_seconds = models.FloatField(default=0.0)
    started_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [
            models.Index(fields=["video", "viewer_key"], name="play_by_video"),
            models.Index(fields=["viewer", "video", "-updated_at"], name="play_resume"),
        ]

    def __str__(self) -> str:
        return f"Play {self.id} of {self.video_id}"

    @property
    def watched_fraction(self) -> float:
        return bin(self.watched).count("1") / self.DROP_OFF_BUCKETS
