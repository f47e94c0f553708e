"""The audit log of administrators' actions: Django's admin LogEntry, which the admin itself
writes for every change made there, also written by services for changes made elsewhere
(pilot roll-out, archive, erasure...). Shown read-only in the admin under "Audit log"."""

from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.db import models

from knowhow.accounts.models import User

ACTIONS = {"added": ADDITION, "changed": CHANGE, "deleted": DELETION}


def audit_record(*, actor: User | None, obj: models.Model, action: str, message: str) -> None:
    """Record what an administrator did to `obj` ("added", "changed" or "deleted")."""
    if actor is None or actor.pk is None:
        return
    LogEntry.objects.log_actions(
        user_id=actor.pk,
        queryset=[obj],
        action_flag=ACTIONS[action],
        change_message=message,
        single_object=True,
    )
