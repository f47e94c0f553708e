"""Reputation values, privilege presets and trust limits: defaults merged with settings.KNOWHOW_REPUTATION."""

from typing import Any

from django.conf import settings
from django.db import models


class Privilege(models.TextChoices):
    VOTE_UP = "vote_up", "Vote up"
    FLAG = "flag", "Flag posts"
    COMMENT_EVERYWHERE = "comment_everywhere", "Comment everywhere"
    BOUNTY = "bounty", "Offer bounties on others' questions"
    VOTE_DOWN = "vote_down", "Vote down"
    CREATE_TAGS = "create_tags", "Create tags"
    SEE_VOTE_COUNTS = "see_vote_counts", "See up and down vote counts"
    REVIEW = "review", "Access review queues"
    EDIT = "edit", "Edit others' posts without review"
    CLOSE_REOPEN = "close_reopen", "Cast close and reopen votes"
    TRUSTED = "trusted", "Trusted user (strong flags)"
    MODERATOR_TOOLS = "moderator_tools", "Moderator tools"


# Thresholds per preset. "pilot" follows Stack Exchange beta sites (a small new community);
# "established" follows the public Stack Overflow table.
PRESETS: dict[str, dict[str, int]] = {
    "pilot": {
        Privilege.VOTE_UP: 15,
        Privilege.FLAG: 15,
        Privilege.COMMENT_EVERYWHERE: 50,
        Privilege.BOUNTY: 75,
        Privilege.VOTE_DOWN: 125,
        Privilege.CREATE_TAGS: 150,
        Privilege.SEE_VOTE_COUNTS: 200,
        Privilege.REVIEW: 350,
        Privilege.CLOSE_REOPEN: 500,
        Privilege.EDIT: 1000,
        Privilege.MODERATOR_TOOLS: 2000,
        Privilege.TRUSTED: 4000,
    },
    "established": {
        Privilege.VOTE_UP: 15,
        Privilege.FLAG: 15,
        Privilege.COMMENT_EVERYWHERE: 50,
        Privilege.BOUNTY: 75,
        Privilege.VOTE_DOWN: 125,
        Privilege.REVIEW: 500,
        Privilege.SEE_VOTE_COUNTS: 1000,
        Privilege.CREATE_TAGS: 1500,
        Privilege.EDIT: 2000,
        Privilege.CLOSE_REOPEN: 3000,
        Privilege.MODERATOR_TOOLS: 10000,
        Privilege.TRUSTED: 20000,
    },
}

DEFAULTS: dict[str, Any] = {
    "PRIVILEGE_PRESET": "pilot",
    "ANSWER_UPVOTED": 10,
    "QUESTION_UPVOTED": 5,
    "ANSWER_ACCEPTED": 15,
    "ACCEPTED_ANSWER": 2,
    "DOWNVOTE_RECEIVED": -2,
    "DOWNVOTE_CAST_ON_ANSWER": -1,
    "EDIT_APPROVED": 2,
    "FLAG_PENALTY": -100,
    "DAILY_VOTE_CAP": 200,
    "BASE": 1,
    # New users (below NEW_USER_UNTIL) are rate-limited.
    "NEW_USER_UNTIL": 10,
    "NEW_USER_POSTS_PER_MINUTE": 2,
    "NEW_USER_POSTS_PER_DAY": 10,
    "NEW_USER_LINKS_PER_POST": 2,
    # Serial voting: this many votes by one person on another's posts within the window.
    "SERIAL_VOTES": 5,
    "SERIAL_WINDOW_HOURS": 24,
    # Tag badges: score in a tag for bronze, silver, gold.
    "TAG_BADGE_SCORES": (100, 400, 1000),
    "REVIEWER_BADGE_REVIEWS": 20,
    # Bounties (Stack Overflow's rules): 50 to 500 in steps of 50, on a question at least two
    # days old; the offerer may award it after a day and until the period and a grace day end,
    # else half goes to the best answer posted since the offer with a score of 2 or more.
    "BOUNTY_MIN": 50,
    "BOUNTY_MAX": 500,
    "BOUNTY_STEP": 50,
    "BOUNTY_MIN_QUESTION_AGE_DAYS": 2,
    "BOUNTY_DAYS": 7,
    "BOUNTY_AWARD_AFTER_HOURS": 24,
    "BOUNTY_GRACE_HOURS": 24,
    "BOUNTY_AUTO_MIN_SCORE": 2,
}


def reputation_setting(name: str) -> Any:
    overrides = getattr(settings, "KNOWHOW_REPUTATION", {}) or {}
    return overrides.get(name, DEFAULTS[name])


def preset_thresholds(preset: str | None = None) -> dict[str, int]:
    name = preset or reputation_setting("PRIVILEGE_PRESET")
    if name not in PRESETS:
        name = "pilot"
    return {str(k): v for k, v in PRESETS[name].items()}
