"""Signals for receivers that the sender must not know about.

`activity` is sent (after commit) by any app when a person does something worth measuring:
asking, answering, voting, searching, watching. Analytics and learning records listen to it;
the senders stay unaware of them.

    activity.send(sender=..., kind="question_asked", actor_id=7, space_id=1, post_id=42,
                  tag_names=["excel"], value=None, meta={})
"""

from django.dispatch import Signal

activity = Signal()


def activity_after_commit(*, kind: str, actor_id: int | None, **payload: object) -> None:
    """Send `activity` once the current transaction commits (at once outside one)."""
    from django.db import transaction

    transaction.on_commit(
        lambda: activity.send(sender=None, kind=kind, actor_id=actor_id, **payload)
    )
