"""Background work through real queues and real worker processes: the database queue of the
embedded default, and RQ on Redis when REDIS_URL is set."""

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]

ENQUEUE = """
import django, os
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()
from django.utils import timezone
from knowhow.analytics.models import Event
from knowhow.analytics.tasks import rollup_recent
Event.objects.create(kind="search", value=0, meta={"q": "vpn"}, occurred_at=timezone.now())
print(rollup_recent.enqueue().id)
"""

COUNT = """
import django, os
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()
from knowhow.analytics.models import DailyMetric
print(DailyMetric.objects.filter(metric="searches").count())
"""


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"PYTEST_VERSION", "DATABASE_URL", "REDIS_URL"}
    }
    env.update(
        {"KNOWHOW_VAR_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "config.settings", **extra}
    )
    return env


def _run(args: list[str], env: dict[str, str]) -> str:
    done = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def _roundtrip(env: dict[str, str]) -> None:
    python = sys.executable
    _run([python, "manage.py", "migrate", "-v0"], env)
    _run([python, "-c", ENQUEUE], env)
    assert _run([python, "-c", COUNT], env).strip() == "0"
    _run([python, "manage.py", "worker", "--burst"], env)
    assert int(_run([python, "-c", COUNT], env).strip()) >= 1


def test_the_database_queue_is_worked_by_a_separate_worker_process(tmp_path):
    _roundtrip(_env(tmp_path))


def test_rq_on_redis_is_worked_by_a_separate_worker_process(tmp_path):
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=2).close()
    except OSError:
        pytest.skip("no Redis server at 127.0.0.1:6379")
    env = _env(tmp_path, REDIS_URL="redis://127.0.0.1:6379/9")
    subprocess.run(["redis-cli", "-n", "9", "flushdb"], capture_output=True)
    _roundtrip(env)
