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
        if "knowhow.videos" in settings.INSTALLED_APPS and "Immediate" not in backend:
            # Transcodes left running by a worker that died are picked up again.
            call_command("videos_requeue_stale")
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
