"""Upload, probe and transcode real generated clips with the real ffmpeg."""

import pytest
from django.core.files.storage import default_storage

from knowhow.core.errors import PermissionRefused, ValidationFailed
from knowhow.videos import services
from knowhow.videos.models import TranscodeJob, Video
from knowhow.videos.tests.factories import video_from_clip

pytestmark = pytest.mark.django_db


def _stored(video: Video, name: str) -> bool:
    return default_storage.exists(f"{video.storage_prefix}/{name}")


def test_a_landscape_clip_with_sound_becomes_a_ready_hls_video(
    user, clips, django_capture_on_commit_callbacks
):
    video = video_from_clip(
        clips["landscape"], user=user, capture=django_capture_on_commit_callbacks
    )
    assert video.status == Video.Status.READY, video.status_message
    assert video.is_playable and video.published_at is not None
    assert (video.width, video.height, video.has_audio) == (320, 180, True)
    assert video.duration_seconds == pytest.approx(2, abs=0.2)
    # Never above the source: a 180p clip gets one rendition at its own size.
    assert [(r.width, r.pixel_height) for r in video.renditions.all()] == [(320, 180)]
    for name in ["hls/master.m3u8", "hls/r180/index.m3u8", "hls/r180/seg_0000.ts", "download.mp4",
                 "hls/poster.jpg", "hls/sprite.jpg", "hls/sprite.vtt"]:  # fmt: skip
        assert _stored(video, name), name
    assert default_storage.exists(video.original), "the original is kept"
    vtt = default_storage.open(f"{video.storage_prefix}/hls/sprite.vtt").read().decode()
    assert vtt.startswith("WEBVTT") and "sprite.jpg#xywh=0,0,160,90" in vtt
    job = video.jobs.get()
    assert job.state == TranscodeJob.State.SUCCEEDED and job.progress == 100 and job.attempts == 1
    # The maker earns the "video maker" badge with a first published video.
    assert "video-maker" in set(user.badges.values_list("badge__slug", flat=True))


def test_the_ladder_publishes_the_lowest_rendition_first(
    user, clips, django_capture_on_commit_callbacks, monkeypatch
):
    seen = []
    real_publish = services._publish

    def watching_publish(*, video, job, out_dir, output, stage):
        real_publish(video=video, job=job, out_dir=out_dir, output=output, stage=stage)
        fresh = Video.objects.get(pk=video.pk)
        seen.append(
            (
                stage,
                fresh.status,
                fresh.is_playable,
                sorted(fresh.renditions.values_list("height", flat=True)),
            )
        )

    monkeypatch.setattr(services, "_publish", watching_publish)
    video = video_from_clip(clips["ladder"], user=user, capture=django_capture_on_commit_callbacks)
    assert video.status == Video.Status.READY
    # Watchable (at 360p) while the rest of the ladder is still being made.
    assert seen[0] == ("r360", Video.Status.PROCESSING, True, [360])
    assert seen[1] == ("ladder", Video.Status.PROCESSING, True, [360, 480])
    master = default_storage.open(video.hls_master).read().decode()
    assert "RESOLUTION=854x480" in master and "RESOLUTION=640x360" in master
    assert "RESOLUTION=1280x720" not in master


def test_a_portrait_clip_keeps_its_orientation(user, clips, django_capture_on_commit_callbacks):
    video = video_from_clip(
        clips["portrait"], user=user, capture=django_capture_on_commit_callbacks
    )
    assert video.status == Video.Status.READY, video.status_message
    assert video.is_portrait
    assert [(r.width, r.pixel_height) for r in video.renditions.all()] == [(360, 640)]


def test_a_clip_without_sound_is_transcoded_without_an_audio_track(
    user, clips, django_capture_on_commit_callbacks
):
    video = video_from_clip(clips["silent"], user=user, capture=django_capture_on_commit_callbacks)
    assert video.status == Video.Status.READY, video.status_message
    assert video.has_audio is False
    assert _stored(video, "download.mp4")


@pytest.mark.parametrize(
    ("clip", "message"),
    [
        ("empty", "The file is empty."),
        ("text", "This is not a video file we can read"),
        ("truncated", "The file is incomplete"),
        ("audio_only", "The file has no video stream"),
    ],
)
def test_bad_files_are_rejected_with_a_clear_reason(
    user, clips, django_capture_on_commit_callbacks, clip, message
):
    video = video_from_clip(clips[clip], user=user, capture=django_capture_on_commit_callbacks)
    assert video.status == Video.Status.REJECTED
    assert video.status_message.startswith(message)
    assert not video.is_playable
    assert video.jobs.get().state == TranscodeJob.State.FAILED
    assert video.renditions.count() == 0


def test_a_clip_longer_than_the_limit_is_rejected(
    user, clips, django_capture_on_commit_callbacks, settings
):
    settings.VIDEOS = {**settings.VIDEOS, "MAX_DURATION_SECONDS": 1}
    video = video_from_clip(
        clips["landscape"], user=user, capture=django_capture_on_commit_callbacks
    )
    assert video.status == Video.Status.REJECTED
    assert video.status_message == "The video is too long (0:02; the limit is 0:01)."


