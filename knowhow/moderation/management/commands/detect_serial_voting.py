"""Reverse reputation from serial voting (run daily by cron or the worker's scheduler)."""

from django.core.management.base import BaseCommand

from knowhow.moderation.services import serial_voting_reverse


class Command(BaseCommand):
    help = "Find and reverse serial voting; each reversal is logged in the audit log."

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        pairs = serial_voting_reverse()
        self.stdout.write(f"{len(pairs)} serial voting patterns reversed.")
