"""Flags, review queues, close votes, sanctions and the audit log.

Moderation acts on qa.Post and qa.Comment through foreign keys (hide, close, lock are plain field
changes on those rows); the steps that need qa's own bookkeeping (deleting a post, applying an
edit) go through handlers that qa registers in its AppConfig.ready() (see `content.py`).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q


class FlagReason(models.TextChoices):
    SPAM = "spam", "Spam"
    RUDE = "rude", "Rude or abusive"
    OFF_TOPIC = "off_topic", "Off-topic or needs improvement"
    DUPLICATE = "duplicate", "Duplicate"
    PERSONAL_DATA = "personal_data", "Personal data exposed"
    LEGAL = "legal", "Illegal content or legal complaint"
    OTHER = "other", "Other (explain)"
    # For curated resources (links to other sites), offered on the resource's page.
    BROKEN_LINK = "broken", "Broken or changed link"
    MISLEADING = "misleading", "Misleading or harmful"


STAFF_ONLY_REASONS = (FlagReason.PERSONAL_DATA, FlagReason.LEGAL)
# Reasons that only make sense for a link to another site; the post flag form leaves them out.
LINK_ONLY_REASONS = (FlagReason.BROKEN_LINK, FlagReason.MISLEADING)
POST_FLAG_REASONS = [(v, label) for v, label in FlagReason.choices if v not in LINK_ONLY_REASONS]
RESOURCE_FLAG_REASONS = [
    (v, label)
    for v, label in FlagReason.choices
    if v
    in (
        FlagReason.SPAM,
        FlagReason.BROKEN_LINK,
        FlagReason.MISLEADING,
        FlagReason.LEGAL,
        FlagReason.OTHER,
    )
]


class Flag(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        AGREED = "agreed", "Helpful"
        DISAGREED = "disagreed", "Declined"
        DISMISSED = "dismissed", "Dismissed"

    flagger = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="flags_raised"
    )
    post = models.ForeignKey("qa.Post", on_delete=models.CASCADE, related_name="flags")
    comment = models.ForeignKey(
        "qa.Comment", null=True, blank=True, on_delete=models.CASCADE, related_name="flags"
    )
    reason = models.CharField(max_length=20, choices=FlagReason.choices)
    text = models.CharField(max_length=500, blank=True)
    weight = models.FloatField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField()
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["flagger", "post"],
                condition=Q(comment__isnull=True),
                name="flag_post_once",
            ),
            models.UniqueConstraint(
                fields=["flagger", "comment"],
                condition=Q(comment__isnull=False),
                name="flag_comment_once",
            ),
        ]
        indexes = [models.Index(fields=["post", "status"], name="flag_post_status")]

    def __str__(self) -> str:
        return f"{self.flagger_id} flagged {self.post_id} ({self.reason})"


class UserStanding(models.Model):
    """A person's record as flagger (accuracy) and as author (posts removed after flags)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="standing"
    )
    flags_agreed = models.PositiveIntegerField(default=0)
    flags_disagreed = models.PositiveIntegerField(default=0)
    posts_removed = models.PositiveIntegerField(default=0)
    reviews_done = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"standing of {self.user_id}"


class ReviewQueue(models.TextChoices):
    FLAGGED = "flagged", "Flagged posts"
    FIRST_POST = "first_post", "First posts"
    LATE_ANSWER = "late_answer", "Late answers"
    SUGGESTED_EDIT = "suggested_edit", "Suggested edits"
    CLOSE = "close", "Close votes"
    REOPEN = "reopen", "Reopen votes"
    LEGAL = "legal", "Legal and personal data (staff)"


class Decision(models.TextChoices):
    AGREE = "agree", "Agree"
    DISAGREE = "disagree", "Disagree"
    EDIT = "edit", "Edit"
    DELETE = "delete", "Delete"
    DISMISS = "dismiss", "Dismiss"


class ReviewTask(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", "Open"
        DONE = "done", "Done"

    queue = models.CharField(max_length=20, choices=ReviewQueue.choices)
    post = models.ForeignKey("qa.Post", on_delete=models.CASCADE, related_name="review_tasks")
    comment = models.ForeignKey(
        "qa.Comment", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)
    # For suggested edits: who suggested and what ({"title", "body", "tags", "summary"}).
    suggested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    payload = models.JSONField(default=dict, blank=True)
    score = models.FloatField(default=0)
    decision = models.CharField(max_length=10, choices=Decision.choices, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    note = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-score", "created_at"]
        indexes = [models.Index(fields=["queue", "status", "created_at"], name="review_open")]
        constraints = [
            models.UniqueConstraint(
                fields=["queue", "post"],
                condition=Q(status="open", comment__isnull=True) & ~Q(queue="suggested_edit"),
                name="one_open_task_per_post",
            )
        ]

    def __str__(self) -> str:
        return f"{self.queue} review of {self.post_id}"


class CloseVote(models.Model):
    class Kind(models.TextChoices):
        CLOSE = "close", "Close"
        REOPEN = "reopen", "Reopen"
        LEAVE_OPEN = "leave_open", "Leave open"

    post = models.ForeignKey("qa.Post", on_delete=models.CASCADE, related_name="close_votes")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    reason = models.CharField(max_length=30, blank=True)
    duplicate_of = models.ForeignKey(
        "qa.Post", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    # Votes count until the question is closed or reopened; then they are kept as history.
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["post", "user", "kind"],
                condition=Q(is_active=True),
                name="one_active_close_vote",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind} {self.post_id}"


class Sanction(models.Model):
    class Kind(models.TextChoices):
        WARN = "warn", "Warned"
        SILENCE = "silence", "Silenced"
        SUSPEND = "suspend", "Suspended"

    class Appeal(models.TextChoices):
        NONE = "", "Not appealed"
        PENDING = "pending", "Appeal pending"
        UPHELD = "upheld", "Appeal refused"
        GRANTED = "granted", "Appeal granted"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sanctions"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    reason = models.CharField(max_length=1000)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()
    # Silences and suspensions end by themselves at ends_at; a warning has none.
    ends_at = models.DateTimeField(null=True, blank=True)
    lifted_at = models.DateTimeField(null=True, blank=True)
    appeal_text = models.CharField(max_length=2000, blank=True)
    appeal_status = models.CharField(max_length=10, choices=Appeal.choices, blank=True)
    appealed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "ends_at"], name="sanction_user_end")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind}"


class AuditEntry(models.Model):
    class Action(models.TextChoices):
        HIDE = "hide", "Hidden"
        UNHIDE = "unhide", "Restored"
        DELETE = "delete", "Deleted"
        UNDELETE = "undelete", "Undeleted"
        CLOSE = "close", "Closed"
        REOPEN = "reopen", "Reopened"
        LOCK = "lock", "Locked"
        UNLOCK = "unlock", "Unlocked"
        SANCTION = "sanction", "Sanctioned"
        LIFT = "lift", "Sanction lifted"
        APPEAL = "appeal", "Appealed"
        TAKEDOWN = "takedown", "Taken down"
        REVERSAL = "reversal", "Reputation reversed"
        REVIEW = "review", "Reviewed"

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=12, choices=Action.choices)
    target_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="audit_entries",
    )
    post = models.ForeignKey(
        "qa.Post", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    comment = models.ForeignKey(
        "qa.Comment", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.CharField(max_length=1000, blank=True)
    details = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "audit entries"

    def __str__(self) -> str:
        return f"{self.actor_id} {self.action} {self.post_id or self.target_user_id}"
