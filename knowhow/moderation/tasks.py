"""Scheduled moderation work. `knowhow detect-serial-voting` runs the same from cron."""

from django_tasks import task

from knowhow.moderation.services import serial_voting_reverse


@task()
def detect_serial_voting() -> int:
    return len(serial_voting_reverse())
