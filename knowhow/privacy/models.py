"""Data-protection requests: a person's export or erasure, with the deadline to answer it."""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone


def _deadline() -> "timezone.datetime":
    return timezone.now() + timedelta(days=settings.KNOWHOW["DATA_REQUEST_DEADLINE_DAYS"])


class DataRequest(models.Model):
    class Kind(models.TextChoices):
        EXPORT = "export", "Export of personal data"
        ERASURE = "erasure", "Erasure"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        DONE = "done", "Done"
        CANCELLED = "cancelled", "Cancelled"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    # Null once the person is erased: the request row itself must not identify them.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="data_requests",
    )
    # A number only, so that an erased person's requests can still be counted and audited.
    subject_id = models.BigIntegerField(db_index=True)
    requested_at = models.DateTimeField(default=timezone.now)
    due_at = models.DateTimeField(default=_deadline)
    completed_at = models.DateTimeField(null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # After an erasure: posts by others that contain the person's name as free text, which
    # erasure cannot rewrite reliably, for an administrator to review.
    review_post_ids = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["due_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for person #{self.subject_id} ({self.status})"

    @property
    def is_overdue(self) -> bool:
        return self.status == self.Status.OPEN and self.due_at < timezone.now()
