"""Periodic tasks: a registry of (task, interval) and the loop that enqueues them when due.

Apps register their scheduled work in `AppConfig.ready()`:

    from knowhow.core.scheduling import every
    every(timedelta(hours=1), detect_serial_voting)

`knowhow worker` runs the loop in a thread (and `knowhow scheduler` runs it alone). A row per
schedule, locked while it is checked, makes sure that several workers enqueue each run once.
"""

import logging
import threading
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Schedule:
    name: str
    interval: timedelta
    task: object  # a django_tasks Task


_registry: dict[str, Schedule] = {}


def every(interval: timedelta, task: object, *, name: str | None = None) -> None:
    key = name or getattr(task, "module_path", None) or repr(task)
    _registry[key] = Schedule(name=key, interval=interval, task=task)


def schedules() -> list[Schedule]:
    return list(_registry.values())


def run_due(*, now=None) -> list[str]:  # type: ignore[no-untyped-def]
    """Enqueue every schedule whose interval has passed. Returns the names enqueued."""
    from knowhow.core.models import ScheduledRun

    now = now or timezone.now()
    enqueued = []
    for schedule in schedules():
        with transaction.atomic():
            run, _ = ScheduledRun.objects.select_for_update().get_or_create(name=schedule.name)
            if run.last_enqueued_at and now - run.last_enqueued_at < schedule.interval:
                continue
            run.last_enqueued_at = now
            run.save(update_fields=["last_enqueued_at"])
        try:
            schedule.task.enqueue()  # type: ignore[attr-defined]
            enqueued.append(schedule.name)
        except Exception:  # a broken schedule must not stop the others
            logger.exception("Could not enqueue scheduled task %s", schedule.name)
    return enqueued


def loop(*, stop: threading.Event, tick: float = 30.0) -> None:
    while not stop.is_set():
        try:
            run_due()
        except Exception:
            logger.exception("Scheduler tick failed")
        stop.wait(tick)


def start_in_thread(*, tick: float = 30.0) -> threading.Event:
    stop = threading.Event()
    threading.Thread(
        target=loop, kwargs={"stop": stop, "tick": tick}, daemon=True, name="scheduler"
    ).start()
    return stop
