"""Reputation ledger, privileges and badges."""

from django.conf import settings
from django.db import models

from knowhow.reputation.config import Privilege


class ReputationEvent(models.Model):
    """One append-only line of the reputation ledger. Undoing an event appends its reversal."""

    class Kind(models.TextChoices):
        ANSWER_UPVOTED = "answer_upvoted", "Answer upvoted"
        QUESTION_UPVOTED = "question_upvoted", "Question upvoted"
        ANSWER_ACCEPTED = "answer_accepted", "Answer accepted"
        ACCEPTED_ANSWER = "accepted_answer", "Accepted an answer"
        DOWNVOTE_RECEIVED = "downvote_received", "Downvote received"
        DOWNVOTE_CAST = "downvote_cast", "Downvoted an answer"
        EDIT_APPROVED = "edit_approved", "Suggested edit approved"
        BOUNTY = "bounty", "Bounty"
        FLAG_PENALTY = "flag_penalty", "Post removed by flags"
        REVERSAL = "reversal", "Reversal"
        # Reputation a person brings along (an import from another site, demo content).
        GRANTED = "granted", "Granted on import"

    class Cause(models.TextChoices):
        VOTE_WITHDRAWN = "vote_withdrawn", "Vote withdrawn or changed"
        UNACCEPTED = "unaccepted", "Answer unaccepted"
        POST_DELETED = "post_deleted", "Post deleted"
        POST_UNDELETED = "post_undeleted", "Post undeleted"
        SERIAL_VOTING = "serial_voting", "Serial voting reversed"
        MODERATOR = "moderator", "Moderator correction"
        BOUNTY_REFUNDED = "bounty_refunded", "Bounty refunded (question deleted)"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reputation_events"
    )
    kind = models.CharField(max_length=30, choices=Kind.choices)
    amount = models.IntegerField()
    # Who caused it (the voter, the accepter, the reviewer).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    post = models.ForeignKey(
        "qa.Post", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # For a REVERSAL: the event it undoes (each event is reversed at most once).
    reverses = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="reversed_by"
    )
    # For an event re-applied on undelete: the event it restores.
    restores = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    cause = models.CharField(max_length=30, blank=True, choices=Cause.choices)
    # The cap may cut a vote-earned event; amount is what was actually credited.
    capped = models.BooleanField(default=False)
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["user", "-created_at"], name="repevent_user_time"),
            models.Index(fields=["post", "actor"], name="repevent_post_actor"),
            models.Index(fields=["user", "kind", "created_at"], name="repevent_user_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.amount:+d} {self.kind}"


class UserTagScore(models.Model):
    """Reputation earned per tag (expertise by topic), cached from the ledger."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="tag_scores"
    )
    tag = models.ForeignKey("qa.Tag", on_delete=models.CASCADE, related_name="+")
    score = models.IntegerField(default=0)

    class Meta:
        ordering = ["-score"]
        constraints = [models.UniqueConstraint(fields=["user", "tag"], name="tag_score_once")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.tag_id}: {self.score}"


class PrivilegeThreshold(models.Model):
    """An administrator's override of one privilege's threshold (else the preset applies)."""

    privilege = models.CharField(max_length=30, choices=Privilege.choices, unique=True)
    reputation = models.PositiveIntegerField()

    class Meta:
        ordering = ["reputation"]

    def __str__(self) -> str:
        return f"{self.get_privilege_display()}: {self.reputation}"


class Badge(models.Model):
    class Tier(models.IntegerChoices):
        GOLD = 1, "Gold"
        SILVER = 2, "Silver"
        BRONZE = 3, "Bronze"

    slug = models.SlugField(max_length=100, unique=True)
    name = models.CharField(max_length=100)
    description = models.CharField(max_length=300, blank=True)
    tier = models.PositiveSmallIntegerField(choices=Tier.choices, default=Tier.BRONZE)
    is_tag_badge = models.BooleanField(default=False)

    class Meta:
        ordering = ["tier", "name"]

    def __str__(self) -> str:
        return self.name


class UserBadge(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="badges"
    )
    badge = models.ForeignKey(Badge, on_delete=models.CASCADE, related_name="awards")
    awarded_at = models.DateTimeField()
    # The post that earned it, when there is one.
    post = models.ForeignKey(
        "qa.Post", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    source = models.CharField(max_length=100, blank=True, default="")
    source_id = models.BigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-awarded_at"]
        indexes = [models.Index(fields=["user", "badge"], name="userbadge_user_badge")]

    def __str__(self) -> str:
        return f"{self.badge} for {self.user_id}"


class Bounty(models.Model):
    """Reputation offered on a question (Stack Overflow's bounty). The offer is debited at once
    (a BOUNTY ledger line on the question); the award is credited to the answer's author."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        AWARDED = "awarded", "Awarded"
        # Not awarded in time: half went to the best qualifying answer, or nobody.
        EXPIRED = "expired", "Expired"
        # The question was deleted while the bounty was open: the offer was refunded.
        REFUNDED = "refunded", "Refunded"

    question = models.ForeignKey("qa.Post", on_delete=models.CASCADE, related_name="bounties")
    offered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="bounties_offered"
    )
    amount = models.PositiveIntegerField()
    reason = models.CharField(max_length=300, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    # The offerer may still award until here; after it the scheduled task settles the bounty.
    grace_ends_at = models.DateTimeField()
    awarded_answer = models.ForeignKey(
        "qa.Post", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    awarded_amount = models.PositiveIntegerField(default=0)
    awarded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["question"], condition=models.Q(status="open"), name="one_open_bounty"
            )
        ]
        indexes = [models.Index(fields=["status", "ends_at"], name="bounty_status_end")]
        verbose_name_plural = "bounties"

    def __str__(self) -> str:
        return f"+{self.amount} on {self.question_id} ({self.status})"

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN
