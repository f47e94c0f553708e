"""Raw activity events, their daily rollups, per-question outcomes and the xAPI outbox."""

import uuid

from django.conf import settings
from django.db import models


class EventKind(models.TextChoices):
    QUESTION_VIEWED = "question_viewed", "Question viewed"
    QUESTION_ASKED = "question_asked", "Question asked"
    ANSWER_POSTED = "answer_posted", "Answer posted"
    ANSWER_ACCEPTED = "answer_accepted", "Answer accepted"
    COMMENT_ADDED = "comment_added", "Comment added"
    VOTE_CAST = "vote_cast", "Vote cast"
    SEARCH = "search", "Search"
    FLAG_RAISED = "flag_raised", "Flag raised"
    VIDEO_VIEWED = "video_viewed", "Video viewed"
    VIDEO_PLAYED = "video_played", "Video played"
    VIDEO_PROGRESS = "video_progress", "Video watched (progress)"
    PATH_ENROLLED = "path_enrolled", "Learning path enrolment"
    PATH_COMPLETED = "path_completed", "Learning path completed"
    BADGE_AWARDED = "badge_awarded", "Badge awarded"


class Event(models.Model):
    """One thing a person did. Raw events are kept for ANALYTICS['EVENT_RETENTION_DAYS']."""

    kind = models.CharField(max_length=30, choices=EventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    department = models.CharField(max_length=120, blank=True, default="")
    space_id = models.BigIntegerField(null=True, blank=True)
    post_id = models.BigIntegerField(null=True, blank=True)
    question_id = models.BigIntegerField(null=True, blank=True)
    tag_names = models.CharField(max_length=400, blank=True, default="")
    value = models.FloatField(null=True, blank=True)
    meta = models.JSONField(default=dict, blank=True)
    occurred_at = models.DateTimeField(db_index=True)

    class Meta:
        indexes = [models.Index(fields=["kind", "occurred_at"], name="event_kind_time")]
        permissions = [("view_dashboard", "Can view learning analytics dashboards")]

    def __str__(self) -> str:
        return f"{self.kind} by {self.actor_id} at {self.occurred_at:%Y-%m-%d %H:%M}"


class Dimension(models.TextChoices):
    ALL = "all", "Whole organisation"
    SPACE = "space", "Space"
    DEPARTMENT = "department", "Department"
    SPACE_DEPARTMENT = "space_department", "Space and department"
    TAG = "tag", "Tag"


class DailyMetric(models.Model):
    """A rolled-up number for one day in one slice (dimension + key). Dashboards read only these."""

    day = models.DateField()
    dimension = models.CharField(max_length=20, choices=Dimension.choices)
    key = models.CharField(max_length=200, blank=True, default="")
    metric = models.CharField(max_length=40)
    value = models.FloatField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["dimension", "key", "metric", "day"], name="metric_once_per_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.dimension}:{self.key} {self.metric}={self.value}"


class QuestionOutcome(models.Model):
    """How one question fared: when it got its first and accepted answers, and its reach."""

    question_id = models.BigIntegerField(primary_key=True)
    space_id = models.BigIntegerField(db_index=True)
    department = models.CharField(max_length=120, blank=True, default="")
    asked_at = models.DateTimeField(db_index=True)
    first_answer_seconds = models.FloatField(null=True, blank=True)
    accepted_seconds = models.FloatField(null=True, blank=True)
    views = models.PositiveIntegerField(default=0)
    answers = models.PositiveIntegerField(default=0)
    good_answers = models.PositiveIntegerField(default=0)
    title = models.CharField(max_length=300, blank=True)

    def __str__(self) -> str:
        return f"Outcome of question {self.question_id}"


class QuestionOutcomeTag(models.Model):
    """One row per question and tag, with the outcome's numbers copied in, so that the per-tag
    dashboards read a single table by date range instead of joining."""

    outcome = models.ForeignKey(QuestionOutcome, on_delete=models.CASCADE, related_name="tags")
    tag_name = models.CharField(max_length=35)
    asked_at = models.DateTimeField()
    space_id = models.BigIntegerField()
    department = models.CharField(max_length=120, blank=True, default="")
    first_answer_seconds = models.FloatField(null=True, blank=True)
    accepted_seconds = models.FloatField(null=True, blank=True)
    views = models.PositiveIntegerField(default=0)
    answers = models.PositiveIntegerField(default=0)
    good_answers = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["outcome", "tag_name"], name="outcome_tag_once")
        ]
        indexes = [models.Index(fields=["asked_at"], name="outcometag_asked")]

    def __str__(self) -> str:
        return f"{self.outcome_id}:{self.tag_name}"


class SearchTermDaily(models.Model):
    day = models.DateField()
    space_id = models.BigIntegerField(null=True, blank=True)
    term = models.CharField(max_length=200)
    searches = models.PositiveIntegerField(default=0)
    zero_results = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["day", "term"], name="searchterm_day")]

    def __str__(self) -> str:
        return f"{self.day} {self.term!r} x{self.searches}"


class XapiStatement(models.Model):
    """The outbox of learning records: queued here, sent in batches to the LRS, never dropped."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENT = "sent", "Sent"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    statement = models.JSONField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(db_index=True)
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="xapi_due")]

    def __str__(self) -> str:
        return f"xAPI {self.id} ({self.status})"


class ContributorDaily(models.Model):
    """Person-level contributions per day (visible only to that person and to admins)."""

    day = models.DateField()
    user_id = models.BigIntegerField()
    space_id = models.BigIntegerField(null=True, blank=True)
    department = models.CharField(max_length=120, blank=True, default="")
    questions = models.PositiveIntegerField(default=0)
    answers = models.PositiveIntegerField(default=0)
    accepted = models.PositiveIntegerField(default=0)
    comments = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [
            models.Index(fields=["day", "user_id"], name="contrib_day_user"),
            models.Index(fields=["user_id", "day"], name="contrib_user_day"),
        ]

    def __str__(self) -> str:
        return f"{self.day} user {self.user_id}"


class ContributorMonthly(models.Model):
    """ContributorDaily summed by calendar month, so that long periods read few rows."""

    month = models.DateField(help_text="The first day of the month.")
    user_id = models.BigIntegerField()
    space_id = models.BigIntegerField(null=True, blank=True)
    department = models.CharField(max_length=120, blank=True, default="")
    questions = models.PositiveIntegerField(default=0)
    answers = models.PositiveIntegerField(default=0)
    accepted = models.PositiveIntegerField(default=0)
    comments = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["month", "user_id"], name="contrib_month_user")]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} user {self.user_id}"


class SearchTermMonthly(models.Model):
    """SearchTermDaily summed by calendar month."""

    month = models.DateField(help_text="The first day of the month.")
    space_id = models.BigIntegerField(null=True, blank=True)
    term = models.CharField(max_length=200)
    searches = models.PositiveIntegerField(default=0)
    zero_results = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["month", "term"], name="searchterm_month")]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.term!r} x{self.searches}"
