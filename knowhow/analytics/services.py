"""Writes for analytics: recording events (batched per request) and queueing xAPI statements."""

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
    if pending:
        _write(pending, known_user=known_user if isinstance(known_user, User) else None)
    return len(pending)


def event_record(event: PendingEvent) -> None:
    """Record an event: batched at the end of the request when there is one, else now."""
    pending = getattr(_local, "buffer", None)
    if pending is not None:
        pending.append(event)
    else:
        _write([event])


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
    defaults = {"ROLLUP_DAYS": 2}
    return {**defaults, **getattr(settings, "ANALYTICS", {})}
