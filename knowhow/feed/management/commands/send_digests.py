"""Email the daily or weekly digest of notifications (run from cron, or queue it)."""

from django.core.management.base import BaseCommand, CommandError

from knowhow.feed.services import digests_send


class Command(BaseCommand):
    help = "Send the daily or weekly notification digest to everyone who has one pending."

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("--period", choices=["daily", "weekly"], default="daily")

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        try:
            sent = digests_send(period=options["period"])
        except Exception as exc:  # a clear message instead of a traceback in cron mail
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Sent {sent} {options['period']} digest(s).")
