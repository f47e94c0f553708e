"""Writes for analytics: recording events (batched per request) and queueing xAPI statements.

Events of the kinds in ANALYTICS["DEFERRED_KINDS"] (searches: one on every search request, cached
page or not) are not written by the request that records them: a thread of the process writes
them in one transaction every ANALYTICS["DEFER_SECONDS"] (`DeferredEvents`), so that a request
costs no INSERT, commit and write lock for them (on SQLite, ~a fifth of a cached search page's
time under load). They keep the time they occurred at; the daily rollups re-read the last days,
so an event written a second late is counted. A process that exits normally writes what it
holds; one that is killed loses at most the last DEFER_SECONDS of them. DEFER_SECONDS 0 writes
them with the request's other events (the tests' default).
"""

import atexit
import logging
import os
import threading
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.conf import settings
from django.utils import timezone

from knowhow.accounts.models import User
from knowhow.analytics import xapi
from knowhow.analytics.models import Event, XapiStatement

_local = threading.local()
logger = logging.getLogger(__name__)


@dataclass
class PendingEvent:
    kind: str
    actor_id: int | None
    space_id: int | None = None
    post_id: int | None = None
    question_id: int | None = None
    tag_names: list[str] = field(default_factory=list)
    value: float | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    occurred_at: datetime = field(default_factory=timezone.now)


def buffer_start() -> None:
    _local.buffer = []


def buffer_flush(known_user: Any = None) -> int:
    """Write the events collected during a request in one batch. Returns how many.
    `known_user`: the request's user if already loaded, so that it is not read again."""
    pending: list[PendingEvent] = getattr(_local, "buffer", None) or []
    _local.buffer = None
    now = [e for e in pending if not deferred_events.takes(e)]
    if len(now) < len(pending):
        deferred_events.add([e for e in pending if deferred_events.takes(e)])
    if now:
        _write(now, known_user=known_user if isinstance(known_user, User) else None)
    return len(pending)


def event_record(event: PendingEvent) -> None:
    """Record an event: batched at the end of the request when there is one, else now (or by
    the process's writer thread, for the deferred kinds)."""
    pending = getattr(_local, "buffer", None)
    if pending is not None:
        pending.append(event)
    elif deferred_events.takes(event):
        deferred_events.add([event])
    else:
        _write([event])


class DeferredEvents:
    """The events of the deferred kinds held by this process, written by a thread of it in one
    transaction every DEFER_SECONDS (or as soon as MAX_BATCH are held)."""

    MAX_BATCH = 1000
    # Held at most (a database refusing writes for minutes): the oldest are dropped, logged.
    MAX_HELD = 100_000

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._held: list[PendingEvent] = []
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._pid = 0

    @staticmethod
    def _conf() -> tuple[float, frozenset[str]]:
        conf = analytics_settings()
        return float(conf["DEFER_SECONDS"]), frozenset(conf["DEFERRED_KINDS"])

    def takes(self, event: PendingEvent) -> bool:
        seconds, kinds = self._conf()
        return seconds > 0 and event.kind in kinds

    def add(self, events: list[PendingEvent]) -> None:
        with self._lock:
            self._held.extend(events)
            dropped = len(self._held) - self.MAX_HELD
            if dropped > 0:
                del self._held[:dropped]
                logger.error("analytics: %d deferred events dropped (writes failing)", dropped)
            # A forked server process starts its own thread (threads do not survive a fork).
            if self._thread is None or self._pid != os.getpid() or not self._thread.is_alive():
                self._pid = os.getpid()
                self._thread = threading.Thread(
                    target=self._run, name="analytics-deferred-events", daemon=True
                )
                self._thread.start()
            if len(self._held) >= self.MAX_BATCH:
                self._wake.set()

    def held(self) -> int:
        with self._lock:
            return len(self._held)

    def flush(self, *, reconnect_on_error: bool = False) -> int:
        """Write what is held now, in this thread. Returns how many were written.
        `reconnect_on_error`: the writer thread closes its connection after a failed write, so
        that a broken one is opened afresh next time."""
        from django.db import connection

        with self._lock:
            batch, self._held = self._held, []
        if not batch:
            return 0
        written = 0
        try:
            while written < len(batch):
                chunk = batch[written : written + self.MAX_BATCH]
                _write(chunk)
                written += len(chunk)
        except Exception:
            logger.exception("analytics: writing %d deferred events failed", len(batch) - written)
            if reconnect_on_error:
                connection.close()
            # Only what was not written is kept (an earlier chunk is committed already).
            with self._lock:
                self._held[:0] = batch[written:]
        return written

    def _run(self) -> None:
        while True:
            self._wake.wait(max(self._conf()[0], 0.05))
            self._wake.clear()
            self.flush(reconnect_on_error=True)


deferred_events = DeferredEvents()
# A server process that exits normally (gunicorn's graceful stop) writes what it still holds.
atexit.register(deferred_events.flush)


def _write(events: list[PendingEvent], known_user: User | None = None) -> None:
    actor_ids = {e.actor_id for e in events if e.actor_id}
    actors: dict[int, User] = {}
    if known_user is not None and known_user.pk in actor_ids:
        actors[known_user.pk] = known_user
    if actor_ids - set(actors):
        actors.update(
            (u.pk, u)
            for u in User.objects.filter(pk__in=actor_ids - set(actors)).only(
                "id", "department", "email", "username"
            )
        )
    rows = []
    statements = []
    for e in events:
        actor = actors.get(e.actor_id) if e.actor_id else None
        rows.append(
            Event(
                kind=e.kind,
                actor_id=actor.pk if actor else None,
                department=actor.department if actor else "",
                space_id=e.space_id,
                post_id=e.post_id,
                question_id=e.question_id,
                tag_names=" ".join(e.tag_names)[:400],
                value=e.value,
                meta=e.meta,
                occurred_at=e.occurred_at,
            )
        )
        if actor is not None and xapi.enabled():
            statement = xapi.statement_for(event=e, actor=actor)
            if statement is not None:
                statements.append(statement)
    if len(rows) == 1:
        # One INSERT in autocommit: no transaction around a single row (the usual request).
        rows[0].save(force_insert=True)
    else:
        Event.objects.bulk_create(rows)
    if statements:
        now = timezone.now()
        XapiStatement.objects.bulk_create(
            [XapiStatement(id=s["id"], statement=s, next_attempt_at=now) for s in statements]
        )


def analytics_settings() -> dict[str, Any]:
    defaults = {"ROLLUP_DAYS": 2, "DEFER_SECONDS": 0, "DEFERRED_KINDS": ("search",)}
    return {**defaults, **getattr(settings, "ANALYTICS", {})}
