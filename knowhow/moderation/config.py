"""Moderation thresholds: defaults merged with settings.KNOWHOW_MODERATION."""

from typing import Any

from django.conf import settings

DEFAULTS: dict[str, Any] = {
    # A post is hidden pending review when its pending flags weigh this much.
    "HIDE_SCORE": 8.0,
    # Flags with fewer resolved flags than this carry no accuracy bonus or malus.
    "ACCURACY_MIN_FLAGS": 3,
    "MIN_FLAG_WEIGHT": 0.25,
    "CLOSE_VOTES": 3,
    "REOPEN_VOTES": 3,
    "LEAVE_OPEN_VOTES": 3,
    "LATE_ANSWER_DAYS": 30,
    "SANCTION_MAX_DAYS": 365,
    # A warning restricts nothing; its notice (the banner) shows for this many days.
    "WARNING_NOTICE_DAYS": 7,
}


def moderation_setting(name: str) -> Any:
    overrides = getattr(settings, "KNOWHOW_MODERATION", {}) or {}
    return overrides.get(name, DEFAULTS[name])
