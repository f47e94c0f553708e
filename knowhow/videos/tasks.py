"""Background work for videos: load by id, call a service."""

from django_tasks import task

from knowhow.videos import services


@task()
def transcode_video(*, job_id: int) -> None:
    services.transcode_run(job_id=job_id)


@task()
def caption_video_automatically(*, video_id: int) -> None:
    services.captions_generate(video_id=video_id)


@task()
def videos_maintenance() -> None:
    """Every minute: retry transcodes whose worker died; drop abandoned uploads."""
    services.transcode_requeue_stale()
    services.upload_expire_stale()
