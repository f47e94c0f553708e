"""Run the background task worker for the configured queue backend."""

import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run the background task worker (database queue by default, RQ when REDIS_URL is set)."

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument(
            "--burst", action="store_true", help="Process what is queued, then exit."
        )

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        backend = settings.TASKS["default"]["BACKEND"]
        self.stdout.write(f"Worker starting with {backend}")
        sys.stdout.flush()
        if not options["burst"] and not options["no_scheduler"]:
            from knowhow.core.scheduling import start_in_thread

            start_in_thread()
        elif options["burst"]:
            from knowhow.core.scheduling import run_due

            run_due()
        if "RQBackend" in backend:
            extra = ["--burst"] if options["burst"] else []
            call_command(
                "rqworker", "default", "--job-class", "django_tasks_rq.backend.Job", *extra
            )
        elif "DatabaseBackend" in backend:
            extra = ["--batch"] if options["burst"] else []
            call_command("db_worker", *extra)
        else:
            self.stdout.write("Tasks run immediately in the web process; no worker is needed.")
