"""Background work for videos: load by id, call a service."""

from django_tasks import task

from knowhow.videos import services


@task()
def transcode_video(*, job_id: int) -> None:
    services.transcode_run(job_id=job_id)
