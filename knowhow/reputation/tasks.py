"""Scheduled reputation work: badge checks (`knowhow check-badges` from cron) and settling
bounties whose time ran out (`knowhow settle-bounties`)."""

from django_tasks import task

from knowhow.reputation.badges import badges_check_all
from knowhow.reputation.bounties import bounties_settle


@task()
def check_badges() -> int:
    return badges_check_all()


@task()
def settle_bounties() -> int:
    return bounties_settle()
