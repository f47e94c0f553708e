"""Home feed, notifications (in-app, email, digests), follows, outgoing webhooks, expert routing."""

from django.conf import settings
from django.db import models

from knowhow.qa.models import Post
from knowhow.spaces.models import Space


class NotificationKind(models.TextChoices):
    ANSWER = "answer", "Answers to questions you follow"
    COMMENT = "comment", "Comments on posts you follow"
    REPLY = "reply", "Direct replies to your posts"
    MENTION = "mention", "Mentions of you"
    EXPERT = "expert", "Questions you could answer"
    COLLECTION = "collection", "New items in collections you follow"


# Direct replies and mentions go out at once by default; the rest wait for the digest.
DEFAULT_EMAIL = {
    NotificationKind.REPLY: "immediate",
    NotificationKind.MENTION: "immediate",
}


class EmailChoice(models.TextChoices):
    IMMEDIATE = "immediate", "Email at once"
    DAILY = "daily", "Daily digest"
    WEEKLY = "weekly", "Weekly digest"
    NONE = "none", "In the app only"


class Notification(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=20, choices=NotificationKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The space is kept so that every read re-checks visibility: a person removed from a private
    # space stops seeing (and being emailed) what they were notified about there.
    space = models.ForeignKey(Space, on_delete=models.CASCADE, related_name="+")
    post = models.ForeignKey(
        Post, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    title = models.CharField(max_length=300)
    text = models.CharField(max_length=500, blank=True)
    url = models.CharField(max_length=500)
    created_at = models.DateTimeField(db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "read_at", "-created_at"], name="notification_inbox"),
            models.Index(fields=["recipient", "emailed_at"], name="notification_unsent"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} for {self.recipient_id}: {self.title}"


class NotificationPreference(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    kind = models.CharField(max_length=20, choices=NotificationKind.choices)
    email = models.CharField(max_length=10, choices=EmailChoice.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="one_preference_per_kind")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind}: {self.email}"


class QuestionFollow(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="question_follows"
    )
    question = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "question"], name="follow_question_once")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} follows {self.question_id}"


class CollectionFollow(models.Model):
    """A person follows a collection or learning path: new items reach their feed and
    notifications. Shown only while the person can see the collection's space."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="collection_follows"
    )
    collection = models.ForeignKey(
        "curation.Collection", on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "collection"], name="follow_collection_once")
        ]
        indexes = [models.Index(fields=["collection", "user"], name="collection_followers")]

    def __str__(self) -> str:
        return f"{self.user_id} follows collection {self.collection_id}"


class Webhook(models.Model):
    class Format(models.TextChoices):
        SLACK = "slack", "Slack (incoming webhook)"
        TEAMS = "teams", "Microsoft Teams (incoming webhook)"

    space = models.ForeignKey(Space, on_delete=models.CASCADE, related_name="webhooks")
    url = models.URLField(max_length=2000)
    format = models.CharField(max_length=10, choices=Format.choices)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    is_active = models.BooleanField(default=True)
    last_status = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.format} webhook for {self.space}"


class ExpertRequest(models.Model):
    """A question routed to a person; counted against the weekly cap."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="expert_requests"
    )
    question = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["user", "question"], name="route_question_once")
        ]

    def __str__(self) -> str:
        return f"{self.question_id} routed to {self.user_id}"


class QuestionEmbedding(models.Model):
    """A question's sentence vector (float32 bytes), computed by the worker, never per request."""

    question = models.OneToOneField(
        Post, on_delete=models.CASCADE, primary_key=True, related_name="embedding"
    )
    model = models.CharField(max_length=50)
    vector = models.BinaryField()
    text_hash = models.CharField(max_length=64)
    updated_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.model} vector of {self.question_id}"
