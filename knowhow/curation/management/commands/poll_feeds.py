"""Poll feed subscriptions that are due (from cron), or start a self-rescheduling poll task."""

from django.core.management.base import BaseCommand

from knowhow.curation.tasks import feeds_poll_due


class Command(BaseCommand):
    help = "Queue polls of the feed subscriptions that are due."

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument(
            "--every",
            type=int,
            default=0,
            help="Minutes: the task re-queues itself this often (database or RQ worker).",
        )

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        if options["every"] < 0:
            self.stderr.write("--every must be zero or a positive number of minutes.")
            return
        result = feeds_poll_due.enqueue(reschedule_minutes=options["every"])
        self.stdout.write(f"Queued feed polling ({result.id}).")
