"""Turns the `activity` signal that other apps send into analytics events."""

from typing import Any

from knowhow.analytics.models import EventKind
from knowhow.analytics.services import PendingEvent, event_record

_KNOWN = set(EventKind.values)


def on_activity(sender: Any, *, kind: str, actor_id: int | None = None, **payload: Any) -> None:
    if kind not in _KNOWN:
        return
    event_record(
        PendingEvent(
            kind=kind,
            actor_id=actor_id,
            space_id=payload.get("space_id"),
            post_id=payload.get("post_id"),
            question_id=payload.get("question_id"),
            tag_names=list(payload.get("tag_names") or []),
            value=payload.get("value"),
            meta=dict(payload.get("meta") or {}),
        )
    )
