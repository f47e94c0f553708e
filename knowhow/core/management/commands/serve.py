"""Serve the site with gunicorn, the production server, with static files through whitenoise."""

import os
import shutil
import sys

from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Serve Knowhow with gunicorn (production settings)."

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_WORKERS", "2")))
        parser.add_argument("--threads", type=int, default=int(os.environ.get("WEB_THREADS", "4")))

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        gunicorn = shutil.which("gunicorn", path=os.path.dirname(sys.executable)) or shutil.which(
            "gunicorn"
        )
        if gunicorn is None:
            self.stderr.write("gunicorn is not installed; run `pip install -e .`")
            sys.exit(1)
        bind = f"{options['host']}:{options['port']}"
        self.stdout.write(
            f"Serving on http://{bind}/ (DEBUG={settings.DEBUG}, database: {settings.DB_VENDOR})"
        )
        sys.stdout.flush()
        os.execv(
            gunicorn,
            [
                gunicorn,
                "config.wsgi:application",
                "--bind",
                bind,
                "--workers",
                str(options["workers"]),
                "--threads",
                str(options["threads"]),
                "--worker-class",
                "gthread",
                "--access-logfile",
                os.environ.get("ACCESS_LOG", "-"),
                "--timeout",
                "60",
                "--graceful-timeout",
                "10",
            ],
        )
