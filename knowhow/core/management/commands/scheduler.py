"""Run only the periodic-task scheduler (when workers run with --no-scheduler)."""

import threading

from django.core.management.base import BaseCommand

from knowhow.core.scheduling import loop, run_due, schedules


class Command(BaseCommand):
    help = "Enqueue periodic tasks when they are due."

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument(
            "--once", action="store_true", help="Enqueue what is due now, then exit."
        )
        parser.add_argument("--tick", type=float, default=30.0)

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        if options["once"]:
            for name in run_due():
                self.stdout.write(f"enqueued {name}")
            return
        self.stdout.write(f"Scheduler running {len(schedules())} schedules")
        loop(stop=threading.Event(), tick=options["tick"])
