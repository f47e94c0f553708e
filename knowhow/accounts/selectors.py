"""Reads for accounts: a person's live sessions."""

from django.contrib.sessions.models import Session
from django.db.models import QuerySet
from django.utils import timezone

from knowhow.accounts.models import User, UserSession


def sessions_for_user(*, user: User) -> QuerySet[UserSession]:
    """The person's sessions that can still be used (not expired, not ended)."""
    live = Session.objects.filter(expire_date__gt=timezone.now()).values("session_key")
    return UserSession.objects.filter(user=user, session_key__in=live).order_by("-last_seen_at")