def test_a_codec_outside_the_accepted_list_is_rejected(
    user, clips, django_capture_on_commit_callbacks, settings
):
    settings.VIDEOS = {**settings.VIDEOS, "ACCEPTED_CODECS": ["h264"]}
    video = video_from_clip(clips["mpeg4"], user=user, capture=django_capture_on_commit_callbacks)
    assert video.status == Video.Status.REJECTED
    assert "codec mpeg4 is not supported" in video.status_message


def test_an_upload_over_the_size_limit_is_refused_before_any_byte(user, default_space, settings):
    from knowhow.videos.errors import UploadTooLarge

    settings.VIDEOS = {**settings.VIDEOS, "MAX_UPLOAD_BYTES": 1000}
    with pytest.raises(UploadTooLarge):
        services.upload_create(user=user, space=default_space, title="A long video", length=1001)
    assert not Video.objects.exists()


def test_uploading_to_a_private_space_needs_membership(user, private_space):
    with pytest.raises(PermissionRefused):
        services.upload_create(user=user, space=private_space, title="Secret how-to", length=10)


def test_an_ffmpeg_failure_is_recorded_and_does_not_crash_the_worker(
    user, clips, django_capture_on_commit_callbacks, settings
):
    settings.VIDEOS = {**settings.VIDEOS, "X264_PRESET": "no-such-preset"}
    video = video_from_clip(
        clips["landscape"], user=user, capture=django_capture_on_commit_callbacks
    )
    assert video.status == Video.Status.FAILED
    assert video.status_message.startswith("Processing failed: ffmpeg failed in step r180")
    assert default_storage.exists(video.original)


def test_an_admin_can_process_a_failed_video_again(
    user, staff, clips, django_capture_on_commit_callbacks, settings
):
    settings.VIDEOS = {**settings.VIDEOS, "X264_PRESET": "no-such-preset"}
    video = video_from_clip(
        clips["landscape"], user=user, capture=django_capture_on_commit_callbacks
    )
    settings.VIDEOS = {**settings.VIDEOS, "X264_PRESET": "ultrafast"}
    with pytest.raises(PermissionRefused):
        services.video_retranscode(video=video, by=user)
    with django_capture_on_commit_callbacks(execute=True):
        services.video_retranscode(video=video, by=staff)
    video.refresh_from_db()
    assert video.status == Video.Status.READY
    assert video.jobs.count() == 2


def test_a_job_held_by_a_live_worker_is_not_taken(user, clips, default_space):
    video = services.video_create_from_file(
        user=user, space=default_space, title="Leased video", path=clips["landscape"]
    )
    job = video.jobs.get()
    assert services.transcode_claim(job_id=job.pk, worker="a") is not None
    assert services.transcode_claim(job_id=job.pk, worker="b") is None


def test_a_job_whose_lease_ran_out_is_taken_over_and_completed(user, clips, default_space):
    from datetime import timedelta

    from django.utils import timezone

    video = services.video_create_from_file(
        user=user, space=default_space, title="Leased video", path=clips["landscape"]
    )
    job = video.jobs.get()
    services.transcode_claim(job_id=job.pk, worker="dead-worker")
    TranscodeJob.objects.filter(pk=job.pk).update(lease_until=timezone.now() - timedelta(seconds=1))
    finished = services.transcode_run(job_id=job.pk, worker="second")
    assert finished is not None and finished.state == TranscodeJob.State.SUCCEEDED
    assert finished.attempts == 2
    video.refresh_from_db()
    assert video.status == Video.Status.READY


def test_creating_a_video_needs_a_title(user, default_space):
    with pytest.raises(ValidationFailed):
        services.upload_create(user=user, space=default_space, title="   ", length=10)


def test_storage_without_local_paths_works_end_to_end(
    user, clips, django_capture_on_commit_callbacks, settings, client
):
    """Object storage (S3 via django-storages) has no local paths: the worker downloads the
    original and uploads results through the storage API. Django's InMemoryStorage behaves alike."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }
    video = video_from_clip(
        clips["landscape"], user=user, capture=django_capture_on_commit_callbacks
    )
    assert video.status == Video.Status.READY, video.status_message
    response = client.get(f"/videos/{video.pk}/media/hls/master.m3u8")
    assert response.status_code == 200
    assert b"r180/index.m3u8" in b"".join(response.streaming_content)


def test_abandoned_uploads_expire(user, default_space, settings):
    from datetime import timedelta

    from django.utils import timezone

    from knowhow.videos.models import UploadSession

    session = services.upload_create(
        user=user, space=default_space, title="Never finished", length=100
    )
    services.upload_append(session=session, user=user, offset=0, chunk=[b"x" * 10])
    assert services.upload_expire_stale() == 0
    UploadSession.objects.filter(pk=session.pk).update(
        created_at=timezone.now() - timedelta(days=2)
    )
    assert services.upload_expire_stale() == 1
    assert not Video.objects.exists()
    assert not services._staging_path(session.id).exists()
