"""Background work for data protection: the daily retention purge."""

from django_tasks import task


@task()
def retention_purge_task() -> dict[str, int]:
    from knowhow.privacy.services import retention_purge

    return retention_purge()
