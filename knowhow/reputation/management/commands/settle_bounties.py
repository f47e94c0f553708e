"""Settle bounties whose award time is over (the worker runs this hourly)."""

from django.core.management.base import BaseCommand

from knowhow.reputation.bounties import bounties_settle


class Command(BaseCommand):
    help = "Settle expired bounties: half to the best answer since the offer (score 2 or more)."

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        self.stdout.write(f"{bounties_settle()} bounties settled.")
