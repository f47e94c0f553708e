"""Serve the site with gunicorn, the production server, with static files through whitenoise."""

import os
import shutil
import socket
import sys

from django.conf import settings
from django.core.management.base import BaseCommand

# gunicorn's layout: processes x threads (gthread). See docs/benchmarks.md ("the server's
# layout") for how it was chosen on 2 CPUs.
DEFAULT_WORKERS = 2
DEFAULT_THREADS = 4


def web_workers() -> int:
    return int(os.environ.get("WEB_WORKERS") or DEFAULT_WORKERS)


def web_threads() -> int:
    return int(os.environ.get("WEB_THREADS") or DEFAULT_THREADS)


def reuse_port_args() -> list[str]:
    """WEB_REUSE_PORT (on by default where the system has SO_REUSEPORT): each worker listens on
    its own socket and the kernel spreads new connections over them. On one shared socket the
    worker that wakes first accepts, and a busy one keeps winning: all 8 keep-alive connections
    of a load test (or of a proxy's pool) could sit on one process, whose GIL then bounds the
    site to one CPU while the other worker idles (docs/benchmarks.md)."""
    wanted = os.environ.get("WEB_REUSE_PORT", "1").strip().lower() not in ("0", "off", "no", "")
    return ["--reuse-port"] if wanted and hasattr(socket, "SO_REUSEPORT") else []


def port_in_use(host: str, port: int) -> bool:
    """Whether something already listens there. With SO_REUSEPORT a second server on the same
    port would bind too and silently share the connections, so this is checked first."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        # As gunicorn: connections of a stopped server in TIME_WAIT do not count.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return True
    return False


def access_log_args() -> list[str]:
    """ACCESS_LOG: a file, "-" (standard output, the default) or "off" (no access log: a
    reverse proxy in front usually logs each request already)."""
    target = os.environ.get("ACCESS_LOG", "-")
    if target.strip().lower() in ("", "off", "none", "0"):
        return []
    return ["--access-logfile", target]


class Command(BaseCommand):
    help = "Serve Knowhow with gunicorn (production settings)."

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--workers", type=int, default=web_workers())
        parser.add_argument("--threads", type=int, default=web_threads())

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        gunicorn = shutil.which("gunicorn", path=os.path.dirname(sys.executable)) or shutil.which(
            "gunicorn"
        )
        if gunicorn is None:
            self.stderr.write("gunicorn is not installed; run `pip install -e .`")
            sys.exit(1)
        bind = f"{options['host']}:{options['port']}"
        reuse_port = reuse_port_args()
        if reuse_port and port_in_use(options["host"], options["port"]):
            self.stderr.write(f"{bind} is already in use")
            sys.exit(1)
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
                *reuse_port,
                *access_log_args(),
                "--timeout",
                "60",
                "--graceful-timeout",
                "10",
            ],
        )
