"""Scheduled reputation work: badge checks. The worker or cron runs `knowhow check-badges`."""

from django_tasks import task

from knowhow.reputation.badges import badges_check_all


@task()
def check_badges() -> int:
    return badges_check_all()
